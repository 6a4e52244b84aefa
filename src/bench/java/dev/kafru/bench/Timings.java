package dev.kafru.bench;

import dev.kafru.AgentFilter;
import dev.kafru.AgentKind;
import dev.kafru.Command;
import dev.kafru.KafruSchedules;
import dev.kafru.ScheduleRequest;
import dev.kafru.Task;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.agent.AgentSettings;
import dev.kafru.agent.ServerAgents;
import dev.kafru.schedule.MissedRunPolicy;
import dev.kafru.schedule.ScheduleRunner;
import dev.kafru.schedule.SchedulerSettings;
import dev.kafru.store.Subscription;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealAgentRepository;
import dev.kafru.store.surreal.SurrealMetricRepository;
import dev.kafru.store.surreal.SurrealScheduleRepository;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How late things happen, which the tests check only by order and outcome: a delayed task after
 * its run_at, a retry after its backoff, a schedule's task after its occurrence, and a
 * TaskTerminate sent from another server until the task has ended.
 */
final class Timings {

    private Timings() {
    }

    static Map<String, Double> run(Bench.Options o) throws Exception {
        ExecutorService executor = Executors.newCachedThreadPool();
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        Map<String, Instant> started = new ConcurrentHashMap<>();
        Map<String, Instant> failed = new ConcurrentHashMap<>();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(KafruPlain.database(o, "timing"));
             RpcSurrealConnection other = RpcSurrealConnection.open(db.settings())) {
            Schema.apply(db);
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            TaskHandler record = ctx -> started.put(ctx.taskId() + "#" + ctx.attempt(), Instant.now());
            TaskHandler failOnce = ctx -> {
                started.put(ctx.taskId() + "#" + ctx.attempt(), Instant.now());
                if (ctx.attempt() == 1) {
                    failed.put(ctx.taskId(), Instant.now());
                    throw new IllegalStateException("first attempt fails");
                }
            };
            TaskHandler sleep = ctx -> {
                started.put(ctx.taskId() + "#" + ctx.attempt(), Instant.now());
                Thread.sleep(60_000);
            };
            WorkerSettings settings = WorkerSettings.defaults().withRetryBase(Duration.ofMillis(200));
            TaskRegistry registry = TaskRegistry.of(Map.of("record", record, "fail-once", failOnce, "sleep", sleep));
            QueueDispatcher worker = new QueueDispatcher("timing", 4, settings, store, registry, executor, timer, "timing-a/timing");
            ServerAgents agentsA = new ServerAgents(new SurrealAgentRepository(db), new SurrealMetricRepository(db), "timing-a", timer, executor,
                    AgentSettings.defaults(), (d, force) -> d.stop(Duration.ZERO));
            agentsA.start();
            agentsA.registerQueue(worker);
            Subscription signals = store.onSignal(s -> {
                worker.noteDue(s.earliest());
                worker.wake();
            });
            worker.start();

            Map<String, List<Double>> ms = new LinkedHashMap<>();
            int n = Math.min(o.samples, 30);
            for (int i = 0; i < n; i++) { // a delayed task: started after its run_at by
                Instant runAt = Instant.now().plusMillis(300);
                Task t = store.insert(List.of(TaskRequest.of("record").queue("timing").runAt(runAt))).get(0);
                worker.noteDue(runAt);
                worker.wake();
                ms.computeIfAbsent("delayed task: start after its run_at", k -> new ArrayList<>())
                        .add(between(runAt, await(started, t.id() + "#1")));
            }
            for (int i = 0; i < n; i++) { // a retry: started again after the failure by (base 200 ms, ±25%)
                Task t = store.insert(List.of(TaskRequest.of("fail-once").queue("timing"))).get(0);
                worker.wake();
                Instant second = await(started, t.id() + "#2");
                ms.computeIfAbsent("retry: second attempt after the first failed (retry-base 200 ms)", k -> new ArrayList<>())
                        .add(between(failed.get(t.id()), second));
            }
            KafruSchedules schedules = KafruSchedules.of(new SurrealScheduleRepository(db), registry, Clock.systemUTC());
            schedules.create(ScheduleRequest.of("every-second", "record").cron("* * * * * ?").queue("timing"));
            ScheduleRunner runner = new ScheduleRunner(new SurrealScheduleRepository(db), Clock.systemUTC(),
                    new SchedulerSettings(true, Duration.ofSeconds(5), MissedRunPolicy.FIRE_ONCE, Duration.ofSeconds(60), 100),
                    queue -> worker.wake());
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(n, 15));
            while (System.nanoTime() < until) { // as the Scheduler bean drives it
                runner.runDue();
                Thread.sleep(Math.max(1, runner.delayUntilNext().toMillis()));
            }
            schedules.remove(schedules.byName("every-second").orElseThrow().id());
            Thread.sleep(500);
            System.out.println("  schedule fired " + ((List<?>) db.query("SELECT VALUE id FROM kafru_queues WHERE name = 'every-second'",
                    Map.of()).get(0)).size() + " tasks in " + Math.min(n, 15) + " s");
            for (Object row : (List<?>) db.query("SELECT VALUE [record::id(id), run_at] FROM kafru_queues WHERE name = 'every-second'",
                    Map.of()).get(0)) {
                List<?> idRunAt = (List<?>) row;
                Instant start = started.get(idRunAt.get(0) + "#1");
                if (start != null) {
                    ms.computeIfAbsent("schedule: task started after its occurrence", k -> new ArrayList<>())
                            .add(between((Instant) idRunAt.get(1), start));
                }
            }
            SurrealAgentRepository agentsB = new SurrealAgentRepository(other); // another server sends the command
            for (int i = 0; i < Math.min(n, 10); i++) {
                Task t = store.insert(List.of(TaskRequest.of("sleep").queue("timing"))).get(0);
                worker.wake();
                await(started, t.id() + "#1");
                String agent = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (agent == null && System.nanoTime() < deadline) { // task agents are written after 200 ms
                    var found = agentsB.list(AgentFilter.builder().kind(AgentKind.Task).queueId(t.id()).build(), 1);
                    agent = found.isEmpty() ? null : found.get(0).id();
                    Thread.sleep(10);
                }
                Instant sent = Instant.now();
                agentsB.sendCommand(agent, Command.TaskTerminate, "timing", "bench");
                while (store.get(t.id()).orElseThrow().status() != TaskStatus.Error) {
                    Thread.sleep(2);
                }
                ms.computeIfAbsent("TaskTerminate from another server: until the task ended Error", k -> new ArrayList<>())
                        .add(between(sent, Instant.now()));
            }
            signals.close();
            worker.stop(Duration.ofSeconds(5));
            agentsA.close();
            System.out.println("| timing | p50 | p99 | samples |");
            System.out.println("|---|---|---|---|");
            Map<String, Double> result = new LinkedHashMap<>();
            ms.forEach((what, values) -> {
                System.out.printf(Locale.ROOT, "| %s | %.1f ms | %.1f ms | %d |%n", what, Bench.percentile(values, 50),
                        Bench.percentile(values, 99), values.size());
                result.put("p50_" + result.size(), Bench.percentile(values, 50));
            });
            return result;
        } finally {
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }

    private static double between(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    private static Instant await(Map<String, Instant> started, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Instant at;
        while ((at = started.get(key)) == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(key + " did not start within 30 s");
            }
            Thread.sleep(1);
        }
        return at;
    }
}
