package dev.kafru.store;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void theSchemaDefinesTheCratesTablesTheClaimIndexAndItsVersion() {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            Schema.apply(db);
            Schema.apply(db);
            assertTrue(Schema.tables(db).containsAll(Set.of("kafru_queues", "kafru_schedules", "kafru_agents", "kafru_metrics",
                    Schema.SIGNALS, Schema.QUEUE_NAMES)), String.valueOf(Schema.tables(db)));
            // one index on the hot table: each more one costs every row write
            assertEquals(Set.of(Schema.CLAIM_INDEX), Schema.indexes(db, "kafru_queues"));
            assertTrue(Schema.indexes(db, "kafru_schedules").contains("kafru_schedules_due"));
            assertEquals(4L, db.query("RETURN (SELECT VALUE version FROM ONLY kafru_meta:schema)", Map.of()).get(0));
            assertTrue(Schema.tables(db).containsAll(Set.of(Schema.PAYLOADS, Schema.SLICES, Schema.COUNTS, Schema.COUNT_DELTAS)));
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
            assertEquals(Set.of(Schema.CLAIM_INDEX), Schema.indexes(connections.get(0), "kafru_queues"));
        } finally {
            threads.shutdownNow();
            connections.forEach(RpcSurrealConnection::close);
        }
    }

    /**
     * A database written by kafru before this schema (typed fields, due computed by the database,
     * a lease index): its Waiting tasks, in priority order, and the task a dead server held are
     * claimed and run by the new code, and its finished tasks are found by retention.
     */
    @Test
    void aDatabaseOfTheFirstSchemaIsUpgradedInPlaceAndItsTasksRun() throws Exception {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            db.query(resource("/schema-v1.surql"), Map.of());
            // rows as the first SurrealTaskRepository wrote them: no due, no dates (the field definitions filled them in)
            for (int p : new int[] {0, 5, -1, 5}) {
                db.query("CREATE kafru_queues SET name = 'old', queue = 'old', handler = 'record', parameters = {p: $p},"
                        + " status = 'Waiting', priority = $p, rank = 0 - $p, attempts = 0, max_attempts = 3", Map.of("p", (long) p));
            }
            db.query("CREATE kafru_queues:held SET name = 'held', queue = 'old', handler = 'record', parameters = {p: 100},"
                    + " status = 'InProgress', priority = 0, rank = 0, attempts = 1, max_attempts = 3, owner = 'dead/old',"
                    + " lease_until = time::now() - 1m", Map.of());
            db.query("CREATE kafru_queues:done SET name = 'done', queue = 'old', handler = 'record', status = 'Completed',"
                    + " priority = 0, rank = 0, attempts = 1, max_attempts = 3, finished_at = time::now() - 2d", Map.of());
            assertTrue(Schema.indexes(db, "kafru_queues").contains("kafru_queues_lease"));

            Schema.apply(db);
            assertEquals(Set.of(Schema.CLAIM_INDEX), Schema.indexes(db, "kafru_queues"));
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            assertEquals(List.of("old"), store.queueNames());

            List<Long> order = new CopyOnWriteArrayList<>();
            Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
            ExecutorService executor = Executors.newCachedThreadPool();
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
            QueueDispatcher worker = new QueueDispatcher("old", 1, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("record", ctx -> {
                        order.add(ctx.getLong("p"));
                        runs.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet();
                    })), executor, scheduler, "new/old");
            try {
                assertEquals(1, store.recoverExpiredLeases("old", 100), "the dead server's task, by its expired lease");
                worker.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> order.size() == 5);
                assertEquals(List.of(5L, 5L, 0L, 100L, -1L), order, "priority first; the recovered task is due when recovered");
                assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), String.valueOf(runs));
                await().atMost(Duration.ofSeconds(10)).until(() -> store.counts("old", 10).get(TaskStatus.Completed) == 6);
                Task held = store.get("held").orElseThrow();
                assertEquals(2, held.attempts(), "the lost attempt counted, then one more");
                assertEquals(1, store.deleteFinished("old", TaskStatus.Completed, Instant.now().minus(Duration.ofDays(1)), 100),
                        "only the task finished two days ago is older than a day");
                assertTrue(store.get("done").isEmpty());
            } finally {
                worker.stop(Duration.ofSeconds(5));
                executor.shutdownNow();
                scheduler.shutdownNow();
            }
        }
    }

    /** How kafru 0.1 (schema version 2) stored a push: rows with their signal and, for 32 or more due at once, a push batch. */
    private static final String PUSH_V2 = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            INSERT INTO kafru_queues $rows.map(|$r| $r + {run_at: $r.run_at ?? $now, due: time::nano($r.run_at ?? $now) + $r.due,
                date_created: $now, date_modified: $now}) RETURN NONE;
            INSERT INTO kafru_signals {queue: 'v2', created: array::len($rows), at: time::nano($now)} RETURN NONE;
            INSERT INTO kafru_batches {queue: 'v2', rank: 0, first: time::nano($now), last: time::nano($now) + array::len($rows) - 1} RETURN NONE;
            COMMIT TRANSACTION;
            """;

    /**
     * A database written by kafru 0.1 (schema version 2: a row per task, push batches): its counts
     * are counted once at the upgrade, its Waiting rows and the row a dead server held are claimed
     * and run by the new code exactly once, and its push batches are gone.
     */
    @Test
    void aDatabaseOfSchemaVersionTwoIsUpgradedInPlaceCountedOnceAndItsRowsRunOnce() throws Exception {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            db.query(resource("/schema-v2.surql"), Map.of());
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Map<String, Object> row = new java.util.LinkedHashMap<>();
                row.put("id", new dev.kafru.surrealdb.RecordId("kafru_queues", "v2row" + i));
                row.put("name", "old");
                row.put("queue", "v2");
                row.put("handler", "record");
                row.put("parameters", Map.of("p", (long) i));
                row.put("status", "Waiting");
                row.put("priority", 0L);
                row.put("rank", 0L);
                row.put("attempts", 0L);
                row.put("max_attempts", 3L);
                row.put("due", (long) i);
                rows.add(row);
            }
            db.query(PUSH_V2, Map.of("rows", rows));
            db.query("UPDATE kafru_queues:v2row0 SET status = 'InProgress', owner = 'dead/v2', attempts = 1, rank = 0,"
                    + " lease_until = time::now() - 1m, due = time::nano(time::now() - 1m)", Map.of());
            db.query("UPDATE kafru_queues:v2row1 SET status = 'Completed', rank = 0, attempts = 1, finished_at = time::now(),"
                    + " due = time::nano(time::now())", Map.of());
            db.query("UPDATE kafru_queues:v2row2 SET status = 'Error', rank = 0, attempts = 3, finished_at = time::now(),"
                    + " due = time::nano(time::now()), message = 'boom'", Map.of());
            db.query("INSERT IGNORE INTO kafru_queue_names {id: kafru_queue_names:v2}", Map.of());

            Schema.apply(db);
            Schema.apply(db);
            assertTrue(!Schema.tables(db).contains("kafru_batches"), "version 2's push batches are gone");
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            assertEquals(Map.of(TaskStatus.Waiting, 37L, TaskStatus.InProgress, 1L, TaskStatus.Completed, 1L, TaskStatus.Error, 1L, TaskStatus.Cancelled, 0L),
                    store.counts("v2", 0), "counted once at the upgrade");

            Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
            ExecutorService executor = Executors.newCachedThreadPool();
            ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
            QueueDispatcher worker = new QueueDispatcher("v2", 4, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("record", ctx -> runs.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet())),
                    executor, scheduler, "new/v2");
            try {
                assertEquals(1, store.recoverExpiredLeases("v2", 100), "the dead server's row, by its expired lease");
                worker.start();
                await().atMost(Duration.ofSeconds(20)).until(() -> store.counts("v2", 0).get(TaskStatus.Completed) == 39);
                assertEquals(38, runs.size(), "every Waiting row and the recovered one");
                assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), String.valueOf(runs));
                assertEquals(Map.of(TaskStatus.Waiting, 0L, TaskStatus.InProgress, 0L, TaskStatus.Completed, 39L, TaskStatus.Error, 1L, TaskStatus.Cancelled, 0L),
                        store.counts("v2", 0));
            } finally {
                worker.stop(Duration.ofSeconds(5));
                executor.shutdownNow();
                scheduler.shutdownNow();
            }
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = SchemaTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
