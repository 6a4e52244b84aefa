package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskFailure;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poison tasks on the real engine: handlers that never return by themselves (a busy loop deaf to
 * interrupts, a socket read without a time-out) and handlers that throw an Error
 * (StackOverflowError; OutOfMemoryError in {@link OutOfMemory}, run by surefire in a JVM of its own
 * with a 256 MiB heap).
 * Beside each, normal tasks of the same queue must all run, each exactly once; the dispatcher's
 * running count must keep an abandoned thread busy until it returns; the poison task must end
 * Error with a readable reason and one failure entry per attempt, and its runs never overlap.
 */
class PoisonTasksTest {

    static final int THREADS = 3;
    static final int NORMAL = 40;
    static final Duration TIMEOUT = Duration.ofMillis(300);

    /** One run of a handler, as the handler itself records it (nanoTime). */
    record Run(String taskId, int attempt, long start, long end) {
    }

    RpcSurrealConnection db;
    SurrealTaskRepository store;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    QueueDispatcher dispatcher;
    final Map<String, TaskHandler> handlers = new HashMap<>();
    final List<Run> runs = new CopyOnWriteArrayList<>();
    final Map<String, AtomicInteger> normalRuns = new ConcurrentHashMap<>();
    final AtomicInteger normalRunning = new AtomicInteger();
    final AtomicInteger mostNormalAtOnce = new AtomicInteger();
    /** The attempts of a never-returning handler that the test lets return (its only way out). */
    final Set<Integer> released = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void setUp() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        handlers.put("normal", ctx -> {
            long start = System.nanoTime();
            int now = normalRunning.incrementAndGet();
            mostNormalAtOnce.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(15); // long enough that threads overlap, so the concurrency count means something
            } finally {
                normalRunning.decrementAndGet();
                normalRuns.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet();
                runs.add(new Run(ctx.taskId(), ctx.attempt(), start, System.nanoTime()));
            }
        });
    }

    @AfterEach
    void tearDown() {
        released.add(1);
        released.add(2);
        if (dispatcher != null) {
            dispatcher.stop(Duration.ofSeconds(5));
        }
        executor.shutdownNow();
        scheduler.shutdownNow();
        db.close();
    }

    void startDispatcher() {
        WorkerSettings settings = WorkerSettings.defaults().withRetryBase(Duration.ofMillis(20))
                .withAbandonAfter(Duration.ofMillis(300)).withShutdownTimeout(Duration.ofSeconds(2));
        dispatcher = new QueueDispatcher("q", THREADS, settings, store, TaskRegistry.of(handlers), executor, scheduler, "me/q");
        dispatcher.start();
    }

    Task pushPoison(String handler) {
        return store.insert(List.of(TaskRequest.of(handler).queue("q").maxAttempts(2).timeout(TIMEOUT))).get(0);
    }

    List<Task> pushNormal(int count) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(TaskRequest.of("normal").queue("q").maxAttempts(1));
        }
        return store.insert(requests);
    }

    Task stored(Task task) {
        return store.get(task.id()).orElseThrow();
    }

    /** A loop that burns its thread and looks at nothing kafru can set: not the interrupt, not the cancel flag. */
    TaskHandler busyLoop() {
        return ctx -> {
            long start = System.nanoTime();
            long spins = 0;
            while (!released.contains(ctx.attempt())) { // the test's way to end it; kafru has none
                spins++;
            }
            runs.add(new Run(ctx.taskId(), ctx.attempt(), start, System.nanoTime() + (spins & 0)));
        };
    }

    /**
     * A read from a server that accepts and never writes, with no time-out: an interrupt does not
     * end a blocking socket read. Only the server closing its side ({@code hangUp}) ends it.
     */
    TaskHandler socketRead(ServerSocket server, Map<Integer, Socket> accepted) {
        return ctx -> {
            long start = System.nanoTime();
            try (Socket socket = new Socket(server.getInetAddress(), server.getLocalPort())) {
                InputStream in = socket.getInputStream();
                await().atMost(Duration.ofSeconds(10)).until(() -> accepted.size() >= ctx.attempt());
                int read = in.read(); // blocks: no SO_TIMEOUT, nothing is ever written
                runs.add(new Run(ctx.taskId(), ctx.attempt(), start, System.nanoTime() + (read & 0)));
            }
        };
    }

    @Test
    void aBusyLoopDeafToInterruptsIsAbandonedHoldsOneSlotUntilItReturnsAndEndsErrorAfterTwoAttempts() {
        handlers.put("spin", busyLoop());
        poisonRunBesideNormalTasks("spin", released::add);
    }

    @Test
    void aSocketReadThatNeverReturnsIsAbandonedHoldsOneSlotUntilItReturnsAndEndsErrorAfterTwoAttempts() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Map<Integer, Socket> accepted = new ConcurrentHashMap<>();
            Thread acceptor = new Thread(() -> {
                try {
                    for (int attempt = 1; attempt <= 2; attempt++) {
                        accepted.put(attempt, server.accept()); // accepted, and never written to
                    }
                } catch (IOException e) {
                    // the server closed at the end of the test
                }
            }, "never-writes");
            acceptor.setDaemon(true);
            acceptor.start();
            handlers.put("read", socketRead(server, accepted));
            poisonRunBesideNormalTasks("read", attempt -> {
                try {
                    accepted.get(attempt).close(); // end of stream: the blocked read returns -1
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            accepted.values().forEach(s -> {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            });
        }
    }

    /**
     * The poison task's first attempt times out and is abandoned; while its thread is out, the normal
     * tasks all run on the other threads (never more than THREADS - 1 at once), and the poison task
     * is not run again. Once that thread returns ({@code letReturn}), the retry runs, times out, is
     * abandoned on its last attempt and ends Error at once, its slot still busy until it returns too.
     */
    void poisonRunBesideNormalTasks(String handler, IntConsumer letReturn) {
        Task poison = pushPoison(handler);
        startDispatcher();
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.watchedDeadlines() == 1); // running, watched
        // past its time-out and its grace: abandoned, its retry held while the thread is out
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.watchedDeadlines() == 0);
        List<Task> normal = pushNormal(NORMAL);
        dispatcher.wake();
        await().atMost(Duration.ofSeconds(30)).until(() -> normalRuns.size() == NORMAL);
        assertTrue(mostNormalAtOnce.get() <= THREADS - 1, "the abandoned thread is not free: at most " + (THREADS - 1)
                + " normal tasks at once, saw " + mostNormalAtOnce.get());
        assertEquals(THREADS - 1, mostNormalAtOnce.get(), "the other threads were all used");
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.runningCount() == 1);
        Task held = stored(poison);
        assertEquals(TaskStatus.InProgress, held.status(), "not run again while its first run may still be at work");
        assertEquals(1, held.attempts());
        assertTrue(runs.stream().noneMatch(r -> r.taskId().equals(poison.id())), "its handler has not returned");
        assertTrue(held.message() != null && held.message().startsWith("timed out after PT0.3S and abandoned: its thread '")
                && held.message().contains("on me/q has not returned"), "the task says why it is still InProgress: " + held.message());

        letReturn.accept(1);
        await().atMost(Duration.ofSeconds(15)).until(() -> stored(poison).status() == TaskStatus.Error);
        Task failed = stored(poison);
        assertEquals("timed out after PT0.3S", failed.message());
        assertEquals(2, failed.attempts());
        assertEquals(List.of(1, 2), failed.failures().stream().map(TaskFailure::attempt).toList());
        assertTrue(failed.failures().stream().allMatch(f -> f.exception().equals(TaskExecution.TIMED_OUT)
                && f.message().equals("timed out after PT0.3S")), failed.failures().toString());
        // the second attempt ended Error while its thread is still out: that slot is still busy
        assertEquals(1, dispatcher.runningCount());
        letReturn.accept(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> dispatcher.runningCount() == 0);
        assertEquals(TaskStatus.Error, stored(poison).status(), "the late return writes nothing over the Error");

        List<Run> poisonRuns = runs.stream().filter(r -> r.taskId().equals(poison.id())).toList();
        assertEquals(2, poisonRuns.size(), poisonRuns.toString());
        assertTrue(poisonRuns.get(0).end() <= poisonRuns.get(1).start(), "its two runs never overlapped: " + poisonRuns);
        assertNormalTasksEachCompletedOnce(normal);
    }

    @Test
    void aStackOverflowErrorFailsEachAttemptReadablyAndTheQueueGoesOn() {
        handlers.put("deep", ctx -> {
            long start = System.nanoTime();
            try {
                recurse(0);
            } finally {
                runs.add(new Run(ctx.taskId(), ctx.attempt(), start, System.nanoTime()));
            }
        });
        List<Task> normal = pushNormal(NORMAL / 2);
        Task poison = pushPoison("deep");
        normal = new ArrayList<>(normal);
        normal.addAll(pushNormal(NORMAL / 2));
        startDispatcher();
        await().atMost(Duration.ofSeconds(30)).until(() -> stored(poison).status() == TaskStatus.Error
                && normalRuns.size() == NORMAL);
        Task failed = stored(poison);
        assertEquals("java.lang.StackOverflowError", failed.message());
        assertEquals(2, failed.attempts());
        assertEquals(List.of(1, 2), failed.failures().stream().map(TaskFailure::attempt).toList());
        assertTrue(failed.failures().stream().allMatch(f -> f.exception().equals("java.lang.StackOverflowError")
                && f.stackTrace().contains("recurse")), failed.failures().toString());
        await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.runningCount() == 0);
        assertEquals(THREADS, mostNormalAtOnce.get(), "every thread was free again for normal tasks");
        assertNormalTasksEachCompletedOnce(normal);
    }

    static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }

    void assertNormalTasksEachCompletedOnce(List<Task> normal) {
        await().atMost(Duration.ofSeconds(10)).until(() -> normal.stream().allMatch(t -> stored(t).status() == TaskStatus.Completed));
        for (Task t : normal) {
            assertEquals(1, normalRuns.get(t.id()).get(), "runs of " + t.id());
            assertEquals(1, stored(t).attempts(), "attempts of " + t.id());
        }
    }
    /**
     * Tagged small-heap: surefire runs it alone in a JVM with -Xmx256m (see pom.xml), so the heap
     * fills in a moment and nothing else shares that JVM.
     */
    @Nested
    @Tag("small-heap")
    class OutOfMemory {

        /** Chunks kept by one attempt: a bound far above the 256 MiB heap, far below a default one. */
        static final int MAX_CHUNKS = 1024;

        @Test
        void aHandlerThatFillsTheHeapFailsEachAttemptWithOutOfMemoryErrorAndEveryOtherTaskRunsOnce() {
            AtomicInteger hogRuns = new AtomicInteger();
            handlers.put("hog", ctx -> {
                hogRuns.incrementAndGet();
                List<byte[]> keep = new ArrayList<>();
                while (keep.size() < MAX_CHUNKS) {
                    keep.add(new byte[1 << 20]); // catches nothing: the OutOfMemoryError leaves the handler
                }
            });
            List<Task> normal = new ArrayList<>(pushNormal(NORMAL));
            // no time-out: filling the heap takes a moment, longer than TIMEOUT on a busy machine (it then ended "timed out")
            Task poison = store.insert(List.of(TaskRequest.of("hog").queue("q").maxAttempts(2))).get(0);
            normal.addAll(pushNormal(NORMAL));
            startDispatcher();
            await().atMost(Duration.ofSeconds(60)).until(() -> stored(poison).status() == TaskStatus.Error
                    && normalRuns.size() == 2 * NORMAL);
            Task failed = stored(poison);
            assertEquals("Java heap space", failed.message());
            assertEquals(2, failed.attempts());
            assertEquals(2, hogRuns.get());
            assertEquals(List.of(1, 2), failed.failures().stream().map(TaskFailure::attempt).toList());
            assertTrue(failed.failures().stream().allMatch(f -> f.exception().equals("java.lang.OutOfMemoryError")),
                    failed.failures().toString());
            await().atMost(Duration.ofSeconds(5)).until(() -> dispatcher.runningCount() == 0);
            // the dispatcher outlived the OutOfMemoryErrors: tasks pushed now run too
            normal.addAll(pushNormal(NORMAL));
            dispatcher.wake();
            await().atMost(Duration.ofSeconds(30)).until(() -> normalRuns.size() == 3 * NORMAL);
            assertNormalTasksEachCompletedOnce(normal);
        }
    }
}
