package dev.kafru.store;

import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskProgress;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link TaskRepository} must do, written once against the interface: a backend
 * passes when its test extends this class and says how to reach a store (see
 * {@code SurrealTaskRepositoryContractTest}). The queue's correctness rests on these promises:
 * exclusive claims, leases that lapse and come back, outcomes only from the owner, hand-backs
 * that may uncount an attempt, and claim order (priority, then due).
 *
 * <p>{@link ScheduleRepositoryContract} is the schedule half: unique names and compare-and-set
 * firing.
 */
public abstract class TaskRepositoryContract {

    private static final Duration LONG_LEASE = Duration.ofMinutes(10);

    /**
     * A repository on this test's store, as one more server sees it (its own connection, where
     * the backend has connections). Every call within one test reaches the same store, which
     * is empty when the test starts; the implementation closes what it opened after the test.
     */
    protected abstract TaskRepository repository();

    private static List<TaskRequest> requests(int n, String queue) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("work").queue(queue).priority(i % 3));
        }
        return requests;
    }

    private static Task only(TaskRepository tasks, String key) {
        return tasks.get(key).orElseThrow(() -> new AssertionError("task " + key + " is gone"));
    }

    @Test
    void concurrentClaimersClaimEveryTaskExactlyOnce() throws Exception {
        int total = 600;
        int claimers = 4;
        TaskRepository setup = repository();
        setup.insert(requests(total, "contested"));
        Map<String, AtomicInteger> claims = new ConcurrentHashMap<>();
        ExecutorService threads = Executors.newFixedThreadPool(claimers);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Integer>> counted = new ArrayList<>();
            for (int c = 0; c < claimers; c++) {
                TaskRepository server = repository();
                String owner = "server-" + c + "/contested";
                counted.add(threads.submit(() -> {
                    go.await();
                    int mine = 0;
                    while (true) {
                        List<Task> got = server.claim("contested", owner, 10, LONG_LEASE, List.of()).tasks();
                        if (got.isEmpty()) {
                            return mine;
                        }
                        for (Task task : got) {
                            claims.computeIfAbsent(task.id(), k -> new AtomicInteger()).incrementAndGet();
                            assertEquals(owner, task.owner(), "a claimed task names its claimer");
                        }
                        mine += got.size();
                    }
                }));
            }
            go.countDown();
            int claimed = 0;
            for (Future<Integer> f : counted) {
                claimed += f.get(2, TimeUnit.MINUTES);
            }
            assertEquals(total, claimed, "claims counted by the claimers");
            assertEquals(total, claims.size(), "distinct tasks claimed");
            assertTrue(claims.values().stream().allMatch(n -> n.get() == 1),
                    "tasks claimed more than once: " + claims.entrySet().stream().filter(e -> e.getValue().get() > 1).toList());
            assertEquals(Map.of(TaskStatus.Waiting, 0L, TaskStatus.InProgress, (long) total, TaskStatus.Completed, 0L,
                    TaskStatus.Error, 0L, TaskStatus.Cancelled, 0L), setup.counts("contested", total + 1));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aLapsedLeaseComesBackWithItsAttemptCountedAndAHeldOneStays() {
        TaskRepository tasks = repository();
        Task lapsing = tasks.insert(List.of(TaskRequest.of("work").queue("leases").maxAttempts(3))).get(0);
        tasks.claim("leases", "dead/leases", 1, Duration.ofMillis(100));
        Task held = tasks.insert(List.of(TaskRequest.of("work").queue("leases").maxAttempts(3))).get(0);
        tasks.claim("leases", "alive/leases", 1, LONG_LEASE);

        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.recoverExpiredLeases("leases", 10) > 0);

        Task back = only(tasks, lapsing.id());
        assertEquals(TaskStatus.Waiting, back.status(), "a lapsed lease puts the task back");
        assertEquals(1, back.attempts(), "the lapsed attempt stays counted");
        assertNull(back.owner(), "nobody holds it");
        Task stillHeld = only(tasks, held.id());
        assertEquals(TaskStatus.InProgress, stillHeld.status(), "a lease still running is left alone");
        assertEquals("alive/leases", stillHeld.owner());

        List<Task> again = repository().claim("leases", "other/leases", 10, LONG_LEASE);
        assertEquals(List.of(lapsing.id()), again.stream().map(Task::id).toList(), "another server claims it again");
        assertEquals(2, again.get(0).attempts());
    }

    @Test
    void aLapsedLeaseOnTheLastAttemptEndsInError() {
        TaskRepository tasks = repository();
        Task task = tasks.insert(List.of(TaskRequest.of("work").queue("last").maxAttempts(1))).get(0);
        tasks.claim("last", "dead/last", 1, Duration.ofMillis(100));

        await().atMost(Duration.ofSeconds(20)).until(() -> tasks.recoverExpiredLeases("last", 10) > 0);

        Task ended = only(tasks, task.id());
        assertEquals(TaskStatus.Error, ended.status());
        assertEquals(1, ended.attempts());
        assertTrue(tasks.claim("last", "other/last", 10, LONG_LEASE).isEmpty(), "an Error task is not claimed");
    }

    @Test
    void onlyTheOwnerFinishesATask() {
        TaskRepository tasks = repository();
        tasks.insert(requests(3, "owned"));
        List<Task> claimed = tasks.claim("owned", "owner/owned", 3, LONG_LEASE);
        assertEquals(3, claimed.size());
        List<Outcome> outcomes = List.of(Outcome.completed(claimed.get(0).id()),
                Outcome.retry(claimed.get(1).id(), "owned", "again", Duration.ZERO),
                Outcome.failed(claimed.get(2).id(), "boom"));

        tasks.finish("stranger/owned", outcomes).join();
        for (Task task : claimed) {
            Task now = only(tasks, task.id());
            assertEquals(TaskStatus.InProgress, now.status(), "another owner's outcome changes nothing: " + now);
            assertEquals("owner/owned", now.owner());
        }

        tasks.finish("owner/owned", outcomes).join();
        assertEquals(TaskStatus.Completed, only(tasks, claimed.get(0).id()).status());
        Task retried = only(tasks, claimed.get(1).id());
        assertEquals(TaskStatus.Waiting, retried.status());
        assertEquals("again", retried.message());
        assertNull(retried.owner());
        Task failed = only(tasks, claimed.get(2).id());
        assertEquals(TaskStatus.Error, failed.status());
        assertEquals("boom", failed.message());
    }

    @Test
    void aHandBackMayUncountTheAttemptAndOnlyTheOwnerHandsBack() {
        TaskRepository tasks = repository();
        tasks.insert(requests(2, "back"));
        List<Task> claimed = tasks.claim("back", "owner/back", 2, LONG_LEASE);
        String neverRan = claimed.get(0).id();
        String ran = claimed.get(1).id();
        assertEquals(1, only(tasks, neverRan).attempts(), "a claim counts the attempt");

        tasks.handBack("stranger/back", List.of(neverRan, ran), true);
        assertEquals(TaskStatus.InProgress, only(tasks, neverRan).status(), "another owner cannot hand it back");

        tasks.handBack("owner/back", List.of(neverRan), true);
        tasks.handBack("owner/back", List.of(ran), false);
        Task uncounted = only(tasks, neverRan);
        assertEquals(TaskStatus.Waiting, uncounted.status());
        assertEquals(0, uncounted.attempts(), "a hand-back of a task that never ran does not count the attempt");
        assertNull(uncounted.owner());
        Task counted = only(tasks, ran);
        assertEquals(TaskStatus.Waiting, counted.status());
        assertEquals(1, counted.attempts(), "a hand-back that counts keeps the attempt");
        assertEquals(2, tasks.claim("back", "next/back", 10, LONG_LEASE).size(), "handed-back tasks are due at once");
    }

    @Test
    void claimsTakeTheHighestPriorityFirstThenTheOldestDue() {
        TaskRepository tasks = repository();
        Instant now = Instant.now();
        Task newLow = tasks.insert(List.of(TaskRequest.of("work").queue("order").priority(0).runAt(now.minusSeconds(1)))).get(0);
        Task oldLow = tasks.insert(List.of(TaskRequest.of("work").queue("order").priority(0).runAt(now.minusSeconds(3)))).get(0);
        Task newHigh = tasks.insert(List.of(TaskRequest.of("work").queue("order").priority(5).runAt(now.minusSeconds(1)))).get(0);
        Task oldHigh = tasks.insert(List.of(TaskRequest.of("work").queue("order").priority(5).runAt(now.minusSeconds(2)))).get(0);
        Task middle = tasks.insert(List.of(TaskRequest.of("work").queue("order").priority(2).runAt(now.minusSeconds(1)))).get(0);
        tasks.insert(List.of(TaskRequest.of("work").queue("order").priority(9).runAt(now.plusSeconds(3600))));

        List<String> order = new ArrayList<>();
        List<Task> got;
        while (!(got = tasks.claim("order", "one/order", 1, LONG_LEASE)).isEmpty()) {
            order.add(got.get(0).id());
        }
        assertEquals(List.of(oldHigh.id(), newHigh.id(), middle.id(), oldLow.id(), newLow.id()), order,
                "priority first, then oldest due; a task not yet due is not claimed");
    }

    @Test
    void listsAndCountsFilterByStatusQueueHandlerAndNameAndACountStopsAtItsCap() {
        TaskRepository tasks = repository();
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            requests.add(TaskRequest.of("work").queue("filtered").name("report"));
        }
        requests.add(TaskRequest.of("mail").queue("filtered").name("report"));
        requests.add(TaskRequest.of("work").queue("other").name("report"));
        tasks.insert(requests);

        TaskFilter reports = new TaskFilter(TaskStatus.Waiting, "filtered", "work", "report");
        assertEquals(5, tasks.count(reports, 100));
        assertEquals(3, tasks.count(reports, 3), "counted up to the cap");
        assertEquals(7, tasks.count(TaskFilter.ANY, 100));
        assertEquals(1, tasks.count(new TaskFilter(null, null, "mail", null), 100));
        assertEquals(0, tasks.count(new TaskFilter(TaskStatus.Error, null, null, null), 100));
        assertEquals(0, tasks.count(new TaskFilter(null, null, null, "x' OR true OR '"), 100), "a name is a value, not SurrealQL");

        List<Task> page = tasks.list(reports, 2, 3);
        assertEquals(2, page.size(), "the last page holds what is left");
        page.forEach(t -> assertEquals(List.of("filtered", "work", "report"), List.of(t.queue(), t.handler(), t.name())));
        List<String> all = tasks.list(reports, 10, 0).stream().map(Task::id).toList();
        assertEquals(all.subList(3, 5), page.stream().map(Task::id).toList(), "pages follow one order");
    }

    @Test
    void progressNeverGoesBackwardsAcrossServersReadsAllDoneOnceCompletedAndIsForgottenWithItsTask() {
        TaskRepository one = repository();
        TaskRepository other = repository();
        List<TaskRequest> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(TaskRequest.of("work").queue("progress"));
        }
        List<Task> pushed = one.insert(five); // one push statement: a unit, where the backend has units
        Task task = pushed.get(0);
        assertNull(only(one, task.id()).progress(), "none reported: none");
        one.saveProgress(Map.of(task.id(), new TaskProgress(7, 10, "one", null)));
        other.saveProgress(Map.of(task.id(), new TaskProgress(1, 10, "other, starting again", null)));
        TaskProgress stored = only(other, task.id()).progress();
        assertEquals(List.of(7L, 10L, "one"), List.of(stored.done(), stored.total(), stored.note()));
        assertTrue(stored.at() != null, "stored when");
        other.saveProgress(Map.of(task.id(), new TaskProgress(8, 10, "other", null)));
        assertEquals(80.0, only(one, task.id()).progress().percent());
        assertEquals(80.0, one.list(new TaskFilter(null, "progress", null, null), 10, 0).stream()
                .filter(t -> t.id().equals(task.id())).findFirst().orElseThrow().progress().percent(), "list reads it");

        List<Task> claimed = one.claim("progress", "owner/progress", 5, LONG_LEASE);
        Task first = claimed.stream().filter(t -> t.id().equals(task.id())).findFirst().orElseThrow();
        one.finish("owner/progress", List.of(Outcome.completed(first.id()))).join();
        TaskProgress done = only(one, task.id()).progress();
        assertEquals(List.of(10L, 10L, 100.0), List.of(done.done(), done.total(), done.percent()), "Completed reads all done");

        one.saveProgress(Map.of("gone-task", new TaskProgress(1, 2, null, null), pushed.get(1).id(), new TaskProgress(1, 2, null, null)));
        assertNull(one.forgetProgress(null, 100), "one batch checked them all");
        assertEquals(100.0, only(one, task.id()).progress().percent(), "a task still there keeps its progress");
        assertEquals(50.0, only(one, pushed.get(1).id()).progress().percent(), "a member still in its unit keeps its progress");
    }
}
