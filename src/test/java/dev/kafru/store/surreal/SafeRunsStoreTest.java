package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskFailure;
import dev.kafru.TaskFilter;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.Outcome;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the store keeps for safe runs: failed attempts, unique keys, cancels, claims by handler. */
class SafeRunsStoreTest {

    RpcSurrealConnection db;
    SurrealTaskRepository store;

    @BeforeEach
    void open() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static TaskFailure failure(int attempt, String message) {
        return new TaskFailure(attempt, Instant.now(), "server-a/q", "java.lang.IllegalStateException", message,
                "java.lang.IllegalStateException: " + message + "\n\tat Handler.run(Handler.java:1)\n" + "x".repeat(9000));
    }

    @Test
    void everyFailedAttemptIsKeptWithItsClassMessageBoundedStackTimeAndServerOnRowsAndUnitMembers() {
        Task single = store.insert(List.of(TaskRequest.of("h").queue("q").maxAttempts(3))).get(0);
        List<TaskRequest> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(TaskRequest.of("h").queue("q").priority(-1));
        }
        List<Task> members = store.insert(many);
        List<Task> claimed = store.claim("q", "a/q", 10, Duration.ofSeconds(30));
        assertEquals(6, claimed.size());
        store.finish("a/q", List.of(
                Outcome.retry(single.id(), "q", "boom 1", Duration.ZERO).with(failure(1, "boom 1")),
                Outcome.failed(members.get(0).id(), "member boom").with(failure(1, "member boom")),
                Outcome.completed(members.get(1).id()))).join();
        assertEquals(List.of(single.id()), store.claim("q", "a/q", 10, Duration.ofSeconds(30)).stream().map(Task::id).toList());
        store.finish("a/q", List.of(Outcome.failed(single.id(), "boom 2").with(failure(2, "boom 2")))).join();

        Task row = store.get(single.id()).orElseThrow();
        assertEquals(TaskStatus.Error, row.status());
        assertEquals(List.of(1, 2), row.failures().stream().map(TaskFailure::attempt).toList());
        assertEquals(List.of("boom 1", "boom 2"), row.failures().stream().map(TaskFailure::message).toList());
        TaskFailure last = row.failures().get(1);
        assertEquals("java.lang.IllegalStateException", last.exception());
        assertEquals("server-a/q", last.server());
        assertTrue(last.stackTrace().startsWith("java.lang.IllegalStateException: boom 2"), last.stackTrace());
        assertTrue(last.stackTrace().length() <= TaskFailure.STACK_LIMIT, "bounded: " + last.stackTrace().length());

        Task member = store.get(members.get(0).id()).orElseThrow();
        assertEquals(TaskStatus.Error, member.status());
        assertEquals(List.of("member boom"), member.failures().stream().map(TaskFailure::message).toList());
        assertEquals(List.of(), store.get(members.get(1).id()).orElseThrow().failures(), "a completed member failed never");
        assertTrue(store.list(new TaskFilter(TaskStatus.Error, "q", null, null), 10, 0).stream().allMatch(t -> t.failures().isEmpty()),
                "lists leave the history out (read a task to see it)");
    }

    @Test
    void aLapsedLeaseIsAFailedAttemptInTheHistory() {
        Task row = store.insert(List.of(TaskRequest.of("h").queue("q"))).get(0);
        store.claim("q", "dead/q", 1, Duration.ofMillis(1));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> store.recoverExpiredLeases("q", 10) == 1);
        Task back = store.get(row.id()).orElseThrow();
        assertEquals(TaskStatus.Waiting, back.status());
        assertEquals(1, back.failures().size());
        assertEquals("LeaseLapsed", back.failures().get(0).exception());
        assertEquals("dead/q", back.failures().get(0).server());
        assertNull(back.failures().get(0).stackTrace());
    }

    @Test
    void oneUniqueKeyPushedByTwoServersWithEightThreadsEachAThousandTimesIsOneTaskAndAfterItCompletesANewPushAddsOne() throws Exception {
        RpcSurrealConnection other = RpcSurrealConnection.open(db.settings());
        try {
            SurrealTaskRepository[] servers = {store, new SurrealTaskRepository(other)};
            java.util.Set<String> ids = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.concurrent.atomic.AtomicInteger created = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
            List<java.util.concurrent.Future<?>> work = new ArrayList<>();
            java.util.concurrent.atomic.AtomicInteger pushes = new java.util.concurrent.atomic.AtomicInteger();
            for (int t = 0; t < 16; t++) {
                SurrealTaskRepository server = servers[t % 2];
                work.add(pool.submit(() -> {
                    while (pushes.incrementAndGet() <= 1000) {
                        dev.kafru.Pushed p = server.insertUnique(List.of(TaskRequest.of("h").queue("q").uniqueKey("invoice-42"))).get(0);
                        ids.add(p.task().id());
                        if (p.created()) {
                            created.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (var w : work) {
                w.get();
            }
            pool.shutdown();
            assertEquals(1, created.get(), "one push stored it");
            assertEquals(1, ids.size(), "every push was answered with that task: " + ids);
            assertEquals(1, store.count(new TaskFilter(null, "q", null, null), 100));
            assertEquals(1L, store.counts("q", 0).get(TaskStatus.Waiting));

            String first = ids.iterator().next();
            store.claim("q", "a/q", 1, Duration.ofSeconds(30));
            assertEquals(first, store.insertUnique(List.of(TaskRequest.of("h").queue("q").uniqueKey("invoice-42"))).get(0).task().id(),
                    "held while InProgress");
            store.finish("a/q", List.of(Outcome.completed(first))).join();
            dev.kafru.Pushed again = store.insertUnique(List.of(TaskRequest.of("h").queue("q").uniqueKey("invoice-42"))).get(0);
            assertTrue(again.created(), "free once its task completed");
            assertTrue(!again.task().id().equals(first));
            assertTrue(store.insertUnique(List.of(TaskRequest.of("h").queue("other").uniqueKey("invoice-42"))).get(0).created(),
                    "a key is per queue");
        } finally {
            other.close();
        }
    }

    @Test
    void uniqueForKeepsTheKeyAfterTheTaskFinishedAndOnePushAllAnswersEveryDuplicateWithTheFirst() {
        List<dev.kafru.Pushed> pushed = store.insertUnique(List.of(
                TaskRequest.of("h").queue("q").uniqueKey("a").uniqueFor(Duration.ofHours(1)),
                TaskRequest.of("h").queue("q").uniqueKey("b"),
                TaskRequest.of("h").queue("q").uniqueKey("a")));
        assertEquals(List.of(true, true, false), pushed.stream().map(dev.kafru.Pushed::created).toList());
        assertEquals(pushed.get(0).task().id(), pushed.get(2).task().id());
        assertEquals(2L, store.counts("q", 0).get(TaskStatus.Waiting));
        List<Task> claimed = store.claim("q", "a/q", 10, Duration.ofSeconds(30));
        store.finish("a/q", claimed.stream().map(t -> Outcome.failed(t.id(), "no")).toList()).join();
        List<dev.kafru.Pushed> later = store.insertUnique(List.of(TaskRequest.of("h").queue("q").uniqueKey("a"),
                TaskRequest.of("h").queue("q").uniqueKey("b")));
        assertEquals(false, later.get(0).created(), "a is kept for an hour after its task ended");
        assertEquals(TaskStatus.Error, later.get(0).task().status());
        assertEquals("a", later.get(0).task().uniqueKey());
        assertEquals(true, later.get(1).created(), "b had no uniqueFor");
        assertEquals(2, ((List<?>) db.query("SELECT * FROM kafru_unique", java.util.Map.of()).get(0)).size());
        assertEquals(2, store.deleteFinished("q", TaskStatus.Error, Instant.now().plusSeconds(1), 100));
        assertEquals(List.of(later.get(1).task().id()),
                ((List<?>) db.query("SELECT VALUE record::id(task) FROM kafru_unique", java.util.Map.of()).get(0)),
                "retention deletes the keys of the tasks it deletes, and only those");
    }

    @Test
    void aCancelledWaitingTaskRowOrUnitMemberIsNeverClaimedAndIsCountedAsCancelled() {
        Task row = store.insert(List.of(TaskRequest.of("h").queue("q"))).get(0);
        List<TaskRequest> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(TaskRequest.of("h").queue("q").priority(-1));
        }
        List<Task> members = store.insert(many);
        Task cancelled = store.cancelWaiting(row.id(), "cancelled by alice").orElseThrow();
        assertEquals(TaskStatus.Cancelled, cancelled.status());
        assertEquals("cancelled by alice", cancelled.message());
        assertEquals(TaskStatus.Cancelled, store.cancelWaiting(members.get(2).id(), "cancelled").orElseThrow().status());
        assertTrue(store.cancelWaiting(row.id(), "again").isEmpty(), "a task no longer Waiting is left alone");
        List<String> claimed = store.claim("q", "a/q", 10, Duration.ofSeconds(30)).stream().map(Task::id).toList();
        assertEquals(4, claimed.size());
        assertTrue(!claimed.contains(row.id()) && !claimed.contains(members.get(2).id()), "cancelled tasks never run: " + claimed);
        assertTrue(store.cancelWaiting(members.get(0).id(), "late").isEmpty(), "a claimed member is not Waiting");
        java.util.Map<TaskStatus, Long> counts = store.counts("q", 0);
        assertEquals(2L, counts.get(TaskStatus.Cancelled));
        assertEquals(4L, counts.get(TaskStatus.InProgress));
        assertEquals(0L, counts.get(TaskStatus.Waiting));
        assertEquals(2, store.count(new TaskFilter(TaskStatus.Cancelled, "q", null, null), 100));
        store.finish("a/q", List.of(new Outcome(members.get(0).id(), "q", TaskStatus.Cancelled, "cancelled by bob", null))).join();
        assertEquals(TaskStatus.Cancelled, store.get(members.get(0).id()).orElseThrow().status(), "a running member ends Cancelled");
        store.foldCounts(Duration.ZERO, 1000);
        assertEquals(3L, store.counts("q", 0).get(TaskStatus.Cancelled), "and counts follow, also once folded");
        assertEquals(3, store.deleteFinished("q", TaskStatus.Cancelled, Instant.now().plusSeconds(1), 100));
        assertEquals(0L, store.counts("q", 0).get(TaskStatus.Cancelled));
    }
}
