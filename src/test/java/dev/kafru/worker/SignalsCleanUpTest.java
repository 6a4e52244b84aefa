package dev.kafru.worker;

import dev.kafru.TaskRequest;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reaper's clean-up of kafru_signals keeps up with pushes one by one, each of which writes a
 * signal: one pass deletes every old signal, not one transaction's worth (the soak found
 * kafru_signals growing by ~11,000 rows a minute under 250 single pushes a second).
 */
class SignalsCleanUpTest {

    @Test
    void onePassForgetsMoreThanOneTransactionOfSignals() {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase())) {
            Schema.apply(db);
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            int pushes = Workers.SIGNAL_BATCH * 5 / 2;
            for (int i = 0; i < pushes; i++) { // as KafruQueue.push: a statement, and its signal, per task
                store.insert(List.of(TaskRequest.of("noop").queue("q")));
            }
            int first = Workers.forgetOldSignals(store, Duration.ZERO);
            assertTrue(first >= pushes, "one pass forgot " + first + " signals of " + pushes + " pushes");
            assertEquals(0, Workers.forgetOldSignals(store, Duration.ZERO), "nothing old is left for the next pass");
        }
    }
}
