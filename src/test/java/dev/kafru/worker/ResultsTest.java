package dev.kafru.worker;

import dev.kafru.Task;
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

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A handler's result: stored on the task when it completes, exactly, bounded in size. */
class ResultsTest {

    RpcSurrealConnection db;
    SurrealTaskRepository store;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    QueueDispatcher dispatcher;

    static final Map<String, Object> RESULT = new LinkedHashMap<>();

    static {
        RESULT.put("total", new BigDecimal("1234.50"));
        RESULT.put("tiny", new BigDecimal("0.000000000000000000000000000001"));
        RESULT.put("lines", List.of(Map.of("sku", "A-1", "qty", 3L), List.of(1L, "two", true), Map.of()));
        RESULT.put("none", null);
        RESULT.put("ratio", 0.25);
    }

    @BeforeEach
    void setUp() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        Map<String, TaskHandler> handlers = new java.util.HashMap<>();
        handlers.put("sum", ctx -> ctx.result(RESULT));
        handlers.put("echo", ctx -> ctx.result(ctx.parameters().get("n")));
        handlers.put("huge", ctx -> ctx.result("x".repeat(TaskRegistry.DEFAULT_RESULT_LIMIT)));
        handlers.put("odd", ctx -> ctx.result(Map.of("when", new Object())));
        handlers.put("plain", ctx -> { });
        dispatcher = new QueueDispatcher("q", 4, WorkerSettings.defaults(), store, TaskRegistry.of(handlers), executor, scheduler, "me/q");
        dispatcher.start();
    }

    @AfterEach
    void tearDown() {
        dispatcher.stop(Duration.ofSeconds(5));
        executor.shutdownNow();
        scheduler.shutdownNow();
        db.close();
    }

    private Task finished(String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> store.get(id).orElseThrow().status().finished());
        return store.get(id).orElseThrow();
    }

    @Test
    void aResultOfDecimalsNestedListsAndMapsRoundTripsExactly() {
        Task task = store.insert(List.of(TaskRequest.of("sum").queue("q"))).get(0);
        dispatcher.wake();
        Task done = finished(task.id());
        assertEquals(TaskStatus.Completed, done.status());
        assertEquals(RESULT, done.result());
        assertEquals(new BigDecimal("1234.50"), ((Map<?, ?>) done.result()).get("total"), "scale kept: 1234.50, not 1234.5");
    }

    @Test
    void membersOfAPushUnitKeepTheirOwnResultsAndTasksWithoutOneStayInTheirUnit() {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(TaskRequest.of("echo").queue("q").parameters(Map.of("n", (long) i)));
        }
        for (int i = 0; i < 6; i++) {
            requests.add(TaskRequest.of("plain").queue("q"));
        }
        List<Task> tasks = store.insert(requests);
        assertTrue(tasks.get(0).id().contains("-"), "pushed as a unit");
        dispatcher.wake();
        for (int i = 0; i < 6; i++) {
            assertEquals((long) i, finished(tasks.get(i).id()).result());
        }
        for (int i = 6; i < 12; i++) {
            Task plain = finished(tasks.get(i).id());
            assertEquals(TaskStatus.Completed, plain.status());
            assertNull(plain.result());
        }
        assertEquals(12L, store.counts("q", 0).get(TaskStatus.Completed));
    }

    @Test
    void aResultOverTheLimitOrNotJsonEndsTheTaskErrorAtOnceNamingWhy() {
        Task huge = store.insert(List.of(TaskRequest.of("huge").queue("q").maxAttempts(3))).get(0);
        Task odd = store.insert(List.of(TaskRequest.of("odd").queue("q").maxAttempts(3))).get(0);
        dispatcher.wake();
        Task tooBig = finished(huge.id());
        assertEquals(TaskStatus.Error, tooBig.status());
        assertEquals(1, tooBig.attempts(), "not retried: it would give the same");
        assertTrue(tooBig.message().contains("kafru.worker.result-limit"), tooBig.message());
        assertNull(tooBig.result(), "nothing stored");
        Task notJson = finished(odd.id());
        assertEquals(TaskStatus.Error, notJson.status());
        assertEquals(1, notJson.attempts());
        assertTrue(notJson.message().contains("result.when"), notJson.message());
    }
}
