package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
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
