package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server never claims a task whose handler it lacks: server A runs {x}, server B {x, y}, one
 * queue (a rolling upgrade that added y, or two applications sharing a queue).
 */
class HandlerAwareClaimsTest {

    RpcSurrealConnection db;
    SurrealTaskRepository store;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    final List<QueueDispatcher> dispatchers = new ArrayList<>();
    /** Task id → the servers that ran it, in order. */
    final Map<String, List<String>> ranOn = new ConcurrentHashMap<>();
    final WorkerSettings settings = WorkerSettings.defaults().withRetryBase(Duration.ofMillis(20)).withShutdownTimeout(Duration.ofSeconds(5));

    @BeforeEach
    void setUp() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void tearDown() {
        dispatchers.forEach(d -> d.stop(Duration.ofSeconds(5)));
        executor.shutdownNow();
        scheduler.shutdownNow();
        db.close();
    }

    private TaskHandler recording(String server) {
        return ctx -> {
            ranOn.computeIfAbsent(ctx.taskId(), k -> new CopyOnWriteArrayList<>()).add(server);
            Thread.sleep(2); // a little work, so that both servers have a share of a push
        };
    }

    private QueueDispatcher server(String name, Set<String> handlers) {
        Map<String, TaskHandler> registry = new java.util.HashMap<>();
        handlers.forEach(h -> registry.put(h, recording(name)));
        QueueDispatcher d = new QueueDispatcher("mixed", 4, settings, store, TaskRegistry.of(registry), executor, scheduler, name + "/mixed");
        dispatchers.add(d);
        return d;
    }

    private long count(TaskStatus status, String handler) {
        return store.count(new TaskFilter(status, "mixed", handler, null), Integer.MAX_VALUE);
    }

    @Test
    void everyYRanOnTheServerThatHasItNoneEndedErrorAndXRanOnBoth() {
        List<Task> x = new ArrayList<>();
        List<Task> y = new ArrayList<>();
        // pushes of both kinds: a mixed push of 500 (units per handler) and single tasks (rows)
        for (int round = 0; round < 2; round++) {
            List<TaskRequest> batch = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                batch.add(TaskRequest.of(i % 2 == 0 ? "x" : "y").queue("mixed"));
            }
            for (Task t : store.insert(batch)) {
                (t.handler().equals("x") ? x : y).add(t);
            }
            for (int i = 0; i < 20; i++) {
                Task t = store.insert(List.of(TaskRequest.of(i % 2 == 0 ? "y" : "x").queue("mixed"))).get(0);
                (t.handler().equals("x") ? x : y).add(t);
            }
        }
        QueueDispatcher a = server("server-a", Set.of("x"));
        a.start();
        // A alone: it runs every x and leaves every y Waiting
        await().atMost(Duration.ofMinutes(2)).until(() -> count(TaskStatus.Completed, "x") == x.size());
        assertEquals(y.size(), count(TaskStatus.Waiting, "y"), "A claimed no y");
        assertEquals(0, count(TaskStatus.Error, null));

        QueueDispatcher b = server("server-b", Set.of("x", "y"));
        b.start();
        List<TaskRequest> more = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            more.add(TaskRequest.of(i % 3 == 0 ? "y" : "x").queue("mixed"));
        }
        for (int from = 0; from < more.size(); from += 50) {
            for (Task t : store.insert(more.subList(from, from + 50))) {
                (t.handler().equals("x") ? x : y).add(t);
            }
        }
        await().atMost(Duration.ofMinutes(2)).until(() -> count(TaskStatus.Completed, null) == x.size() + y.size());
        assertEquals(0, count(TaskStatus.Error, null), "no task ended Error");
        for (Task t : y) {
            assertEquals(List.of("server-b"), ranOn.get(t.id()), "y task " + t.id() + " ran once, on B");
        }
        for (Task t : x) {
            assertEquals(1, ranOn.get(t.id()).size(), "x task " + t.id() + " ran once");
        }
        long xOnB = x.stream().filter(t -> ranOn.get(t.id()).get(0).equals("server-b")).count();
        assertTrue(xOnB > 0 && xOnB < x.size(), "x ran on both servers (on B: " + xOnB + " of " + x.size() + ")");
    }

    @Test
    void tasksNoServerCanRunAreSetAsideOnceAndDoNotSlowTheClaimsOfTheOthers() {
        List<TaskRequest> nobodys = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            nobodys.add(TaskRequest.of("z").queue("mixed"));
        }
        for (int i = 0; i < 3000; i += 500) {
            store.insert(nobodys.subList(i, i + 500));
        }
        for (int i = 0; i < 300; i++) { // rows: each one entry the claims would step over
            store.insert(List.of(TaskRequest.of("z").queue("mixed")));
        }
        List<Task> mine = store.insert(List.of(TaskRequest.of("x").queue("mixed"), TaskRequest.of("x").queue("mixed")));
        store.offers("a/mixed", Set.of("x"));
        List<String> claimed = new ArrayList<>();
        store.claim("mixed", "a/mixed", 10, Duration.ofSeconds(30)).forEach(t -> claimed.add(t.id()));
        assertEquals(mine.stream().map(Task::id).toList(), claimed, "the first claim already found both x behind 3,300 z");
        List<?> parked = (List<?>) db.query("SELECT VALUE id FROM kafru_queues WHERE queue = 'mixed' AND status = 'Waiting' AND rank = $p",
                Map.of("p", 2_000_000L)).get(0);
        assertEquals(6 + 300, parked.size(), "z's six units and 300 rows were set aside");
        assertEquals(3300, count(TaskStatus.Waiting, "z"), "and are still Waiting for a server that has z");
        await().atMost(Duration.ofSeconds(15)).until(() -> store.unserved("mixed"), org.hamcrest.Matchers.equalTo(Map.of("z", 3300L)));
        Task late = store.insert(List.of(TaskRequest.of("x").queue("mixed"))).get(0);
        assertEquals(List.of(late.id()), store.claim("mixed", "a/mixed", 10, Duration.ofSeconds(30)).stream().map(Task::id).toList());
        store.offers("z-server/mixed", Set.of("z"));
        List<Task> zs = store.claim("mixed", "z-server/mixed", 4000, Duration.ofSeconds(30));
        assertEquals(3300, zs.size(), "a server with z takes them all back");
    }
}
