package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.Claimed;
import dev.kafru.store.Outcome;
import dev.kafru.store.Signal;
import dev.kafru.store.TaskRepository;
import dev.kafru.surrealdb.LiveNotification;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.surrealdb.SurrealException;
import dev.kafru.testing.MapConfig;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.Retention;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The store's bookkeeping around the claim: signals, queue names, capped counts, retention. */
class SurrealTaskRepositoryTest {

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

    private List<TaskRequest> requests(int n, String queue) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("h").queue(queue));
        }
        return requests;
    }

    private static List<String> ids(List<Task> tasks) {
        return tasks.stream().map(Task::id).toList();
    }

    private List<?> unitRows() {
        return (List<?>) db.query("SELECT id, queue, rank, n, next, done, completed, status FROM kafru_queues WHERE unit = true"
                + " ORDER BY queue, rank", Map.of()).get(0);
    }

    private long rowsOf(String table) {
        return ((List<?>) db.query("SELECT VALUE id FROM type::table($t)", Map.of("t", table)).get(0)).size();
    }

    private static Map<TaskStatus, Long> counts(long w, long p, long c, long e) {
        return Map.of(TaskStatus.Waiting, w, TaskStatus.InProgress, p, TaskStatus.Completed, c, TaskStatus.Error, e, TaskStatus.Cancelled, 0L);
    }

    @Test
    void aPushStoresTheTasksOfOneQueuePriorityAndDueTimeAsOneUnitAndAFewAsRows() {
        Instant later = Instant.now().plusSeconds(60);
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            requests.add(TaskRequest.of("h").queue("big").name("n" + i).parameters(Map.of("i", (long) i)));
        }
        for (int i = 0; i < 35; i++) {
            requests.add(TaskRequest.of("h").queue("big").priority(3));
        }
        requests.addAll(requests(Units.AT_LEAST - 1, "few"));
        for (int i = 0; i < 50; i++) {
            requests.add(TaskRequest.of("h").queue("later").runAt(later));
        }
        List<Task> pushed = store.insert(requests);
        List<?> units = unitRows();
        assertEquals(3, units.size(), "a unit per queue, priority and due time: " + units);
        assertEquals(List.of(35L, 40L, 50L), units.stream().map(u -> ((Map<?, ?>) u).get("n")).sorted().toList());
        assertEquals(3, rowsOf("kafru_payloads"), "one payload per unit");
        assertEquals(3 + Units.AT_LEAST - 1, rowsOf("kafru_queues"), "three units and the few as rows");
        for (int i = 0; i < requests.size(); i++) {
            Task read = store.get(pushed.get(i).id()).orElseThrow();
            assertEquals(List.of(requests.get(i).queue(), requests.get(i).name(), requests.get(i).priority(), requests.get(i).parameters(),
                    TaskStatus.Waiting), List.of(read.queue(), read.name(), read.priority(), read.parameters(), read.status()), "task " + i);
        }
        assertEquals(later, store.get(pushed.get(requests.size() - 1).id()).orElseThrow().runAt());
        assertTrue(pushed.get(0).id().matches("[a-z0-9]{20}-0"), pushed.get(0).id());
        assertEquals(Optional.empty(), store.get(pushed.get(0).id().substring(0, 20)), "a unit is not a task");
        assertEquals(counts(75, 0, 0, 0), store.counts("big", 0));
        assertEquals(counts(50, 0, 0, 0), store.counts("later", 0));
    }

    @Test
    void twoClaimersTakeDifferentSlotsOfUnitsInPushOrder() {
        List<List<Task>> pushes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pushes.add(store.insert(requests(100, "flood")));
        }
        ClaimFloors a = new ClaimFloors();
        ClaimFloors b = new ClaimFloors();
        List<Task> first = store.claim("flood", "a/flood", 60, Duration.ofMinutes(1), List.of(), a).tasks();
        List<Task> second = store.claim("flood", "b/flood", 100, Duration.ofMinutes(1), List.of(), b).tasks();
        List<Task> third = store.claim("flood", "a/flood", 100, Duration.ofMinutes(1), List.of(), a).tasks();
        List<String> taken = new ArrayList<>(ids(first));
        taken.addAll(ids(second));
        taken.addAll(ids(third));
        List<String> pushed = pushes.stream().flatMap(p -> ids(p).stream()).toList();
        assertEquals(pushed.subList(0, 260), taken, "slots in push order, each once");
        assertTrue(first.stream().allMatch(t -> t.owner().equals("a/flood")) && second.stream().allMatch(t -> t.owner().equals("b/flood")));
        assertEquals(counts(140, 260, 0, 0), store.counts("flood", 0));
        assertEquals(TaskStatus.InProgress, store.get(second.get(0).id()).orElseThrow().status());
        assertEquals("b/flood", store.get(second.get(0).id()).orElseThrow().owner());
        assertEquals(5, rowsOf("kafru_slices"), "a slice per unit and claim: [0,60); [60,100) and [0,60) of the second; [60,100) and [0,60)");
    }

    @Test
    void aClaimWiderThanFourUnitsTakesThemAllPastAPartlyClaimedHeadInPushOrder() {
        int unit = dev.kafru.KafruQueue.PUSH_STATEMENT_ROWS;
        List<String> pushed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            pushed.addAll(ids(store.insert(requests(unit, "wide"))));
        }
        ClaimFloors floors = new ClaimFloors();
        List<Task> head = store.claim("wide", "a/wide", 10, Duration.ofMinutes(1), List.of(), floors).tasks();
        // the default claim: the rest of the head unit, seven whole units and part of the ninth
        Claimed wide = store.claim("wide", "a/wide", 4000, Duration.ofMinutes(1), List.of(), floors);
        assertEquals(pushed.subList(0, 10), ids(head));
        assertEquals(pushed.subList(10, 4010), ids(wide.tasks()), "every slot once, in push order");
        assertTrue(wide.more(), "the claim came back full: more is due");
        assertEquals(counts(12 * unit - 4010, 4010, 0, 0), store.counts("wide", 0));
        assertEquals(10, rowsOf("kafru_slices"), "a slice per unit and claim: [0,10) and [10,500) of the head, 8 more");
    }

    @Test
    void aClaimInItsLaneStepsOverTheHeadAndComesBackToItWithoutSkippingAPriorityOrATask() {
        List<List<Task>> pushes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            pushes.add(store.insert(requests(100, "lane")));
        }
        List<Task> urgent = store.insert(requests(100, "lane").stream().map(r -> r.priority(5)).toList());
        ClaimFloors floors = new ClaimFloors();
        floors.keepLane(1); // as after a claim that met another's and got through past one unit
        List<Task> first = store.claim("lane", "me/lane", 150, Duration.ofMinutes(1), List.of(), floors).tasks();
        List<String> expected = new ArrayList<>(ids(urgent));
        expected.addAll(ids(pushes.get(0)).subList(0, 50));
        assertEquals(expected, ids(first), "the urgent unit is the only one of its priority: the lane finds nothing past it,"
                + " and the claim reads from the head again instead of taking the next priority's tasks before it");
        assertEquals(0L, floors.lane(), "and leaves the lane");
        floors.keepLane(1);
        List<Task> second = store.claim("lane", "me/lane", 150, Duration.ofMinutes(1), List.of(), floors).tasks();
        expected = new ArrayList<>(ids(pushes.get(1)));
        expected.addAll(ids(pushes.get(2)).subList(0, 50));
        assertEquals(expected, ids(second), "in its lane: past the unit at the head");
        assertEquals(1L, floors.lane());
        for (int i = 1; i < ClaimFloors.LANE_CLAIMS; i++) {
            floors.laneUsed();
        }
        List<Task> third = store.claim("lane", "me/lane", 100, Duration.ofMinutes(1), List.of(), floors).tasks();
        expected = new ArrayList<>(ids(pushes.get(0)).subList(50, 100));
        expected.addAll(ids(pushes.get(2)).subList(50, 100));
        assertEquals(expected, ids(third), "the lane ended: from the head again");
        List<Task> rest = store.claim("lane", "me/lane", 1000, Duration.ofMinutes(1), List.of(), floors).tasks();
        assertEquals(200, rest.size(), "every task is claimed once");
        Set<String> all = new HashSet<>();
        for (List<Task> claimed : List.of(first, second, third, rest)) {
            claimed.forEach(t -> assertTrue(all.add(t.id()), "claimed twice: " + t.id()));
        }
        assertEquals(600, all.size());
        assertEquals(counts(0, 600, 0, 0), store.counts("lane", 0));
    }

    @Test
    void membersReportedCompleteStayInTheirUnitRetriedAndFailedOnesBecomeRowsAndTheUnitEndsDone() {
        List<Task> pushed = store.insert(requests(10, "done"));
        List<Task> claimed = store.claim("done", "me/done", 10, Duration.ofMinutes(1));
        assertEquals(ids(pushed), ids(claimed));
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            outcomes.add(Outcome.completed(claimed.get(i).id()));
        }
        outcomes.add(Outcome.retry(claimed.get(6).id(), "done", "again", Duration.ZERO));
        outcomes.add(Outcome.retry(claimed.get(7).id(), "done", "again", Duration.ofHours(1)));
        outcomes.add(Outcome.failed(claimed.get(8).id(), "boom"));
        store.finish("stranger/done", outcomes).join();
        assertEquals(counts(0, 10, 0, 0), store.counts("done", 0), "a stranger's outcomes change nothing");
        store.finish("me/done", outcomes).join();
        Task completed = store.get(claimed.get(0).id()).orElseThrow();
        assertEquals(List.of(TaskStatus.Completed, "me/done", 1), List.of(completed.status(), completed.owner(), completed.attempts()));
        assertTrue(completed.finishedAt() != null && completed.startedAt() != null, completed.toString());
        Task retried = store.get(claimed.get(6).id()).orElseThrow();
        assertEquals(List.of(TaskStatus.Waiting, "again", 1), List.of(retried.status(), retried.message(), retried.attempts()));
        Task failed = store.get(claimed.get(8).id()).orElseThrow();
        assertEquals(List.of(TaskStatus.Error, "boom", 1), List.of(failed.status(), failed.message(), failed.attempts()));
        assertEquals(counts(2, 1, 6, 1), store.counts("done", 0));
        assertEquals(1, rowsOf("kafru_slices"), "one member is still out");
        store.finish("me/done", List.of(Outcome.completed(claimed.get(9).id()))).join();
        assertEquals(0, rowsOf("kafru_slices"), "the slice closes with its last member");
        assertEquals("Done", ((Map<?, ?>) unitRows().get(0)).get("status"));
        List<Task> again = store.claim("done", "other/done", 10, Duration.ofMinutes(1));
        assertEquals(List.of(claimed.get(6).id()), ids(again), "the retried member is claimed again as a row of its own; the delayed one later");
        assertEquals(2, again.get(0).attempts());
        assertEquals(counts(1, 1, 7, 1), store.counts("done", 0));
    }

    /**
     * The real connection, except that while {@link #loseAnswers} is set a query is carried out and
     * committed and its answer then lost, as when the connection drops before the answer arrives.
     */
    private static final class AnswerLost implements SurrealConnection {
        final SurrealConnection real;
        volatile boolean loseAnswers;

        AnswerLost(SurrealConnection real) {
            this.real = real;
        }

        @Override
        public CompletableFuture<List<Object>> queryAsync(String surql, Map<String, ?> vars) {
            CompletableFuture<List<Object>> answer = real.queryAsync(surql, vars);
            return !loseAnswers ? answer : answer.thenCompose(committed -> CompletableFuture.failedFuture(
                    new SurrealException(SurrealException.Kind.CONNECTION, "connection closed before the answer", null, null)));
        }

        @Override
        public LiveSubscription live(String table, Consumer<LiveNotification> listener) {
            return real.live(table, listener);
        }

        @Override
        public LiveSubscription liveQuery(String liveSelect, Map<String, ?> vars, Consumer<LiveNotification> listener) {
            return real.liveQuery(liveSelect, vars, listener);
        }

        @Override
        public boolean isConnected() {
            return real.isConnected();
        }

        @Override
        public void ping() {
            real.ping();
        }

        @Override
        public void close() {
            real.close();
        }
    }

    @Test
    void aFinishWrittenAgainAfterItsAnswerWasLostCountsItsMembersOnce() {
        AnswerLost lossy = new AnswerLost(db);
        SurrealTaskRepository worker = new SurrealTaskRepository(lossy);
        List<Task> pushed = worker.insert(requests(10, "twice"));
        List<Task> claimed = worker.claim("twice", "me/twice", 10, Duration.ofMinutes(1));
        assertEquals(ids(pushed), ids(claimed));
        List<Outcome> first = claimed.subList(0, 3).stream().map(t -> Outcome.completed(t.id())).toList();
        lossy.loseAnswers = true;
        assertThrows(RuntimeException.class, () -> worker.finish("me/twice", first).join(), "the answer is lost");
        assertThrows(RuntimeException.class, () -> worker.finish("me/twice", first).join(), "and again");
        lossy.loseAnswers = false;
        assertEquals(counts(0, 7, 3, 0), worker.counts("twice", 0), "the lost answers' write was stored, once");
        // the worker writes those outcomes again (OutcomeWriter keeps a failed write's outcomes), with what finished meanwhile
        List<Outcome> again = new ArrayList<>(first);
        claimed.subList(3, 5).forEach(t -> again.add(Outcome.completed(t.id())));
        worker.finish("me/twice", again).join();
        assertEquals(counts(0, 5, 5, 0), worker.counts("twice", 0));
        Map<?, ?> unit = (Map<?, ?>) unitRows().get(0);
        assertEquals(List.of(5L, 5L, "Claimed"), List.of(unit.get("done"), unit.get("completed"), unit.get("status")),
                "five members reported, each counted once: " + unit);
        worker.finish("me/twice", claimed.subList(5, 10).stream().map(t -> Outcome.completed(t.id())).toList()).join();
        unit = (Map<?, ?>) unitRows().get(0);
        assertEquals(List.of(10L, 10L, "Done"), List.of(unit.get("done"), unit.get("completed"), unit.get("status")), unit.toString());
        assertEquals(counts(0, 0, 10, 0), worker.counts("twice", 0));
        assertEquals(0, rowsOf("kafru_slices"), "the slice closed with its last member");
    }

    @Test
    void takingCompletedMembersOutOfTheirUnitDoesNotEndItBeforeItsOtherMembers() {
        List<Task> pushed = store.insert(requests(6, "out"));
        store.insert(requests(1, "out")); // a row, to purge beside the unit's members
        List<Task> claimed = store.claim("out", "me/out", 4, Duration.ofMinutes(1));
        assertEquals(ids(pushed.subList(0, 4)), ids(claimed));
        store.finish("me/out", claimed.stream().map(t -> Outcome.completed(t.id())).toList()).join();
        assertTrue(store.remove(pushed.get(0).id()), "a completed member is removed");
        assertTrue(store.update(pushed.get(1).id(), TaskRequest.of("h").queue("out").name("edited")).isPresent(), "one is edited");
        assertEquals(3L, store.purge(TaskStatus.Completed, "out"), "the other two are purged, and the edited one (a row now)");
        Map<?, ?> unit = (Map<?, ?>) unitRows().get(0);
        assertEquals(List.of(4L, 0L, "Waiting"), List.of(unit.get("done"), unit.get("completed"), unit.get("status")),
                "two members still wait: " + unit);
        List<Task> rest = store.claim("out", "me/out", 10, Duration.ofMinutes(1));
        assertEquals(List.of(pushed.get(4).id(), pushed.get(5).id()), ids(rest).subList(0, 2), "the waiting members are still claimed");
        store.finish("me/out", rest.stream().map(t -> Outcome.completed(t.id())).toList()).join();
        assertEquals("Done", ((Map<?, ?>) unitRows().get(0)).get("status"));
        assertEquals(TaskStatus.Completed, store.get(pushed.get(5).id()).orElseThrow().status());
    }

    @Test
    void aLapsedSliceGivesItsUnreportedMembersBackAsRowsAndItsOwnersLateOutcomesAreDropped() {
        List<TaskRequest> requests = new ArrayList<>(requests(5, "lapse"));
        requests.set(4, TaskRequest.of("h").queue("lapse").maxAttempts(1));
        store.insert(requests.subList(0, 4));
        store.insert(List.of(requests.get(4)));
        List<Task> claimed = store.claim("lapse", "dead/lapse", 5, Duration.ofMillis(100));
        store.finish("dead/lapse", List.of(Outcome.completed(claimed.get(0).id()))).join();
        await().atMost(Duration.ofSeconds(20)).until(() -> store.recoverExpiredLeases("lapse", 10) > 0);
        assertEquals(TaskStatus.Completed, store.get(claimed.get(0).id()).orElseThrow().status(), "a reported member stays done");
        for (int i = 1; i < 4; i++) {
            Task back = store.get(claimed.get(i).id()).orElseThrow();
            assertEquals(List.of(TaskStatus.Waiting, 1), List.of(back.status(), back.attempts()), "member " + i);
            assertTrue(back.message().contains("lease of dead/lapse expired"), back.message());
        }
        assertEquals(TaskStatus.Error, store.get(claimed.get(4).id()).orElseThrow().status(), "its last attempt lapsed");
        assertEquals(counts(3, 0, 1, 1), store.counts("lapse", 0));
        store.finish("dead/lapse", List.of(Outcome.completed(claimed.get(1).id()))).join();
        assertEquals(TaskStatus.Waiting, store.get(claimed.get(1).id()).orElseThrow().status(), "the dead owner's late outcome is dropped");
        assertEquals(3, store.claim("lapse", "alive/lapse", 10, Duration.ofMinutes(1)).size());
        assertEquals(counts(0, 3, 1, 1), store.counts("lapse", 0));
    }

    @Test
    void editingOrRemovingAWaitingMemberTakesItOutOfItsUnitAndARunningOneIsNotRemovedIdle() {
        List<Task> pushed = store.insert(requests(6, "edit"));
        Task edited = store.update(pushed.get(2).id(), TaskRequest.of("h").queue("edit").name("urgent").priority(9)).orElseThrow();
        assertEquals(List.of(pushed.get(2).id(), "urgent", 9, TaskStatus.Waiting), List.of(edited.id(), edited.name(), edited.priority(), edited.status()));
        assertTrue(store.removeIdle(pushed.get(3).id()));
        assertEquals(Optional.empty(), store.get(pushed.get(3).id()));
        assertEquals(counts(5, 0, 0, 0), store.counts("edit", 0));
        List<Task> claimed = store.claim("edit", "me/edit", 10, Duration.ofMinutes(1));
        assertEquals(List.of(pushed.get(2).id(), pushed.get(0).id(), pushed.get(1).id(), pushed.get(4).id(), pushed.get(5).id()), ids(claimed),
                "the edited one first (priority 9), the removed one never");
        assertTrue(!store.removeIdle(pushed.get(4).id()), "a running member is not removed idle");
        assertTrue(store.update(pushed.get(4).id(), TaskRequest.of("h").queue("edit")).isEmpty(), "nor edited");
        assertTrue(store.remove(pushed.get(4).id()));
        assertEquals(counts(0, 4, 0, 0), store.counts("edit", 0));
        store.finish("me/edit", claimed.stream().map(t -> Outcome.completed(t.id())).toList()).join();
        assertEquals(counts(0, 0, 4, 0), store.counts("edit", 0), "a removed member's outcome is not counted");
        assertEquals(Optional.empty(), store.get(pushed.get(4).id()));
    }

    @Test
    void purgingWaitingTasksShortensUnitsAndEmptiesUntouchedOnesAndCountsFollow() {
        store.insert(requests(50, "gone"));
        List<Task> partly = store.insert(requests(50, "gone"));
        store.insert(requests(50, "kept"));
        List<Task> claimed = store.claim("gone", "me/gone", 70, Duration.ofMinutes(1));
        assertEquals(70, claimed.size());
        assertEquals(30L, store.purge(TaskStatus.Waiting, "gone"));
        assertEquals(counts(0, 70, 0, 0), store.counts("gone", 0));
        assertEquals(TaskStatus.InProgress, store.get(partly.get(10).id()).orElseThrow().status());
        assertEquals(Optional.empty(), store.get(partly.get(30).id()));
        assertEquals(counts(50, 0, 0, 0), store.counts("kept", 0));
        store.finish("me/gone", claimed.stream().map(t -> Outcome.completed(t.id())).toList()).join();
        assertEquals(70L, store.purge(TaskStatus.Completed, "gone"));
        assertEquals(counts(0, 0, 0, 0), store.counts("gone", 0));
        assertEquals(50L, store.purge(null, null));
        assertEquals(0, rowsOf("kafru_queues") + rowsOf("kafru_payloads") + rowsOf("kafru_slices"));
    }

    @Test
    void retryingAQueuesFailedTasksPutsThemBackWaitingWithFreshAttemptsInBoundedBatchesAndCountsFollow() {
        List<Task> rows = new ArrayList<>();
        for (TaskRequest request : requests(3, "f")) {
            rows.addAll(store.insert(List.of(request))); // rows, each pushed on its own
        }
        List<Task> unit = store.insert(requests(6, "f"));
        store.insert(List.of(TaskRequest.of("h").queue("other")));
        List<Task> claimed = store.claim("f", "me/f", 9, Duration.ofMinutes(1));
        assertEquals(9, claimed.size());
        List<String> failed = List.of(rows.get(0).id(), rows.get(1).id(), unit.get(1).id(), unit.get(2).id(), unit.get(4).id());
        List<Outcome> outcomes = new ArrayList<>(failed.stream().map(id -> Outcome.failed(id, "boom")).toList());
        outcomes.add(Outcome.completed(rows.get(2).id()));
        outcomes.add(Outcome.completed(unit.get(0).id()));
        store.finish("me/f", outcomes).join();
        Task elsewhere = store.claim("other", "me/other", 1, Duration.ofMinutes(1)).get(0);
        store.finish("me/other", List.of(Outcome.failed(elsewhere.id(), "boom"))).join();
        assertEquals(counts(0, 2, 2, 5), store.counts("f", 0));
        Instant cutoff = Instant.now();
        long signalsBefore = rowsOf("kafru_signals");

        assertEquals(2, store.retryFailed("f", cutoff, 2));
        assertEquals(counts(2, 2, 2, 3), store.counts("f", 0), "counted in the same transaction");
        assertEquals(2, store.retryFailed("f", cutoff, 2));
        assertEquals(1, store.retryFailed("f", cutoff, 2));
        assertEquals(0, store.retryFailed("f", cutoff, 2));
        assertEquals(3, rowsOf("kafru_signals") - signalsBefore, "one signal per batch that retried something");
        for (String id : failed) {
            Task back = store.get(id).orElseThrow();
            assertEquals(List.of(TaskStatus.Waiting, 0), List.of(back.status(), back.attempts()), id);
            assertEquals(null, back.message(), id);
            assertEquals(null, back.finishedAt(), id);
        }
        assertEquals(counts(5, 2, 2, 0), store.counts("f", 0));
        assertEquals(TaskStatus.Error, store.get(elsewhere.id()).orElseThrow().status(), "another queue's failures stay");
        assertEquals(counts(0, 0, 0, 1), store.counts("other", 0));
        assertEquals(TaskStatus.Completed, store.get(unit.get(0).id()).orElseThrow().status());

        List<Task> again = store.claim("f", "me/f", 10, Duration.ofMinutes(1));
        assertEquals(failed.stream().sorted().toList(), ids(again).stream().sorted().toList(), "the retried ones are claimed again");
        assertTrue(again.stream().allMatch(t -> t.attempts() == 1), again.toString());
        store.finish("me/f", List.of(Outcome.failed(again.get(0).id(), "boom again"))).join();
        assertEquals(0, store.retryFailed("f", cutoff, 500), "a task that failed after the cutoff is not retried again");
        assertEquals(1, store.retryFailed("f", Instant.now(), 500));
        while (store.foldCounts(Duration.ZERO, 100) > 0) {
            assertEquals(counts(1, 6, 2, 0), store.counts("f", 0), "the same while folding");
        }
        assertEquals(counts(1, 6, 2, 0), store.counts("f", 0));
    }

    @Test
    void aFloodStillTakesTheHighestPriorityFirst() {
        store.insert(requests(100, "prio"));
        List<TaskRequest> urgent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            urgent.add(TaskRequest.of("h").queue("prio").priority(5));
        }
        List<Task> high = store.insert(urgent);
        List<Task> got = store.claim("prio", "me/prio", 50, Duration.ofMinutes(1), List.of(), new ClaimFloors()).tasks();
        assertEquals(50, got.size());
        assertEquals(ids(high), ids(got.subList(0, 40)), "all 40 of priority 5 before any of priority 0");
        assertTrue(got.subList(40, 50).stream().allMatch(t -> t.priority() == 0));
    }

    @Test
    void whenTheHighestPriorityRunsOutTheNextOneIsTakenInPushOrder() {
        List<TaskRequest> urgent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            urgent.add(TaskRequest.of("h").queue("mixed").priority(5));
        }
        List<Task> high = store.insert(urgent);
        List<Task> low = store.insert(requests(100, "mixed"));
        ClaimFloors floors = new ClaimFloors();
        // a claim from the head: it learns the highest priority and finds a flood (it came back full)
        assertEquals(ids(high.subList(0, 20)), ids(store.claim("mixed", "me/mixed", 20, Duration.ofMinutes(1), List.of(), floors).tasks()));
        assertTrue(floors.flood());
        List<Task> got = store.claim("mixed", "me/mixed", 50, Duration.ofMinutes(1), List.of(), floors).tasks();
        assertEquals(ids(high.subList(20, 40)), ids(got.subList(0, 20)), "the rest of priority 5 first");
        assertEquals(ids(low.subList(0, 30)), ids(got.subList(20, 50)), "then priority 0's unit, in push order");
        assertEquals(counts(70, 70, 0, 0), store.counts("mixed", 0));
    }

    @Test
    void aPushOfManyTasksSignalsOncePerStatementAndQueueNotOncePerTask() throws Exception {
        List<Signal> signals = new CopyOnWriteArrayList<>();
        try (RpcSurrealConnection otherServer = RpcSurrealConnection.open(db.settings());
             var live = new SurrealTaskRepository(otherServer).onSignal(signals::add)) {
            List<TaskRequest> mixed = new ArrayList<>(requests(300, "a"));
            mixed.addAll(requests(200, "b"));
            store.insert(mixed);
            Instant later = Instant.now().plusSeconds(60);
            store.insert(List.of(TaskRequest.of("h").queue("a").runAt(later), TaskRequest.of("h").queue("a").runAt(later.plusSeconds(5))));
            await().atMost(Duration.ofSeconds(10)).until(() -> signals.size() >= 3);
            Thread.sleep(300); // and no more come
            assertEquals(3, signals.size(), String.valueOf(signals));
            assertEquals(new Signal("a", 300, null, true), signals.get(0));
            assertEquals(new Signal("b", 200, null, true), signals.get(1));
            assertEquals("a", signals.get(2).queue());
            assertEquals(2, signals.get(2).created());
            assertEquals(later, signals.get(2).earliest(), "a delayed push says when its first task comes due");
        }
    }

    @Test
    void oldSignalsAreForgottenInBoundedBatchesAndNewOnesKept() {
        store.insert(requests(1, "a"));
        db.query("INSERT INTO kafru_signals $rows RETURN NONE", Map.of("rows", List.of(
                Map.of("queue", "old", "created", 1L, "at", TaskRepository.nanos(Instant.now().minusSeconds(120))),
                Map.of("queue", "old", "created", 1L, "at", TaskRepository.nanos(Instant.now().minusSeconds(90))),
                Map.of("queue", "old", "created", 1L, "at", TaskRepository.nanos(Instant.now().minusSeconds(80))))));
        assertEquals(2, store.forgetSignals(Duration.ofMinutes(1), 2));
        assertEquals(1, store.forgetSignals(Duration.ofMinutes(1), 2));
        assertEquals(0, store.forgetSignals(Duration.ofMinutes(1), 2));
        assertEquals(List.of("a"), db.query("SELECT VALUE queue FROM kafru_signals", Map.of()).get(0));
    }

    @Test
    void queueNamesAreRecordedOnceAndCountsAreExactPastAnyCapAndThroughFolding() {
        store.registerQueues(List.of("a", "b"));
        store.registerQueues(List.of("b", "c"));
        assertEquals(List.of("a", "b", "c"), store.queueNames().stream().sorted().toList());
        for (int from = 0; from < TaskRepository.COUNT_CAP + 300; from += 500) {
            store.insert(requests(Math.min(500, TaskRepository.COUNT_CAP + 300 - from), "big"));
        }
        store.insert(requests(3, "small"));
        store.claim("small", "me/small", 1, Duration.ofMinutes(1));
        assertEquals(TaskRepository.COUNT_CAP + 300, store.waiting("big"), "exact, past the old cap");
        assertEquals(counts(2, 1, 0, 0), store.counts("small", 10));
        assertEquals(3, store.foldCounts(Duration.ZERO, 3), "folded in bounded batches");
        while (store.foldCounts(Duration.ZERO, 5) > 0) {
            assertEquals(TaskRepository.COUNT_CAP + 300, store.waiting("big"), "the same while folding");
        }
        assertEquals(0, rowsOf("kafru_count_deltas"));
        assertEquals(TaskRepository.COUNT_CAP + 300, store.waiting("big"));
        assertEquals(counts(2, 1, 0, 0), store.counts("small", 10));
    }

    @Test
    void retentionDeletesFinishedTasksOlderThanItsAgeAndNothingElse() {
        store.registerQueues(List.of("r"));
        List<Task> tasks = new ArrayList<>();
        for (TaskRequest request : requests(5, "r")) {
            tasks.addAll(store.insert(List.of(request))); // rows, each pushed on its own
        }
        List<Task> claimed = store.claim("r", "me/r", 4, Duration.ofMinutes(1));
        store.finish("me/r", List.of(Outcome.completed(claimed.get(0).id()), Outcome.completed(claimed.get(1).id()),
                Outcome.failed(claimed.get(2).id(), "boom"))).join();
        // two Completed, one Error, one InProgress, one Waiting
        Clock inAnHour = Clock.offset(Clock.systemUTC(), Duration.ofHours(1));
        assertEquals(0, new Retention(store, Optional.of(Duration.ofHours(2)), Optional.of(Duration.ofHours(2)), inAnHour).pass(),
                "finished an hour before: younger than two hours");
        assertEquals(2, new Retention(store, Optional.of(Duration.ofMinutes(30)), Optional.empty(), inAnHour).pass(),
                "Completed over 30 minutes old go; Error kept forever");
        assertEquals(1, new Retention(store, Optional.empty(), Optional.of(Duration.ZERO), Clock.systemUTC()).pass(),
                "0 deletes the Error task at once");
        assertEquals(Map.of(TaskStatus.Waiting, 1L, TaskStatus.InProgress, 1L, TaskStatus.Completed, 0L, TaskStatus.Error, 0L, TaskStatus.Cancelled, 0L),
                store.counts("r", 10));
        Task unclaimed = tasks.stream().filter(t -> claimed.stream().noneMatch(c -> c.id().equals(t.id()))).findFirst().orElseThrow();
        assertEquals(TaskStatus.Waiting, store.get(unclaimed.id()).orElseThrow().status());
        assertEquals(TaskStatus.InProgress, store.get(claimed.get(3).id()).orElseThrow().status());
    }

    @Test
    void retentionDeletesAUnitWithItsPayloadOnceEveryMemberFinishedBeforeTheCutoff() {
        store.registerQueues(List.of("u"));
        List<Task> pushed = store.insert(requests(6, "u"));
        List<Task> claimed = store.claim("u", "me/u", 5, Duration.ofMinutes(1));
        store.finish("me/u", List.of(Outcome.completed(claimed.get(0).id()), Outcome.completed(claimed.get(1).id()),
                Outcome.failed(claimed.get(2).id(), "boom"))).join();
        Retention atOnce = new Retention(store, Optional.of(Duration.ZERO), Optional.empty(), Clock.systemUTC(), 0);
        assertEquals(0, atOnce.pass(), "a unit whose members are not all finished is kept whole");
        store.finish("me/u", List.of(Outcome.completed(claimed.get(3).id()), Outcome.completed(claimed.get(4).id()))).join();
        List<Task> last = store.claim("u", "me/u", 5, Duration.ofMinutes(1));
        assertEquals(List.of(pushed.get(5).id()), ids(last));
        store.finish("me/u", List.of(Outcome.completed(last.get(0).id()))).join();
        assertEquals(counts(0, 0, 5, 1), store.counts("u", 0));
        assertEquals(5, atOnce.pass(), "its five Completed members go with it; the failed one is a row of its own");
        assertEquals(0, rowsOf("kafru_payloads"));
        assertEquals(Optional.empty(), store.get(pushed.get(0).id()));
        assertEquals(TaskStatus.Error, store.get(pushed.get(2).id()).orElseThrow().status());
        assertEquals(counts(0, 0, 0, 1), store.counts("u", 0));
    }

    @Test
    void retentionWorksOffALargeHistoryInBoundedPasses() {
        store.registerQueues(List.of("h"));
        int total = 22_500;
        for (int from = 0; from < total; from += 500) {
            store.insert(requests(500, "h"));
            List<Task> claimed = store.claim("h", "me/h", 500, Duration.ofMinutes(1));
            store.finish("me/h", claimed.stream().map(t -> Outcome.completed(t.id())).toList()).join();
        }
        Retention atOnce = new Retention(store, Optional.of(Duration.ZERO), Optional.of(Duration.ZERO), Clock.systemUTC(), 0);
        assertEquals(20_000, atOnce.pass(), "a pass deletes at most 40 batches of 500");
        assertEquals(2_500, atOnce.pass());
        assertEquals(0, atOnce.pass());
    }

    @Test
    void retentionReadsItsSettingsAndNamesTheKeyOnABadOne() {
        var config = new MapConfig(Map.of("kafru.retention.completed", "forever", "kafru.retention.failed", "0",
                "bad", "soon"));
        assertEquals(Optional.empty(), Retention.read(config, "kafru.retention.completed", Duration.ofHours(24)));
        assertEquals(Optional.of(Duration.ZERO), Retention.read(config, "kafru.retention.failed", Duration.ofDays(7)));
        assertEquals(Optional.of(Duration.ofDays(7)), Retention.read(config, "kafru.retention.unset", Duration.ofDays(7)));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Retention.read(config, "bad", Duration.ofDays(7)));
        assertTrue(bad.getMessage().startsWith("bad: 'soon' is not a retention"), bad.getMessage());
    }
}
