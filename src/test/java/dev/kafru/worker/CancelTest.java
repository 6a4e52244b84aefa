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

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A running task's cancel: interrupted on the server that runs it, it ends Cancelled and runs no more. */
class CancelTest {

    RpcSurrealConnection db;
    SurrealTaskRepository store;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    QueueDispatcher dispatcher;

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
        if (dispatcher != null) {
            dispatcher.stop(Duration.ofSeconds(5));
        }
        executor.shutdownNow();
        scheduler.shutdownNow();
        db.close();
    }

    @Test
    void aRunningTaskIsInterruptedEndsCancelledAndIsNotRetried() {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        TaskHandler slow = ctx -> {
            runs.incrementAndGet();
            started.countDown();
            try {
                new CountDownLatch(1).await(); // until interrupted
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
        };
        dispatcher = new QueueDispatcher("q", 2, WorkerSettings.defaults(), store, TaskRegistry.of(Map.of("slow", slow)),
                executor, scheduler, "me/q");
        dispatcher.start();
        Task task = store.insert(List.of(TaskRequest.of("slow").queue("q").maxAttempts(5))).get(0);
        dispatcher.wake();
        await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
        assertTrue(dispatcher.cancel(task.id(), "cancelled by alice"));
        await().atMost(Duration.ofSeconds(10)).until(() -> store.get(task.id()).orElseThrow().status() == TaskStatus.Cancelled);
        Task done = store.get(task.id()).orElseThrow();
        assertEquals("cancelled by alice", done.message());
        assertEquals(1, interrupted.get(), "the handler was interrupted");
        assertEquals(1, runs.get(), "and not run again, though it had attempts left");
        assertEquals(1L, store.counts("q", 0).get(TaskStatus.Cancelled));
        assertEquals(0L, store.counts("q", 0).get(TaskStatus.InProgress));
    }
}
