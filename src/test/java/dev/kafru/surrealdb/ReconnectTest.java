package dev.kafru.surrealdb;

import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReconnectTest {

    @Test
    void afterTheEngineIsKilledAndRestartedTheConnectionSignsInAgainAndLiveQueriesResume() throws Exception {
        try (SurrealLauncher launcher = SurrealLauncher.start();
             RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase().withRequestTimeout(Duration.ofSeconds(2)))) {
            db.query("DEFINE TABLE IF NOT EXISTS survivors SCHEMALESS; CREATE survivors:one SET n = 1", Map.of());
            BlockingQueue<LiveNotification> seen = new LinkedBlockingQueue<>();
            db.live("survivors", seen::add);

            launcher.kill();
            await().atMost(Duration.ofSeconds(10)).until(() -> !db.isConnected());
            SurrealException whileDown = assertThrows(SurrealException.class,
                    () -> db.query("RETURN 1", Map.of()));
            assertTrue(whileDown.isTransient(), whileDown.getMessage());
            // a write that timed out while no session was ready was reported failed: it must never be sent later
            SurrealException writeWhileDown = assertThrows(SurrealException.class,
                    () -> db.query("CREATE survivors:ghost SET n = 9", Map.of()));
            assertEquals(SurrealException.Kind.TIMEOUT, writeWhileDown.kind(), writeWhileDown.getMessage());

            launcher.restart();
            await().atMost(Duration.ofSeconds(30)).until(db::isConnected);
            // the first engine was killed as a crash would kill it (it never logged a shutdown), and a second
            // process served the same port and RocksDB directory
            List<String> output = launcher.output();
            assertTrue(output.stream().noneMatch(line -> line.contains("shutting down")),
                    "the engine shut down cleanly instead of being killed:\n" + String.join("\n", output));
            String sameEngine = "listening on " + launcher.url() + " (engine SurrealDB 3.0.2, storage rocksdb://" + launcher.dataDir() + ")";
            assertEquals(2, output.stream().filter(line -> line.contains(sameEngine)).count(),
                    "expected two lines '" + sameEngine + "' in:\n" + String.join("\n", output));

            // signed in again, on the same namespace and database, data kept on RocksDB, and no ghost
            assertEquals(List.of(1L), db.query("SELECT VALUE n FROM survivors", Map.of()).get(0));
            // the live query was started again on the new connection
            db.query("CREATE survivors:two SET n = 2", Map.of());
            LiveNotification notification = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(notification, "live query did not resume after reconnect");
            assertEquals(new RecordId("survivors", "two"), notification.record());
        }
    }
}
