package dev.kafru.schedule;

import dev.kafru.KafruSchedules;
import dev.kafru.ScheduleRequest;
import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealScheduleRepository;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.RetryPolicy;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two servers whose clocks are off by ±30 s or ±5 min, sharing a queue and schedules on the real
 * engine: the schedulers decide "due" and "missed" by the database's clock ({@link EngineClock}),
 * and leases are kept by the database's clock too, so every occurrence runs once and on time by
 * the engine, and no lease is reaped while its owner renews.
 */
class ClockSkewTest {

    /** A server: its own connection, its own skewed clock, a scheduler and a worker. */
    final class Server {
        final RpcSurrealConnection db;
        final SurrealScheduleRepository schedules;
        final SurrealTaskRepository tasks;
        final Clock clock;
        final EngineClock engine;
        final QueueDispatcher worker;
        final ScheduleRunner runner;

        Server(String name, Duration skew, WorkerSettings workerSettings, SchedulerSettings schedulerSettings) {
            db = RpcSurrealConnection.open(settings);
            schedules = new SurrealScheduleRepository(db);
            tasks = new SurrealTaskRepository(db);
            clock = Clock.offset(Clock.systemUTC(), skew);
            engine = new EngineClock(clock, schedules::databaseNow);
            engine.measure(); // as Scheduler.start() does
            worker = new QueueDispatcher("q", 3, workerSettings, tasks, TaskRegistry.of(handlers), executor, timers,
                    name + "/q", clock, RetryPolicy.exponentialBackoff(workerSettings));
            runner = new ScheduleRunner(schedules, engine, schedulerSettings, queue -> worker.wake());
        }

        /** As {@link Scheduler} does: a pass, then wait until the next due time or the poll interval. */
        void schedule() {
            Runnable[] pass = new Runnable[1];
            pass[0] = () -> {
                Duration wait = Duration.ofMillis(200);
                try {
                    runner.runDue();
                    wait = runner.delayUntilNext();
                } catch (RuntimeException e) {
                    // tried again at the next pass
                }
                if (!stopping) {
                    timers.schedule(pass[0], Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
                }
            };
            timers.execute(pass[0]);
        }
    }

    SurrealSettings settings;
    RpcSurrealConnection db;
    SurrealTaskRepository store;
    ExecutorService executor;
    ScheduledExecutorService timers;
    volatile boolean stopping;
    final Map<String, TaskHandler> handlers = new ConcurrentHashMap<>();
    final List<Server> servers = new ArrayList<>();
    /** Runs per task id, and the largest number of runs of one task at once, as the handler records them. */
    final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> runningNow = new ConcurrentHashMap<>();
    final AtomicInteger mostAtOnce = new AtomicInteger();
    final List<String> reaped = new CopyOnWriteArrayList<>();

    final SchedulerSettings schedulerSettings = new SchedulerSettings(true, Duration.ofSeconds(1), MissedRunPolicy.SKIP,
            Duration.ofSeconds(10), 100);
    final WorkerSettings workerSettings = WorkerSettings.defaults().withPollInterval(Duration.ofSeconds(1))
            .withShutdownTimeout(Duration.ofSeconds(5));

    @BeforeEach
    void setUp() {
        settings = SurrealLauncher.shared().freshDatabase();
        db = RpcSurrealConnection.open(settings);
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
        executor = Executors.newCachedThreadPool();
        timers = Executors.newScheduledThreadPool(3);
        handlers.put("record", ctx -> run(ctx.taskId(), Duration.ZERO));
        handlers.put("slow", ctx -> run(ctx.taskId(), Duration.ofMillis(3500)));
    }

    void run(String taskId, Duration takes) throws InterruptedException {
        runs.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet();
        int now = runningNow.computeIfAbsent(taskId, k -> new AtomicInteger()).incrementAndGet();
        mostAtOnce.accumulateAndGet(now, Math::max);
        try {
            Thread.sleep(takes.toMillis()); // the work; a run that outlives its lease three times over
        } finally {
            runningNow.get(taskId).decrementAndGet();
        }
    }

    @AfterEach
    void tearDown() {
        stopping = true;
        servers.forEach(s -> s.worker.stop(Duration.ofSeconds(5)));
        timers.shutdownNow();
        executor.shutdownNow();
        servers.forEach(s -> s.db.close());
        db.close();
    }

    Server server(String name, Duration skew, WorkerSettings w) {
        Server s = new Server(name, skew, w, schedulerSettings);
        servers.add(s);
        return s;
    }

    static Duration skew(String text) {
        return Duration.parse(text);
    }

    List<Task> tasksNamed(String name) {
        return store.list(new TaskFilter(null, "q", null, null), 10_000, 0).stream().filter(t -> name.equals(t.name())).toList();
    }

    @ParameterizedTest(name = "clocks {0} and minus that")
    @ValueSource(strings = {"PT30S", "PT5M"})
    void everyOccurrenceRunsOnceAndOnTimeByTheEnginesClockWhenTwoServersClocksDisagree(String ahead) {
        Server fast = server("fast", skew(ahead), workerSettings);
        Server slow = server("slow", skew(ahead).negated(), workerSettings);
        Instant engineNow = fast.schedules.databaseNow();
        Instant start = engineNow.truncatedTo(ChronoUnit.SECONDS).plusSeconds(3);
        Instant until = start.plusSeconds(5);
        // defined by an operator on a third server whose clock is right, so that only firing is tested here
        KafruSchedules schedules = KafruSchedules.of(fast.schedules, TaskRegistry.of(handlers), Clock.systemUTC());
        // occurrences expected by the engine's clock, per schedule
        Map<String, List<Instant>> expected = new TreeMap<>();
        for (int i = 0; i < 3; i++) {
            Instant at = start.plusSeconds(i);
            schedules.create(ScheduleRequest.of("once-" + i, "record").queue("q").oneTime(true).nextSchedule(at));
            expected.put("once-" + i, List.of(at));
        }
        schedules.create(ScheduleRequest.of("every-second", "record").queue("q").cron("* * * * * ?")
                .startSchedule(start).untilSchedule(until));
        schedules.create(ScheduleRequest.of("every-two", "record").queue("q").cron("*/2 * * * * ?")
                .startSchedule(start).untilSchedule(until));
        List<Instant> everySecond = new ArrayList<>();
        List<Instant> everyTwo = new ArrayList<>();
        for (Instant t = start; !t.isAfter(until); t = t.plusSeconds(1)) {
            everySecond.add(t);
            if (t.getEpochSecond() % 2 == 0) {
                everyTwo.add(t);
            }
        }
        expected.put("every-second", everySecond);
        expected.put("every-two", everyTwo);
        int total = expected.values().stream().mapToInt(List::size).sum();

        servers.forEach(s -> {
            s.worker.start();
            s.schedule();
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> store.list(new TaskFilter(TaskStatus.Completed, "q", null, null),
                10_000, 0).size() >= total && until.isBefore(fast.schedules.databaseNow().minusSeconds(1)));

        Map<String, List<Instant>> ran = new TreeMap<>();
        for (String name : expected.keySet()) {
            List<Task> tasks = tasksNamed(name);
            ran.put(name, tasks.stream().map(Task::runAt).sorted().toList());
            for (Task t : tasks) {
                assertEquals(TaskStatus.Completed, t.status(), t.toString());
                assertEquals(1, runs.get(t.id()).get(), "runs of " + t);
                Duration late = Duration.between(t.runAt(), t.startedAt());
                assertTrue(!late.isNegative() && late.compareTo(Duration.ofMillis(1500)) <= 0,
                        name + "'s occurrence at " + t.runAt() + " started " + late.toMillis() + " ms after it (engine time)");
            }
        }
        assertEquals(expected, ran, "each occurrence once, by the engine's clock");
        assertEquals(1, mostAtOnce.get(), "no task ran twice at once");
    }

    @ParameterizedTest(name = "clock {0}")
    @ValueSource(strings = {"PT30S", "-PT30S", "PT5M", "-PT5M"})
    void theMissedRunPolicyDecidesByTheEnginesClock(String skew) {
        Server server = server("skewed", skew(skew), workerSettings);
        Instant engineNow = server.schedules.databaseNow().truncatedTo(ChronoUnit.SECONDS);
        KafruSchedules schedules = KafruSchedules.of(server.schedules, TaskRegistry.of(handlers), server.engine);
        // missed-after is 10 s: 3 s late fires, 40 s late is skipped — by the engine's clock
        schedules.create(ScheduleRequest.of("late-3s", "record").queue("q").oneTime(true).nextSchedule(engineNow.minusSeconds(3)));
        schedules.create(ScheduleRequest.of("late-40s", "record").queue("q").oneTime(true).nextSchedule(engineNow.minusSeconds(40)));
        ScheduleRunner.Pass pass = server.runner.runDue();
        assertEquals(List.of(engineNow.minusSeconds(3)), tasksNamed("late-3s").stream().map(Task::runAt).toList(), pass.toString());
        assertEquals(List.of(), tasksNamed("late-40s"), pass.toString());
        assertEquals(1, pass.fired(), pass.toString());
        assertEquals(1, pass.skipped(), pass.toString());
    }

    @Test
    void workersWhoseClocksAreFiveMinutesOffKeepTheirLeasesWhileTheyRenewThem() {
        WorkerSettings shortLease = workerSettings.withLease(Duration.ofMillis(1500));
        Server ahead = server("ahead", Duration.ofMinutes(5), shortLease);
        Server behind = server("behind", Duration.ofMinutes(5).negated(), shortLease);
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(TaskRequest.of("slow").queue("q").maxAttempts(3));
        }
        // one push unit (its claimed members' leases are kept on slices) and six rows (leases on the rows)
        List<Task> pushed = new ArrayList<>(store.insert(requests));
        for (TaskRequest single : requests) {
            pushed.addAll(store.insert(List.of(single)));
        }
        assertEquals(7, pushed.stream().map(t -> t.id().replaceAll("-\\d+$", "")).distinct().count(), pushed + ": one unit and six rows");
        // both servers reap expired leases all along, as Workers does
        servers.forEach(s -> timers.scheduleWithFixedDelay(() -> {
            try {
                if (s.tasks.recoverExpiredLeases("q", 1000) > 0) {
                    reaped.add(s.worker.owner());
                }
            } catch (RuntimeException e) {
                // next time
            }
        }, 0, 100, TimeUnit.MILLISECONDS));
        ahead.worker.start();
        behind.worker.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> pushed.stream()
                .allMatch(t -> store.get(t.id()).orElseThrow().status() == TaskStatus.Completed));
        assertEquals(List.of(), reaped, "no lease was reaped while its owner renewed it");
        for (Task t : pushed) {
            Task done = store.get(t.id()).orElseThrow();
            assertEquals(1, done.attempts(), done.toString());
            assertEquals(List.of(), done.failures(), done.toString());
            assertEquals(1, runs.get(t.id()).get());
        }
        assertEquals(1, mostAtOnce.get());
    }
}
