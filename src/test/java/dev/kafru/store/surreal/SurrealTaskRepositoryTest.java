package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.ClaimFloors;
import dev.kafru.store.Outcome;
import dev.kafru.store.Signal;
import dev.kafru.store.TaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** A claimer's floors as they are during a flood in which it met another claimer: claims go by push batch. */
    private static ClaimFloors inAFlood() {
        ClaimFloors floors = new ClaimFloors();
        floors.claimed(true);
        floors.met();
        return floors;
    }

    private List<?> batchRows() {
        return (List<?>) db.query("SELECT queue, rank, first, last FROM kafru_batches ORDER BY queue, rank", Map.of()).get(0);
    }

    @Test
    void aPushRecordsOneBatchPerQueueAndPriorityOfItsTasksDueAtOnceAndNoneForAFewOrForDelayedOnes() {
        List<TaskRequest> requests = new ArrayList<>(requests(40, "big"));
        for (int i = 0; i < 35; i++) {
            requests.add(TaskRequest.of("h").queue("big").priority(3));
        }
        requests.addAll(requests(BATCH_FEW, "few"));
        for (int i = 0; i < 50; i++) {
            requests.add(TaskRequest.of("h").queue("later").runAt(Instant.now().plusSeconds(60)));
        }
        store.insert(requests);
        List<?> rows = batchRows();
        assertEquals(2, rows.size(), "one batch per queue and priority of 32 or more tasks due at once: " + rows);
        Map<?, ?> urgent = (Map<?, ?>) rows.get(0);
        Map<?, ?> plain = (Map<?, ?>) rows.get(1);
        assertEquals(List.of("big", -3L, "big", 0L), List.of(urgent.get("queue"), urgent.get("rank"), plain.get("queue"), plain.get("rank")));
        // each batch's due range spans exactly its own tasks' dues
        List<?> dues = (List<?>) db.query("SELECT VALUE due FROM kafru_queues WHERE queue = 'big' AND rank = 0", Map.of()).get(0);
        assertEquals(dues.stream().mapToLong(d -> ((Number) d).longValue()).min().orElseThrow(), ((Number) plain.get("first")).longValue());
        assertEquals(dues.stream().mapToLong(d -> ((Number) d).longValue()).max().orElseThrow(), ((Number) plain.get("last")).longValue());
    }

    static final int BATCH_FEW = SurrealTaskRepository.BATCH_AT_LEAST - 1;

    @Test
    void inAFloodTwoClaimersTakeWholePushBatchesInPushOrderAndNeverTheSameOnes() {
        List<List<Task>> pushes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pushes.add(store.insert(requests(100, "flood")));
        }
        ClaimFloors a = inAFlood();
        ClaimFloors b = inAFlood();
        List<Task> first = store.claim("flood", "a/flood", 100, Duration.ofMinutes(1), List.of(), a).tasks();
        List<Task> second = store.claim("flood", "b/flood", 100, Duration.ofMinutes(1), List.of(), b).tasks();
        List<Task> third = store.claim("flood", "a/flood", 100, Duration.ofMinutes(1), List.of(), a).tasks();
        assertEquals(ids(pushes.get(0)), ids(first));
        assertEquals(ids(pushes.get(1)), ids(second), "the second batch, put back whole by the first claim, comes next");
        assertEquals(ids(pushes.get(2)), ids(third));
        assertTrue(a.flood() && b.flood(), "full claims: the flood goes on");
    }

    @Test
    void aBatchLargerThanTheClaimIsTakenInPiecesInOrderAndTheQueueDrainsToTheHead() {
        List<Task> pushed = store.insert(requests(150, "pieces"));
        ClaimFloors floors = inAFlood();
        List<String> taken = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            taken.addAll(ids(store.claim("pieces", "me/pieces", 40, Duration.ofMinutes(1), List.of(), floors).tasks()));
        }
        assertEquals(ids(pushed), taken);
        assertTrue(!floors.flood(), "the last claim came back short: the next one claims from the head");
        assertEquals(List.of(), batchRows(), "no batch left behind");
    }

    @Test
    void aFloodStillTakesTheHighestPriorityFirst() {
        store.insert(requests(100, "prio"));
        List<TaskRequest> urgent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            urgent.add(TaskRequest.of("h").queue("prio").priority(5));
        }
        List<Task> high = store.insert(urgent);
        List<Task> got = store.claim("prio", "me/prio", 50, Duration.ofMinutes(1), List.of(), inAFlood()).tasks();
        assertEquals(50, got.size());
        assertEquals(ids(high), ids(got.subList(0, 40)), "all 40 of priority 5 before any of priority 0");
        assertTrue(got.subList(40, 50).stream().allMatch(t -> t.priority() == 0));
    }

    @Test
    void whenTheHighestPriorityRunsOutMidFloodTheNextOnesBatchesAreTaken() {
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
        assertTrue(!floors.byBatch(), "alone so far: still from the head");
        floors.met();
        List<Task> got = store.claim("mixed", "me/mixed", 50, Duration.ofMinutes(1), List.of(), floors).tasks();
        assertEquals(ids(high.subList(20, 40)), ids(got.subList(0, 20)), "the rest of priority 5 first");
        assertEquals(ids(low.subList(0, 30)), ids(got.subList(20, 50)), "then priority 0's batch, in push order");
        assertEquals(1, batchRows().size(), "what is left of priority 0's batch went back as one");
    }

    @Test
    void tasksOfABatchNobodyClaimedAndOfAStaleBatchAreFoundByTheHeadClaim() {
        List<Task> orphaned = store.insert(requests(50, "orphan"));
        // a claimer reserved the batch (deleted its row) and died before claiming it
        db.query("DELETE kafru_batches", Map.of());
        ClaimFloors floors = new ClaimFloors();
        assertEquals(ids(orphaned), ids(store.claim("orphan", "me/orphan", 50, Duration.ofMinutes(1), List.of(), inAFlood()).tasks()));

        // a batch whose tasks a head claim took stays behind until a flood's claim reserves it: it yields nothing, the next batch does
        List<Task> early = store.insert(requests(50, "stale"));
        assertEquals(ids(early), ids(store.claim("stale", "me/stale", 50, Duration.ofMinutes(1), List.of(), floors).tasks()));
        List<Task> later = store.insert(requests(50, "stale"));
        assertEquals(ids(later), ids(store.claim("stale", "me/stale", 50, Duration.ofMinutes(1), List.of(), inAFlood()).tasks()));
        assertEquals(List.of(), batchRows());
    }

    @Test
    void purgingAQueuesWaitingTasksTakesTheirPushBatchesAlongAndLeavesOtherQueuesBatches() {
        store.insert(requests(50, "gone"));
        store.insert(requests(50, "kept"));
        assertEquals(50L, store.purge(TaskStatus.Waiting, "gone"));
        assertEquals(List.of("kept"), batchRows().stream().map(r -> ((Map<?, ?>) r).get("queue")).toList());
        assertEquals(0L, store.purge(TaskStatus.Completed, "kept"));
        assertEquals(1, batchRows().size(), "purging finished tasks leaves the Waiting ones' batches");
    }

    @Test
    void pushBatchesNobodyReservedAreForgottenOnceOlderThanTheirAgeAndNewerOnesKept() {
        store.insert(requests(40, "old"));
        assertEquals(0, store.forgetBatches(Duration.ofMinutes(1), 100), "a batch younger than the age stays");
        assertEquals(1, batchRows().size());
        assertEquals(1, store.forgetBatches(Duration.ZERO, 100));
        assertEquals(List.of(), batchRows());
        assertEquals(40L, store.counts("old", 1_000).get(TaskStatus.Waiting), "its tasks stay, for the head claim");
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
    void queueNamesAreRecordedOnceAndCountsStopAtTheCap() {
        store.registerQueues(List.of("a", "b"));
        store.registerQueues(List.of("b", "c"));
        assertEquals(List.of("a", "b", "c"), store.queueNames().stream().sorted().toList());
        for (int from = 0; from < TaskRepository.COUNT_CAP + 300; from += 500) {
            store.insert(requests(Math.min(500, TaskRepository.COUNT_CAP + 300 - from), "big"));
        }
        store.insert(requests(3, "small"));
        store.claim("small", "me/small", 1, Duration.ofMinutes(1));
        assertEquals(TaskRepository.COUNT_CAP, store.waiting("big"), "counted up to the cap, not past it");
        assertEquals(Map.of(TaskStatus.Waiting, 2L, TaskStatus.InProgress, 1L, TaskStatus.Completed, 0L, TaskStatus.Error, 0L),
                store.counts("small", 10));
    }

    @Test
    void retentionDeletesFinishedTasksOlderThanItsAgeAndNothingElse() {
        store.registerQueues(List.of("r"));
        List<Task> tasks = store.insert(requests(5, "r"));
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
        assertEquals(Map.of(TaskStatus.Waiting, 1L, TaskStatus.InProgress, 1L, TaskStatus.Completed, 0L, TaskStatus.Error, 0L),
                store.counts("r", 10));
        Task unclaimed = tasks.stream().filter(t -> claimed.stream().noneMatch(c -> c.id().equals(t.id()))).findFirst().orElseThrow();
        assertEquals(TaskStatus.Waiting, store.get(unclaimed.id()).orElseThrow().status());
        assertEquals(TaskStatus.InProgress, store.get(claimed.get(3).id()).orElseThrow().status());
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
