package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskProgress;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.TaskRepository;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A handler's progress: stored about once a second, never backwards, 100% once Completed, forgotten with its task. */
class ProgressTest {

    RpcSurrealConnection db;
    SurrealTaskRepository surreal;
    /** The store, counting each task's progress writes. */
    TaskRepository store;
    final Map<String, AtomicInteger> writes = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    QueueDispatcher dispatcher;
    final Map<String, TaskHandler> handlers = new HashMap<>();
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger requestsAtSecondReport = new AtomicInteger(-1);

    @BeforeEach
    void setUp() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        surreal = new SurrealTaskRepository(db);
        store = (TaskRepository) Proxy.newProxyInstance(TaskRepository.class.getClassLoader(), new Class<?>[]{TaskRepository.class},
                (proxy, method, args) -> {
                    Object answer;
                    try {
                        answer = method.invoke(surreal, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    // counted once written: a test that waits for a write then reads what it wrote
                    if (method.getName().equals("saveProgress")) {
                        ((Map<?, ?>) args[0]).keySet().forEach(k -> writes.computeIfAbsent((String) k, x -> new AtomicInteger()).incrementAndGet());
                        requests.incrementAndGet();
                    }
                    return answer;
                });
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        handlers.put("count", ctx -> {
            long total = ctx.getLong("total");
            long pause = ctx.getLong("pauseMicros", 0);
            for (long i = 1; i <= total; i++) {
                ctx.progress(i, total, "row " + i);
                TimeUnit.MICROSECONDS.sleep(pause);
            }
        });
        handlers.put("half", ctx -> ctx.progress(500, 1000, "half way"));
        handlers.put("plain", ctx -> { });
        handlers.put("twice", ctx -> {
            if (ctx.attempt() == 1) {
                ctx.progress(70, 100, "first attempt");
                throw new IllegalStateException("fails at 70%");
            }
            ctx.progress(10, 100, "second attempt, from the start");
            requestsAtSecondReport.set(requests.get());
            release.await(20, TimeUnit.SECONDS);
        });
        handlers.put("waits", ctx -> {
            ctx.progress(3, 4, "nearly");
            release.await(20, TimeUnit.SECONDS);
        });
        RetryPolicy soon = (task, failure) -> RetryPolicy.retryAfter(Duration.ofMillis(10));
        dispatcher = new QueueDispatcher("q", 4, WorkerSettings.defaults(), store, TaskRegistry.of(handlers), executor, scheduler,
                "me/q", Clock.systemUTC(), soon);
        dispatcher.start();
    }

    @AfterEach
    void tearDown() {
        release.countDown();
        dispatcher.stop(Duration.ofSeconds(5));
        executor.shutdownNow();
        scheduler.shutdownNow();
        db.close();
    }

    private Task push(TaskRequest request) {
        Task task = store.insert(List.of(request.queue("q"))).get(0);
        dispatcher.wake();
        return task;
    }

    private Task finished(String id) {
        await().atMost(Duration.ofSeconds(20)).until(() -> store.get(id).orElseThrow().status().finished());
        return store.get(id).orElseThrow();
    }

    @Test
    void aThousandReportsAreStoredAboutOnceASecondNeverBackwardsAndReadAllDoneOnceCompleted() throws Exception {
        long started = System.nanoTime();
        Task task = push(TaskRequest.of("count").parameters(Map.of("total", 1000L, "pauseMicros", 2500L)));
        // read it while it runs: what is stored only moves forward
        List<Long> seen = new ArrayList<>();
        AtomicBoolean ended = new AtomicBoolean();
        while (!ended.get()) {
            Task now = store.get(task.id()).orElseThrow();
            if (now.progress() != null) {
                seen.add(now.progress().done());
                assertEquals(1000, now.progress().total());
                if (!now.status().finished()) {
                    assertEquals("row " + now.progress().done(), now.progress().note(), "the note of the report stored");
                }
            }
            ended.set(now.status().finished());
            Thread.sleep(20);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Task done = store.get(task.id()).orElseThrow();
        assertEquals(TaskStatus.Completed, done.status());
        assertEquals(new TaskProgress(1000, 1000, done.progress().note(), done.progress().at()), done.progress());
        assertEquals(100.0, done.progress().percent());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "went backwards: " + seen);
        }
        assertTrue(seen.stream().anyMatch(d -> d > 0 && d < 1000), "progress was seen while it ran: " + seen);
        dispatcher.stop(Duration.ofSeconds(5)); // writes what waits
        int n = writes.get(task.id()).get();
        System.out.printf("1,000 reports in %.1f s: %d progress write(s)%n", seconds, n);
        assertTrue(n <= Math.ceil(seconds) + 2, n + " writes in " + seconds + " s: more than one a second (and the last)");
    }

    @Test
    void aTaskThatCompletesReadsAllDoneWhateverItLastReported() {
        Task task = push(TaskRequest.of("half"));
        finished(task.id());
        await().atMost(Duration.ofSeconds(5)).until(() -> store.get(task.id()).orElseThrow().progress() != null);
        TaskProgress progress = store.get(task.id()).orElseThrow().progress();
        assertEquals(1000, progress.done());
        assertEquals(100.0, progress.percent());
        assertEquals("half way", progress.note());
        assertEquals(1000, store.list(null, "q", 10, 0).get(0).progress().done(), "list reads it too");
    }

    @Test
    void aSecondAttemptNeverShowsLessThanTheFirstReached() {
        Task task = push(TaskRequest.of("twice").maxAttempts(3));
        await().atMost(Duration.ofSeconds(20)).until(() -> requestsAtSecondReport.get() >= 0);
        // a write follows every report within a second: the 10% one has been written (or dropped, behind the 70%) then
        await().atMost(Duration.ofSeconds(5)).until(() -> requests.get() > requestsAtSecondReport.get());
        Task running = store.get(task.id()).orElseThrow();
        assertEquals(70, running.progress().done(), "not moved back by the second attempt's report");
        assertEquals("first attempt", running.progress().note());
        release.countDown();
        assertEquals(TaskStatus.Completed, finished(task.id()).status());
        assertEquals(100.0, store.get(task.id()).orElseThrow().progress().percent());
    }

    @Test
    void aTaskThatNeverReportsHasNoProgressAndCostsNoWrite() throws Exception {
        Task task = push(TaskRequest.of("plain"));
        assertEquals(TaskStatus.Completed, finished(task.id()).status());
        Thread.sleep(ProgressReports.EVERY.toMillis() + 200); // the moment a write would have come
        assertNull(store.get(task.id()).orElseThrow().progress());
        assertEquals(0, requests.get(), "no progress write at all");
    }

    @Test
    void membersOfAPushUnitKeepTheirOwnProgress() {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(TaskRequest.of("waits").queue("q"));
        }
        List<Task> tasks = store.insert(requests);
        assertTrue(tasks.get(0).id().contains("-"), "pushed as a unit");
        dispatcher.wake();
        for (int i = 0; i < 4; i++) { // four threads: four run, two wait
            String id = tasks.get(i).id();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.get(id).orElseThrow().progress() != null);
            TaskProgress p = store.get(id).orElseThrow().progress();
            assertEquals(3, p.done());
            assertEquals(75.0, p.percent());
        }
        assertNull(store.get(tasks.get(5).id()).orElseThrow().progress(), "a member not started reported nothing");
        List<Task> listed = store.list(null, "q", 10, 0);
        assertEquals(6, listed.size());
        assertEquals(4, listed.stream().filter(t -> t.progress() != null && t.progress().done() == 3).count(), "list reads them");
        assertEquals(2, listed.stream().filter(t -> t.progress() == null).count());
    }

    @Test
    void badArgumentsAreRefusedNamingTheArgument() {
        TaskContext ctx = new TaskContext(Task.waiting("t1", TaskRequest.of("x"), Instant.now()), () -> false);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ctx.progress(-1, 10)).getMessage().contains("done is -1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ctx.progress(0, 0)).getMessage().contains("total is 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ctx.progress(11, 10)).getMessage()
                .contains("done (11) is more than total (10)"));
        String note = "n".repeat(TaskProgress.NOTE_LIMIT + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ctx.progress(1, 10, note)).getMessage()
                .contains("note has 201 characters"));
        assertNull(ctx.progress(), "nothing kept from refused reports");
        ctx.progress(5, 10, "n".repeat(TaskProgress.NOTE_LIMIT));
        ctx.progress(2, 10, "behind");
        assertEquals(5, ctx.progress().done(), "a report behind the last changes nothing");
    }

    @Test
    void theProgressOfTasksThatAreGoneIsForgotten() {
        Task kept = store.insert(List.of(TaskRequest.of("plain").queue("other"))).get(0);
        Task removed = store.insert(List.of(TaskRequest.of("plain").queue("other"))).get(0);
        List<TaskRequest> unit = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            unit.add(TaskRequest.of("plain").queue("other"));
        }
        List<Task> members = store.insert(unit);
        Map<String, TaskProgress> reports = new HashMap<>();
        for (Task t : List.of(kept, removed, members.get(0), members.get(1))) {
            reports.put(t.id(), new TaskProgress(1, 2, null, null));
        }
        store.saveProgress(reports);
        assertTrue(store.remove(removed.id()));
        // a report for a task whose progress record remains, its task gone
        assertNotNull(surreal.get(members.get(0).id()).orElseThrow().progress());
        new Retention(store, Optional.empty(), Optional.empty(), Clock.systemUTC(), 0).pass();
        assertEquals(3, count("SELECT count() FROM kafru_progress GROUP ALL"), "only the removed task's progress went");
        assertEquals(5, store.purge(null, "other") - 1, "the unit and the kept task purged");
        // a pass checks a batch after where the last stopped: from the start when it reached the end
        new Retention(store, Optional.empty(), Optional.empty(), Clock.systemUTC(), 0).pass();
        assertEquals(0, count("SELECT count() FROM kafru_progress GROUP ALL"), "all gone with their tasks");
    }

    @Test
    void aWriteThatFailsKeepsItsReportsForTheNextOne() {
        Task task = store.insert(List.of(TaskRequest.of("plain").queue("other"))).get(0);
        AtomicInteger calls = new AtomicInteger();
        TaskRepository failingOnce = (TaskRepository) Proxy.newProxyInstance(TaskRepository.class.getClassLoader(),
                new Class<?>[]{TaskRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("saveProgress") && calls.incrementAndGet() == 1) {
                        throw new dev.kafru.store.StoreException("SurrealDB unreachable (injected)", true, null);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        ProgressReports reports = new ProgressReports(failingOnce, executor, scheduler);
        reports.accept(task, new TaskProgress(2, 5, "before the failure", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> calls.get() == 1 && reports.waiting() == 1);
        reports.accept(task, new TaskProgress(1, 5, "behind: not kept", null));
        await().atMost(Duration.ofSeconds(5)).until(() -> store.get(task.id()).orElseThrow().progress() != null);
        TaskProgress stored = store.get(task.id()).orElseThrow().progress();
        assertEquals(List.of(2L, "before the failure"), List.of(stored.done(), stored.note()));
        assertEquals(2, calls.get(), "one write failed, the next stored it");
    }

    @Test
    void aReportBehindTheStoredOneChangesNothingInTheStoreEither() {
        Task task = store.insert(List.of(TaskRequest.of("plain").queue("other"))).get(0);
        store.saveProgress(Map.of(task.id(), new TaskProgress(70, 100, "first server", null)));
        store.saveProgress(Map.of(task.id(), new TaskProgress(10, 100, "second server, starting again", null)));
        store.saveProgress(Map.of(task.id(), new TaskProgress(2, 3, "a share of a smaller total, still behind", null)));
        TaskProgress stored = store.get(task.id()).orElseThrow().progress();
        assertEquals(List.of(70L, 100L, "first server"), List.of(stored.done(), stored.total(), stored.note()));
        assertNotNull(stored.at(), "stored at the database's time");
        store.saveProgress(Map.of(task.id(), new TaskProgress(3, 4, "ahead as a share", null)));
        assertEquals(75.0, store.get(task.id()).orElseThrow().progress().percent());
        store.saveProgress(Map.of(task.id(), new TaskProgress(3, 4, "as far, a new note", null)));
        assertEquals("as far, a new note", store.get(task.id()).orElseThrow().progress().note());
    }

    @Test
    void aCheckOfStoredProgressGoesOnWhereTheLastStopped() {
        Map<String, TaskProgress> reports = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            reports.put("gone" + i, new TaskProgress(1, 2, null, null));
        }
        store.saveProgress(reports);
        String after = store.forgetProgress(null, 2);
        assertEquals("gone1", after);
        assertEquals(3, count("SELECT count() FROM kafru_progress GROUP ALL"));
        after = store.forgetProgress(after, 2);
        assertEquals("gone3", after);
        assertNull(store.forgetProgress(after, 2), "the end reached");
        assertEquals(0, count("SELECT count() FROM kafru_progress GROUP ALL"));
    }

    private long count(String query) {
        List<?> rows = (List<?>) db.query(query, Map.of()).get(0);
        return rows.isEmpty() ? 0 : ((Number) ((Map<?, ?>) rows.get(0)).get("count")).longValue();
    }
}
