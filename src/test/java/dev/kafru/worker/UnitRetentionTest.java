package dev.kafru.worker;

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

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Retention keeps up with push units smaller than a statement's 500 tasks: one pass deletes
 * what a pass may (up to 20,000 tasks), not one unit per transaction. The soak (docs/soak.md)
 * pushed 10 units of 25 tasks a second; a pass every 10 s deleted ~6 of the 100 new units, and
 * kafru_queues and kafru_payloads grew by ~570 rows a minute.
 *
 * <p>Failed before deleteFinished took units up to the limit's tasks ("expected: <500> but was:
 * <25>"): it took {@code max(1, limit / 500)} units a transaction, one for retention's 500, and the
 * pass stops at the first transaction that deleted fewer than 500 tasks.
 */
class UnitRetentionTest {

    ExecutorService executor;
    ScheduledExecutorService timer;
    RpcSurrealConnection db;
    SurrealTaskRepository store;

    @BeforeEach
    void setUp() {
        executor = Executors.newFixedThreadPool(6);
        timer = Executors.newScheduledThreadPool(1);
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
        store.registerQueues(List.of("q"));
    }

    @AfterEach
    void tearDown() {
        db.close();
        executor.shutdownNow();
        timer.shutdownNow();
    }

    /** {@code units} push units of {@code size} tasks each (as pushAll makes them), run to Completed by a worker that then stops. */
    private void completedUnits(int units, int size) {
        QueueDispatcher worker = new QueueDispatcher("q", 4, WorkerSettings.defaults(), store,
                TaskRegistry.of(Map.of("noop", (TaskHandler) ctx -> { })), executor, timer, "test/q");
        worker.start();
        for (int unit = 0; unit < units; unit++) {
            List<TaskRequest> requests = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                requests.add(TaskRequest.of("noop").queue("q"));
            }
            store.insert(requests);
            worker.wake();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> store.counts("q", 0).get(TaskStatus.Completed) == (long) units * size);
        worker.stop(Duration.ofSeconds(5));
    }

    @Test
    void onePassDeletesEveryCompletedSmallUnit() {
        completedUnits(20, 25);
        int deleted = new Retention(store, Optional.of(Duration.ZERO), Optional.of(Duration.ZERO), Clock.systemUTC(), 0).pass();
        assertEquals(500, deleted, "one retention pass deletes all 20 completed units of 25 tasks");
    }

    /**
     * A pass that used all its transactions left a backlog: the next pauses a third as long after
     * each transaction, then as long as it took; a pass that finds no backlog goes back to nine times.
     * Failed with the pace fixed at 9 ("expected: <3> but was: <9>").
     */
    @Test
    void aPassThatLeavesABacklogMakesTheNextPauseLess() {
        completedUnits(5, 10);
        List<Long> pauses = new java.util.concurrent.CopyOnWriteArrayList<>();
        // transactions of 10 tasks (a unit each), 2 a pass: 5 units are three passes' work
        Retention retention = new Retention(store, Optional.of(Duration.ZERO), Optional.of(Duration.ZERO), Clock.systemUTC(), 9,
                10, 2, pauses::add);
        assertEquals(9, retention.pace());
        assertEquals(20, retention.pass());
        assertEquals(1, pauses.size(), "a pause after each full transaction but the pass's last");
        assertEquals(3, retention.pace(), "all its transactions used: a backlog, the next pass pauses a third as long");
        assertEquals(20, retention.pass());
        assertEquals(1, retention.pace(), "still a backlog: as long as a transaction took");
        assertEquals(10, retention.pass());
        assertEquals(9, retention.pace(), "the backlog is gone: nine times again");
        assertEquals(0L, store.counts("q", 0).get(TaskStatus.Completed));
    }
}
