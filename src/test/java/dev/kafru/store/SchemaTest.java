package dev.kafru.store;

import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchemaTest {

    static SurrealLauncher launcher;

    @BeforeAll
    static void start() {
        launcher = SurrealLauncher.start();
    }

    @AfterAll
    static void stop() {
        launcher.close();
    }

    @Test
    void theSchemaDefinesTheCratesFourTablesAndTheIndexesHotQueriesNeed() {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            Schema.apply(db);
            Schema.apply(db);
            assertTrue(Schema.tables(db).containsAll(Set.of("kafru_queues", "kafru_schedules", "kafru_agents", "kafru_metrics")),
                    String.valueOf(Schema.tables(db)));
            assertTrue(Schema.indexes(db, "kafru_queues").contains(Schema.CLAIM_INDEX));
            assertTrue(Schema.indexes(db, "kafru_schedules").contains("kafru_schedules_due"));
            // field types are enforced: a task with an unknown status is refused and nothing is stored
            SurrealException refused = assertThrows(SurrealException.class, () -> db.query(
                    "CREATE kafru_queues SET name = 'x', queue = 'q', handler = 'h', status = 'Sleeping', priority = 0, rank = 0,"
                            + " run_at = time::now(), attempts = 0, max_attempts = 1, date_created = time::now(), date_modified = time::now()",
                    Map.of()));
            assertTrue(refused.getMessage().contains("status"), refused.getMessage());
            assertEquals(0L, db.query("RETURN count(SELECT * FROM kafru_queues)", Map.of()).get(0));
        }
    }

    @Test
    void twoServersApplyingTheSchemaAtOnceBothSucceed() throws Exception {
        var settings = launcher.freshDatabase();
        int servers = 4;
        ExecutorService threads = Executors.newFixedThreadPool(servers);
        List<RpcSurrealConnection> connections = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                RpcSurrealConnection db = RpcSurrealConnection.open(settings);
                connections.add(db);
                done.add(threads.submit(() -> {
                    go.await();
                    Schema.apply(db);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertTrue(Schema.indexes(connections.get(0), "kafru_queues").containsAll(Set.of(Schema.CLAIM_INDEX, "kafru_queues_lease")));
        } finally {
            threads.shutdownNow();
            connections.forEach(RpcSurrealConnection::close);
        }
    }
}
