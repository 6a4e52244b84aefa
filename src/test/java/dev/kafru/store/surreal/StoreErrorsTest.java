package dev.kafru.store.surreal;

import dev.kafru.TaskRequest;
import dev.kafru.store.Outcome;
import dev.kafru.store.StoreException;
import dev.kafru.store.TaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealException;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Repositories as the producer hands them out fail with the SPI's StoreException, never the client's. */
class StoreErrorsTest {

    @Test
    void aStoreThatIsGoneFailsCallsAndFuturesWithATransientStoreException() {
        try (SurrealLauncher launcher = SurrealLauncher.start()) {
            SurrealSettings settings = launcher.settings("kafru_test", "store_errors")
                    .withRequestTimeout(Duration.ofSeconds(2));
            try (RpcSurrealConnection connection = RpcSurrealConnection.open(settings)) {
                Schema.apply(connection);
                TaskRepository tasks = StoreErrors.translating(TaskRepository.class, new SurrealTaskRepository(connection));
                String key = tasks.insert(List.of(TaskRequest.of("work"))).get(0).id();
                assertEquals(key, tasks.get(key).orElseThrow().id(), "calls pass through while the store answers");

                launcher.kill();
                StoreException call = assertThrows(StoreException.class, () -> tasks.get(key));
                assertTrue(call.isTransient(), call.toString());
                assertInstanceOf(SurrealException.class, call.getCause(), "the client's exception stays the cause");

                CompletionException future = assertThrows(CompletionException.class,
                        () -> tasks.finish("nobody", List.of(Outcome.completed(key))).join());
                assertInstanceOf(StoreException.class, future.getCause(), future.toString());
            }
        }
    }
}
