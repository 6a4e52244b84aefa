package dev.kafru.store.surreal;

import dev.kafru.surrealdb.SurrealException;
import dev.kafru.testing.MapConfig;
import dev.kafru.testing.PlainManagedExecutor;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The shared connection and its schema when SurrealDB is not there at start-up. */
class SurrealDatabaseTest {

    @Test
    void aWaitThatTimesOutWhileSurrealDbIsDownDoesNotKeepTheSchemaFromBeingAppliedLater() {
        PlainManagedExecutor executor = new PlainManagedExecutor(2);
        try (SurrealLauncher launcher = SurrealLauncher.start()) {
            launcher.kill(); // its port and data directory stay known; nothing listens there now
            SurrealDatabase database = new SurrealDatabase();
            database.config = new MapConfig(Map.of(
                    "kafru.db.url", launcher.url().toString(),
                    "kafru.db.username", SurrealLauncher.USER,
                    "kafru.db.password", SurrealLauncher.PASSWORD,
                    "kafru.db.namespace", "kafru_test",
                    "kafru.db.name", "late_start_" + System.nanoTime()));
            database.scheduler = executor;
            database.executor = executor;
            try {
                SurrealException timeout = assertThrows(SurrealException.class, () -> database.awaitSchema(Duration.ofMillis(300)));
                assertEquals(SurrealException.Kind.TIMEOUT, timeout.kind(), timeout.toString());
                assertFalse(database.isSchemaApplied());

                launcher.restart();
                await().atMost(Duration.ofSeconds(60)).until(database::isSchemaApplied);
                database.awaitSchema(Duration.ofSeconds(5)); // returns: the earlier caller's timeout stayed its own
            } finally {
                database.stop();
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
