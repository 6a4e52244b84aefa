package dev.kafru.schedule;

import dev.kafru.testing.SettableClock;

import dev.kafru.KafruSchedules;
import dev.kafru.Schedule;
import dev.kafru.ScheduleRequest;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskHandler;
import dev.kafru.store.ScheduleRepository;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealScheduleRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.TaskRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Firing on the real engine (RocksDB) with a settable clock: no test waits for real time. */
class ScheduleRunnerTest {

    static SurrealLauncher launcher;
    final List<RpcSurrealConnection> connections = new ArrayList<>();
    final List<String> woken = new CopyOnWriteArrayList<>();
    final SettableClock clock = new SettableClock(Instant.parse("2026-06-01T12:00:00.250Z"));
    RpcSurrealConnection db;
    ScheduleRepository store;
    KafruSchedules schedules;

    @BeforeAll
    static void startEngine() {
        launcher = SurrealLauncher.shared();
    }

    @BeforeEach
    void setUp() {
        var settings = launcher.freshDatabase();
        db = open(settings);
        Schema.apply(db);
        store = new SurrealScheduleRepository(db);
        TaskHandler nothing = ctx -> { };
        schedules = KafruSchedules.of(store, TaskRegistry.of(Map.of("report", nothing, "mail", nothing)), clock);
        connections.add(db);
    }

    RpcSurrealConnection open(dev.kafru.surrealdb.SurrealSettings settings) {
        RpcSurrealConnection c = RpcSurrealConnection.open(settings);
        connections.add(c);
        return c;
    }

    @AfterEach
    void tearDown() {
        connections.forEach(RpcSurrealConnection::close);
    }

    ScheduleRunner runner(ScheduleRepository on, MissedRunPolicy policy) {
        SchedulerSettings s = new SchedulerSettings(true, Duration.ofSeconds(5), policy, Duration.ofSeconds(60), 100);
        return new ScheduleRunner(on, clock, s, woken::add);
    }

    ScheduleRunner runner() {
        return runner(store, MissedRunPolicy.FIRE_ONCE);
    }

    /** The tasks in kafru_queues, as "name@run_at", oldest run_at first. */
    List<String> tasks() {
        List<String> tasks = new ArrayList<>();
        for (Object row : (List<?>) db.query("SELECT name, run_at FROM kafru_queues ORDER BY run_at, name", Map.of()).get(0)) {
            Map<?, ?> r = (Map<?, ?>) row;
            tasks.add(r.get("name") + "@" + r.get("run_at"));
        }
        return tasks;
    }

    long taskCount() {
        return ((Number) db.query("RETURN count(SELECT id FROM kafru_queues)", Map.of()).get(0)).longValue();
    }

    Schedule reload(Schedule s) {
        return schedules.get(s.id()).orElseThrow();
    }

    @Test
    void aSecondsScheduleFiresOnEachFifthSecondWithTheSchedulesNameQueueAndParameters() {
        Schedule s = schedules.create(ScheduleRequest.of("every-5s", "report").cron("*/5 * * * * ?").queue("reports")
                .parameters(Map.of("region", "eu", "limit", 3)));
        assertEquals(Instant.parse("2026-06-01T12:00:05Z"), s.nextSchedule());
        ScheduleRunner runner = runner();
        for (int second = 1; second <= 21; second++) {
            clock.set(Instant.parse("2026-06-01T12:00:00Z").plusSeconds(second));
            runner.runDue();
        }
        assertEquals(List.of("every-5s@2026-06-01T12:00:05Z", "every-5s@2026-06-01T12:00:10Z",
                "every-5s@2026-06-01T12:00:15Z", "every-5s@2026-06-01T12:00:20Z"), tasks());
        Map<?, ?> task = (Map<?, ?>) ((List<?>) db.query("SELECT * FROM kafru_queues LIMIT 1", Map.of()).get(0)).get(0);
        assertEquals("reports", task.get("queue"));
        assertEquals("report", task.get("handler"));
        assertEquals("Waiting", task.get("status"));
        assertEquals(Map.of("region", "eu", "limit", 3L), task.get("parameters"));
        assertEquals(3L, task.get("max_attempts"));
        assertEquals("schedule:every-5s", task.get("author"), "a schedule's task names it as its author");
        assertEquals(Instant.parse("2026-06-01T12:00:25Z"), reload(s).nextSchedule());
        assertEquals(List.of("reports", "reports", "reports", "reports"), woken, "the local worker is woken per task");
    }

    @Test
    void aDailyScheduleInBerlinFiresAtNineLocalTimeAcrossBothDstChanges() {
        clock.set(Instant.parse("2026-03-27T12:00:00Z"));
        Schedule spring = schedules.create(ScheduleRequest.of("berlin-9", "report").cron("0 0 9 * * ?").timeZone("Europe/Berlin"));
        ScheduleRunner runner = runner();
        List<Instant> fired = new ArrayList<>();
        for (int day = 0; day < 3; day++) {
            Instant due = reload(spring).nextSchedule();
            clock.set(due.minusMillis(1));
            assertEquals(0, runner.runDue().fired(), "not a millisecond early");
            clock.set(due);
            assertEquals(1, runner.runDue().fired());
            fired.add(due);
        }
        assertEquals(CronScheduleTest.instants("2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"), fired,
                "09:00 CET, then 09:00 CEST after the spring-forward night");

        clock.set(Instant.parse("2026-10-23T12:00:00Z"));
        Schedule autumn = schedules.create(ScheduleRequest.of("berlin-230", "report").cron("0 30 2 * * ?").timeZone("Europe/Berlin"));
        for (int halfHour = 0; halfHour < 2 * 24 * 3; halfHour++) {
            clock.advance(Duration.ofMinutes(30));
            runner.runDue();
        }
        List<String> autumnTasks = tasks().stream().filter(t -> t.startsWith("berlin-230@")).toList();
        assertEquals(List.of("berlin-230@2026-10-24T00:30:00Z", "berlin-230@2026-10-25T00:30:00Z", "berlin-230@2026-10-26T01:30:00Z"),
                autumnTasks, "02:30 CEST, 02:30 CEST on the fall-back day (once, not twice), 02:30 CET");
        assertEquals(ScheduleStatus.Enabled, reload(autumn).status());
    }

    @Test
    void nothingFiresBeforeStartAndTheScheduleEndsDisabledAfterUntil() {
        Instant start = Instant.parse("2026-06-01T13:00:00Z");
        Instant until = Instant.parse("2026-06-01T13:03:00Z");
        Schedule s = schedules.create(ScheduleRequest.of("window", "report").cron("0 * * * * ?").startSchedule(start).untilSchedule(until));
        assertEquals(start, s.nextSchedule(), "an occurrence exactly at the start counts");
        ScheduleRunner runner = runner();
        for (int minute = 0; minute < 120; minute++) {
            clock.set(Instant.parse("2026-06-01T12:00:00Z").plusSeconds(60L * minute));
            runner.runDue();
        }
        assertEquals(List.of("window@2026-06-01T13:00:00Z", "window@2026-06-01T13:01:00Z", "window@2026-06-01T13:02:00Z",
                "window@2026-06-01T13:03:00Z"), tasks(), "from start to until, both included");
        Schedule ended = reload(s);
        assertEquals(ScheduleStatus.Disabled, ended.status());
        assertNull(ended.nextSchedule());
        assertTrue(schedules.nextFireTimes(s.id(), 5).isEmpty());
    }

    @Test
    void aOneTimeScheduleFiresOnceAndIsDisabled() {
        Instant asked = clock.instant().plusSeconds(30); // 12:00:30.250
        Instant at = Instant.parse("2026-06-01T12:00:31Z");
        Schedule once = schedules.create(ScheduleRequest.of("once", "mail").oneTime(true).nextSchedule(asked));
        Schedule onceByCron = schedules.create(ScheduleRequest.of("once-cron", "mail").oneTime(true).cron("0 0 * * * ?"));
        assertEquals(List.of(at), schedules.nextFireTimes(once.id(), 5), "one-second resolution: rounded up, never early");
        ScheduleRunner runner = runner();
        clock.set(at.minusMillis(1));
        assertEquals(0, runner.runDue().fired());
        clock.set(at);
        assertEquals(1, runner.runDue().fired());
        clock.set(Instant.parse("2026-06-01T13:00:00Z"));
        assertEquals(1, runner.runDue().fired(), "the one-time cron schedule's first occurrence");
        for (int hour = 1; hour <= 5; hour++) {
            clock.advance(Duration.ofHours(1));
            assertEquals(0, runner.runDue().fired());
        }
        assertEquals(List.of("once@" + at, "once-cron@2026-06-01T13:00:00Z"), tasks());
        for (Schedule s : List.of(reload(once), reload(onceByCron))) {
            assertEquals(ScheduleStatus.Disabled, s.status(), s.name());
            assertNull(s.nextSchedule(), s.name());
        }
    }

    @Test
    void afterDowntimeMissedOccurrencesFireOnceNotOncePerMiss() {
        Schedule s = schedules.create(ScheduleRequest.of("minutely", "report").cron("0 * * * * ?"));
        assertEquals(Instant.parse("2026-06-01T12:01:00Z"), s.nextSchedule());
        clock.set(Instant.parse("2026-06-01T15:00:30Z")); // 180 occurrences missed
        ScheduleRunner.Pass pass = runner().runDue();
        assertEquals(1, pass.fired());
        assertEquals(List.of("minutely@2026-06-01T12:01:00Z"), tasks(), "one task, for the first missed occurrence");
        assertEquals(Instant.parse("2026-06-01T15:01:00Z"), reload(s).nextSchedule(), "the first occurrence after now");
        assertEquals(0, runner().runDue().fired());
    }

    @Test
    void withTheSkipPolicyMissedOccurrencesDoNotFireButTheNextOnTimeOneDoes() {
        Schedule s = schedules.create(ScheduleRequest.of("minutely", "report").cron("0 * * * * ?"));
        ScheduleRunner skipping = runner(store, MissedRunPolicy.SKIP);
        clock.set(Instant.parse("2026-06-01T15:00:30Z"));
        ScheduleRunner.Pass pass = skipping.runDue();
        assertEquals(0, pass.fired());
        assertEquals(1, pass.skipped());
        assertEquals(0, taskCount());
        assertEquals(Instant.parse("2026-06-01T15:01:00Z"), reload(s).nextSchedule());
        clock.set(Instant.parse("2026-06-01T15:01:00.400Z"));
        ScheduleRunner.Pass onTime = skipping.runDue();
        assertEquals(1, onTime.fired(), "400 ms late is on time (missed-after 60 s): " + onTime);
        assertEquals(List.of("minutely@2026-06-01T15:01:00Z"), tasks());
    }

    @Test
    void twoSchedulersOnTwoConnectionsTurnAThousandDueOccurrencesIntoExactlyAThousandTasks() throws Exception {
        clock.set(Instant.parse("2026-06-01T12:00:30Z"));
        int scheduleCount = 200;
        int minutes = 5;
        for (int i = 0; i < scheduleCount; i++) {
            schedules.create(ScheduleRequest.of("race-" + i, "report").cron("0 * * * * ?"));
        }
        ScheduleRunner a = runner(new SurrealScheduleRepository(open(launcher.settings(db.settings().namespace(), db.settings().database()))),
                MissedRunPolicy.FIRE_ONCE);
        ScheduleRunner b = runner(new SurrealScheduleRepository(open(launcher.settings(db.settings().namespace(), db.settings().database()))),
                MissedRunPolicy.FIRE_ONCE);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<ScheduleRunner.Pass> passes = new ArrayList<>();
        long started = System.nanoTime();
        try {
            for (int minute = 1; minute <= minutes; minute++) {
                clock.set(Instant.parse("2026-06-01T12:00:00Z").plusSeconds(60L * minute));
                CountDownLatch go = new CountDownLatch(1);
                Future<ScheduleRunner.Pass> fa = pool.submit(() -> { go.await(); return a.runDue(); });
                Future<ScheduleRunner.Pass> fb = pool.submit(() -> { go.await(); return b.runDue(); });
                go.countDown();
                passes.add(fa.get());
                passes.add(fb.get());
            }
        } finally {
            pool.shutdownNow();
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        int fired = passes.stream().mapToInt(ScheduleRunner.Pass::fired).sum();
        int lost = passes.stream().mapToInt(ScheduleRunner.Pass::lost).sum();
        int conflicts = passes.stream().mapToInt(ScheduleRunner.Pass::conflicts).sum();
        int firedByA = 0;
        for (int i = 0; i < passes.size(); i += 2) {
            firedByA += passes.get(i).fired();
        }
        System.out.printf("schedule race: %d occurrences → %d tasks; fired by A %d, by B %d; lost races %d; write conflicts retried %d; %d ms%n",
                scheduleCount * minutes, taskCount(), firedByA, fired - firedByA, lost, conflicts, millis);
        assertEquals(scheduleCount * minutes, taskCount(), "tasks in kafru_queues");
        assertEquals(scheduleCount * minutes, fired, "fires reported by the two runners");
        List<String> tasks = tasks();
        Set<String> distinct = new HashSet<>(tasks);
        assertEquals(tasks.size(), distinct.size(), "no (schedule, occurrence) has two tasks");
        for (int i = 0; i < scheduleCount; i += 37) {
            for (int minute = 1; minute <= minutes; minute++) {
                String expected = "race-" + i + "@" + Instant.parse("2026-06-01T12:00:00Z").plusSeconds(60L * minute);
                assertTrue(distinct.contains(expected), expected);
            }
        }
        // which runner won how many is up to the threads' timing: printed above, not asserted
    }

    @Test
    void aSchedulerThatReadTheSameDueSchedulesLaterLosesTheCompareAndSetAndPushesNothing() {
        clock.set(Instant.parse("2026-06-01T12:00:30Z"));
        for (int i = 0; i < 20; i++) {
            schedules.create(ScheduleRequest.of("contested-" + i, "report").cron("0 * * * * ?"));
        }
        ScheduleRepository storeB = new SurrealScheduleRepository(open(launcher.settings(db.settings().namespace(), db.settings().database())));
        ScheduleRunner a = runner();
        clock.set(Instant.parse("2026-06-01T12:01:00Z"));
        Instant now = clock.instant();
        // B reads the due schedules first; A fires them all before B gets to them
        List<Schedule> seenByB = storeB.due(now, 100);
        assertEquals(20, seenByB.size());
        assertEquals(20, a.runDue().fired());
        assertEquals(20, taskCount());
        for (Schedule stale : seenByB) {
            ScheduleRepository.Fired late = storeB.fire(stale.id(), stale.nextSchedule(), FireTimes.next(stale, now).orElseThrow(),
                    ScheduleStatus.Enabled, ScheduleRunner.taskFor(stale, stale.nextSchedule()), now);
            assertFalse(late.moved(), "B's compare-and-set on " + stale.name() + " must fail: A moved next_schedule first");
        }
        assertEquals(20, taskCount(), "B's lost fires inserted no task");
        ScheduleRunner.Pass b = runner(storeB, MissedRunPolicy.FIRE_ONCE).runDue();
        assertEquals(0, b.fired(), "nothing is due for B any more: " + b);
        List<String> tasks = tasks();
        assertEquals(20, new HashSet<>(tasks).size(), "one task per schedule and occurrence: " + tasks);
        assertTrue(tasks.stream().allMatch(t -> t.endsWith("@2026-06-01T12:01:00Z")), tasks.toString());
    }
}
