package dev.kafru.worker;

import dev.kafru.Batch;
import dev.kafru.InvalidTaskException;
import dev.kafru.Task;
import dev.kafru.TaskFailedPermanently;
import dev.kafru.TaskHandler;
import dev.kafru.TaskLink;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.Subscription;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chains and batches on the real engine, with two dispatchers on two connections (two servers) on
 * one queue: a follower is pushed once, by the transaction that ends its parent; a batch's
 * completion task is pushed once, after every member ended, whichever server ended the last.
 */
class ChainsAndBatchesTest {

    RpcSurrealConnection db1;
    RpcSurrealConnection db2;
    SurrealTaskRepository store1;
    SurrealTaskRepository store2;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    QueueDispatcher server1;
    QueueDispatcher server2;
    final List<Subscription> wakeUps = new ArrayList<>();

    /** Every run: handler, task id, start and end (nanoTime), what it saw. */
    record Run(String handler, String id, long start, long end, Object seen) {
    }

    final ConcurrentLinkedQueue<Run> runs = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();

    @BeforeEach
    void setUp() {
        dev.kafru.surrealdb.SurrealSettings database = SurrealLauncher.shared().freshDatabase();
        db1 = RpcSurrealConnection.open(database);
        db2 = RpcSurrealConnection.open(database);
        Schema.apply(db1);
        store1 = new SurrealTaskRepository(db1);
        store2 = new SurrealTaskRepository(db2);
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        Map<String, TaskHandler> handlers = new HashMap<>();
        handlers.put("make", ctx -> record(ctx.handler(), ctx.taskId(), () -> {
            ctx.result(Map.of("made", ctx.parameters().get("n")));
            return null;
        }));
        handlers.put("use", ctx -> record(ctx.handler(), ctx.taskId(), ctx::parentResult));
        handlers.put("alert", ctx -> record(ctx.handler(), ctx.taskId(), ctx::parentId));
        handlers.put("fail", ctx -> record(ctx.handler(), ctx.taskId(), () -> {
            throw new TaskFailedPermanently("no good");
        }));
        handlers.put("member", ctx -> record(ctx.handler(), ctx.taskId(), () -> {
            AtomicInteger left = failuresLeft.get(ctx.taskId());
            if (left != null && left.getAndDecrement() > 0) {
                throw new IllegalStateException("fails once");
            }
            return null;
        }));
        handlers.put("report", ctx -> record(ctx.handler(), ctx.taskId(), () -> store1.batch(ctx.batchId()).orElseThrow()));
        WorkerSettings settings = WorkerSettings.builder().retryBase(Duration.ofMillis(10)).retryMax(Duration.ofMillis(20)).build();
        server1 = new QueueDispatcher("q", 4, settings, store1, TaskRegistry.of(handlers), executor, scheduler, "s1/q");
        server2 = new QueueDispatcher("q", 4, settings, store2, TaskRegistry.of(handlers), executor, scheduler, "s2/q");
        server1.start();
        server2.start();
        // as Workers does: a signal (a push, a follower or a batch's completion task pushed by an
        // ending transaction) wakes each server's dispatcher instead of its 15 s poll
        wakeUps.add(store1.onSignal(signal -> wakeOn(server1, signal)));
        wakeUps.add(store2.onSignal(signal -> wakeOn(server2, signal)));
    }

    private static void wakeOn(QueueDispatcher server, dev.kafru.store.Signal signal) {
        if (signal.wake() && signal.queue().equals("q")) {
            server.wakeDueAt(signal.earliest());
        }
    }

    private interface Work {
        Object get() throws Exception;
    }

    private void record(String handler, String id, Work work) throws Exception {
        long start = System.nanoTime();
        Object seen = null;
        try {
            seen = work.get();
        } finally {
            runs.add(new Run(handler, id, start, System.nanoTime(), seen));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Subscription wakeUp : wakeUps) {
            wakeUp.close();
        }
        server1.stop(Duration.ofSeconds(5));
        server2.stop(Duration.ofSeconds(5));
        executor.shutdownNow();
        scheduler.shutdownNow();
        db1.close();
        db2.close();
    }

    private Task finished(String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> store1.get(id).map(t -> t.status().finished()).orElse(false));
        return store1.get(id).orElseThrow();
    }

    private List<Run> runsOf(String handler) {
        return runs.stream().filter(r -> r.handler().equals(handler)).toList();
    }

    private void wake() {
        server1.wake();
        server2.wake();
    }

    @Test
    void aThenFollowerRunsOnceWithItsParentsResultAndTheFailureFollowerIsNeverPushed() {
        Task a = store1.insert(List.of(TaskRequest.of("make").queue("q").parameters(Map.of("n", 7L))
                .then(TaskRequest.of("use").queue("q")).onFailure(TaskRequest.of("alert").queue("q")))).get(0);
        wake();
        finished(a.id());
        await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("use").size() == 1);
        List<TaskLink> children = store1.children(a.id());
        assertEquals(2, children.size());
        TaskLink then = children.stream().filter(c -> c.on().equals("Completed")).findFirst().orElseThrow();
        TaskLink onFailure = children.stream().filter(c -> c.on().equals("Failed")).findFirst().orElseThrow();
        assertNotNull(then.pushedAt());
        assertNull(onFailure.pushedAt(), "a completed parent never pushes its failure follower");
        assertTrue(store1.get(onFailure.id()).isEmpty());
        Task b = finished(then.id());
        assertEquals(TaskStatus.Completed, b.status());
        assertEquals(a.id(), b.parent(), "the follower names its parent");
        assertEquals(Map.of("made", 7L), runsOf("use").get(0).seen(), "the follower read its parent's result");
        assertTrue(runsOf("use").get(0).start() > runsOf("make").get(0).end(), "after its parent, not beside it");
        Duration after = Duration.ofNanos(runsOf("use").get(0).start() - runsOf("make").get(0).end());
        assertTrue(after.compareTo(Duration.ofSeconds(5)) < 0,
                "the follower's signal woke a server, it did not wait for the 15 s poll: started " + after.toMillis() + " ms after its parent");
        assertEquals(1, runsOf("make").size());
        assertTrue(runsOf("alert").isEmpty());
    }

    @Test
    void aParentThatEndsErrorOrIsCancelledPushesItsFailureFollowerOnceAndNotItsThen() {
        Task failing = store1.insert(List.of(TaskRequest.of("fail").queue("q")
                .then(TaskRequest.of("use").queue("q")).onFailure(TaskRequest.of("alert").queue("q")))).get(0);
        Task cancelled = store1.insert(List.of(TaskRequest.of("make").queue("q").runAt(Instant.now().plusSeconds(3600))
                .onFailure(TaskRequest.of("alert").queue("q")))).get(0);
        assertTrue(store1.cancelWaiting(cancelled.id(), "not needed").isPresent());
        wake();
        assertEquals(TaskStatus.Error, finished(failing.id()).status());
        await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("alert").size() == 2);
        assertEquals(java.util.Set.of(failing.id(), cancelled.id()),
                java.util.Set.copyOf(runsOf("alert").stream().map(r -> (String) r.seen()).toList()));
        assertTrue(runsOf("use").isEmpty());
        assertEquals(1, store1.children(cancelled.id()).size());
    }

    @Test
    void aTaskWhoseLeaseLapsedOnItsLastAttemptPushesItsFailureFollower() {
        Task a = store1.insert(List.of(TaskRequest.of("make").queue("lapse").maxAttempts(1)
                .onFailure(TaskRequest.of("alert").queue("lapse")))).get(0);
        List<Task> claimed = store2.claim("lapse", "gone/lapse", 1, Duration.ofMillis(1));
        assertEquals(a.id(), claimed.get(0).id());
        await().atMost(Duration.ofSeconds(10)).until(() -> store1.recoverExpiredLeases("lapse", 10) == 1);
        assertEquals(TaskStatus.Error, store1.get(a.id()).orElseThrow().status());
        TaskLink follower = store1.children(a.id()).get(0);
        Task alert = store1.get(follower.id()).orElseThrow();
        assertEquals(TaskStatus.Waiting, alert.status());
        assertEquals(a.id(), alert.parent());
        assertEquals(1L, store1.counts("lapse", 0).get(TaskStatus.Waiting), "the follower is counted as Waiting");
    }

    @Test
    void chainsNestAndEachLevelRunsAfterTheOneBefore() {
        Task a = store1.insert(List.of(TaskRequest.of("make").queue("q").parameters(Map.of("n", 1L))
                .then(TaskRequest.of("make").queue("q").parameters(Map.of("n", 2L))
                        .then(TaskRequest.of("use").queue("q"))))).get(0);
        wake();
        await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("use").size() == 1);
        assertEquals(Map.of("made", 2L), runsOf("use").get(0).seen());
        assertEquals(2, runsOf("make").size());
        String b = store1.children(a.id()).get(0).id();
        String c = store1.children(b).get(0).id();
        assertEquals(b, store1.get(c).orElseThrow().parent());
    }

    @Test
    void aBatchOnTwoServersPushesItsCompletionTaskOnceAfterEveryMemberEndedWithTheirCounts() {
        List<TaskRequest> members = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            members.add(i % 30 == 7 ? TaskRequest.of("fail").queue("q") : TaskRequest.of("member").queue("q").maxAttempts(3));
        }
        Batch batch = store1.insertBatch(members, TaskRequest.of("report").queue("q"));
        for (int i = 0; i < 300; i += 6) {
            failuresLeft.put(Batch.memberKey(batch.id(), i), new AtomicInteger(1)); // 50 fail once, then complete
        }
        assertEquals(300, batch.total());
        wake();
        await().atMost(Duration.ofSeconds(60)).until(() -> runsOf("report").size() >= 1);
        Batch ended = store1.batch(batch.id()).orElseThrow();
        assertEquals(290, ended.completed());
        assertEquals(10, ended.failed());
        assertEquals(0, ended.cancelled());
        assertNotNull(ended.finishedAt());
        Run report = runsOf("report").get(0);
        long lastMemberEnd = runs.stream().filter(r -> !r.handler().equals("report")).mapToLong(Run::end).max().orElseThrow();
        assertTrue(report.start() > lastMemberEnd, "the completion task ran after every member's end");
        assertEquals(ended.completed(), ((Batch) report.seen()).completed(), "it read the final counts");
        Task callback = finished(batch.id());
        assertEquals(batch.id(), callback.batch());
        assertEquals(290 + 50, runsOf("member").size(), "each member ran once, the 50 that failed once twice");
        assertEquals(10, runsOf("fail").size(), "a permanent failure is not retried");
        // nothing ran twice at once, and each member ended once
        Map<String, List<Run>> byTask = new HashMap<>();
        runs.forEach(r -> byTask.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r));
        byTask.forEach((id, list) -> {
            List<Run> sorted = list.stream().sorted(java.util.Comparator.comparingLong(Run::start)).toList();
            for (int i = 1; i < sorted.size(); i++) {
                assertTrue(sorted.get(i).start() > sorted.get(i - 1).end(), "task " + id + " ran twice at once");
            }
        });
        assertEquals(1, runsOf("report").size(), "pushed once");
        assertEquals(300, store1.batchMembers(batch.id(), 1000, 0).size());
        // a failed member retried through the API leaves "failed" and counts where it ends next; the
        // servers hear of the retries only when woken below, so that the counts can be read between
        for (Subscription wakeUp : wakeUps) {
            wakeUp.close();
        }
        String failedMember = Batch.memberKey(batch.id(), 7);
        assertTrue(store1.retry(failedMember).isPresent());
        assertEquals(9, store1.batch(batch.id()).orElseThrow().failed());
        assertEquals(9, store1.retryFailed("q", Instant.now(), 100));
        assertEquals(0, store1.batch(batch.id()).orElseThrow().failed());
        wake();
        await().atMost(Duration.ofSeconds(30)).until(() -> store1.batch(batch.id()).orElseThrow().failed() == 10);
        assertEquals(290, store1.batch(batch.id()).orElseThrow().completed());
        assertEquals(1, runsOf("report").size(), "the batch ended once: its completion task is not pushed again");
        assertEquals(Batch.memberKey(batch.id(), 299), store1.batchMembers(batch.id(), 10, 299).get(0).id());
    }

    @Test
    void aMemberRemovedBeforeItRanCountsAsCancelledSoThatTheBatchStillEnds() {
        List<TaskRequest> members = List.of(TaskRequest.of("member").queue("later").runAt(Instant.now().plusSeconds(3600)),
                TaskRequest.of("member").queue("later").runAt(Instant.now().plusSeconds(3600)));
        Batch batch = store1.insertBatch(members, TaskRequest.of("report").queue("later"));
        assertTrue(store1.removeIdle(Batch.memberKey(batch.id(), 0)));
        assertTrue(store1.cancelWaiting(Batch.memberKey(batch.id(), 1), "no").isPresent());
        Batch ended = store1.batch(batch.id()).orElseThrow();
        assertEquals(2, ended.cancelled());
        assertNotNull(ended.finishedAt());
        assertEquals(TaskStatus.Waiting, store1.get(batch.id()).orElseThrow().status(), "its completion task was pushed");

        // retention: kept while young, gone once older than what is kept — the batch, and chain records pushed or orphaned
        Task parent = store1.insert(List.of(TaskRequest.of("make").queue("later").runAt(Instant.now().plusSeconds(3600))
                .then(TaskRequest.of("use").queue("later")).onFailure(TaskRequest.of("alert").queue("later")))).get(0);
        store1.cancelWaiting(parent.id(), "no");
        assertEquals(0, store1.forgetFollowers(Instant.now().minusSeconds(3600), 100), "nothing is old enough");
        assertEquals(2, store1.children(parent.id()).size());
        assertEquals(2, store1.forgetFollowers(Instant.now().plusSeconds(1), 100), "the batch and the pushed chain record");
        assertTrue(store1.batch(batch.id()).isEmpty());
        assertEquals(1, store1.children(parent.id()).size(), "the record of a parent still there that was not pushed is kept");
        assertTrue(store1.remove(parent.id()));
        assertEquals(1, store1.forgetFollowers(Instant.now().plusSeconds(1), 100), "its parent is gone: nothing can push it");
        assertTrue(store1.children(parent.id()).isEmpty());
    }

    @Test
    void aBatchIsStoredAllOrNone() {
        List<TaskRequest> members = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            members.add(TaskRequest.of("member").queue("none"));
        }
        // member 25's key is taken: the batch's transaction fails, and nothing of it stays
        String key = "abcdefghij0123456789";
        store1.insertAsync(List.of(TaskRequest.of("member").queue("none")), List.of(Batch.memberKey(key, 25))).join();
        assertThrows(RuntimeException.class, () -> store1.insertBatch(members, TaskRequest.of("report").queue("none"), key));
        assertEquals(1L, store1.counts("none", 0).get(TaskStatus.Waiting), "no member of the failed batch was stored");
        assertTrue(store1.batch(key).isEmpty(), "nor the batch");
        assertTrue(store1.get(Batch.memberKey(key, 0)).isEmpty());
    }

    @Test
    void aTaskAlreadyStoredTakesFollowersUntilItEndsAndOneThatCompletedPushesItsThenAtOnce() {
        Task later = store1.insert(List.of(TaskRequest.of("make").queue("q").parameters(Map.of("n", 3L))
                .runAt(Instant.now().plusMillis(300)))).get(0);
        TaskLink follower = store1.chain(later.id(), TaskRequest.of("use").queue("q"), false).orElseThrow();
        assertNull(follower.pushedAt(), "its parent waits: the follower waits for it");
        assertEquals(List.of(follower), store1.children(later.id()));
        wake();
        await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("use").size() == 1);
        assertEquals(Map.of("made", 3L), runsOf("use").get(0).seen(), "it read its parent's result");
        assertEquals(later.id(), store1.get(follower.id()).orElseThrow().parent());

        // the parent completed already: a then is pushed at once, an onFailure is refused (it would never run)
        TaskLink now = store1.chain(later.id(), TaskRequest.of("alert").queue("q"), false).orElseThrow();
        assertNotNull(now.pushedAt());
        await().atMost(Duration.ofSeconds(30)).until(() -> runsOf("alert").size() == 1);
        IllegalStateException never = assertThrows(IllegalStateException.class,
                () -> store1.chain(later.id(), TaskRequest.of("alert").queue("q"), true));
        assertTrue(never.getMessage().contains("already ended Completed"), never.getMessage());
        assertEquals(2, store1.children(later.id()).size(), "the refused follower was not stored");
        assertTrue(store1.chain("no-such-task", TaskRequest.of("use").queue("q"), false).isEmpty());

        // a member of a push unit: Waiting, it leaves its unit as a row and takes the follower; ended inside it, refused
        List<TaskRequest> unit = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            unit.add(TaskRequest.of("make").queue("units").parameters(Map.of("n", (long) i)));
        }
        List<Task> members = store1.insert(unit);
        assertTrue(members.get(2).id().contains("-"), "stored as a unit");
        TaskLink afterMember = store1.chain(members.get(2).id(), TaskRequest.of("use").queue("units"), true).orElseThrow();
        assertNull(afterMember.pushedAt());
        assertTrue(store1.cancelWaiting(members.get(2).id(), "no").isPresent());
        assertEquals(TaskStatus.Waiting, store1.get(afterMember.id()).orElseThrow().status(), "its cancel pushed the follower");
        List<Task> claimed = store1.claim("units", "s1/units", 5, Duration.ofSeconds(30));
        store1.finish("s1/units", claimed.stream().map(t -> dev.kafru.store.Outcome.completed(t.id())).toList()).join();
        String completedMember = claimed.stream().map(Task::id).filter(id -> id.contains("-")).findFirst().orElseThrow();
        IllegalStateException inUnit = assertThrows(IllegalStateException.class,
                () -> store1.chain(completedMember, TaskRequest.of("use").queue("units"), false));
        assertTrue(inUnit.getMessage().contains("inside the push unit"), inUnit.getMessage());
    }

    @Test
    void badChainsAreRefusedNamingTheField() {
        InvalidTaskException deep = assertThrows(InvalidTaskException.class, () -> TaskRequest.of("make")
                .then(TaskRequest.of("use").then(TaskRequest.of("bad handler"))).validate());
        assertEquals("then[0].then[0].handler", deep.field());
        assertThrows(InvalidTaskException.class, () -> TaskRequest.of("make").then(null));
        TaskRequest wide = TaskRequest.of("make");
        for (int i = 0; i <= TaskRequest.CHAIN_LIMIT; i++) {
            wide.then(TaskRequest.of("use"));
        }
        assertEquals("then", assertThrows(InvalidTaskException.class, wide::validate).field());
        assertEquals("uniqueKey", assertThrows(InvalidTaskException.class,
                () -> TaskRequest.of("make").uniqueKey("k").then(TaskRequest.of("use")).validate()).field());
    }
}
