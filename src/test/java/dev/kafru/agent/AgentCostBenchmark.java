package dev.kafru.agent;

import dev.kafru.bench.QueueBenchmark;
import dev.kafru.TaskHandler;
import dev.kafru.store.AgentStore;
import dev.kafru.store.MetricStore;
import dev.kafru.store.RpcSurrealConnection;
import dev.kafru.store.Schema;
import dev.kafru.store.TaskStore;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What agents cost the queue: the end-to-end run of {@code QueueBenchmark} (push N no-op tasks,
 * claim, run, complete), with and without this server's agents (task agents, heartbeats,
 * snapshots), alternating, in one JVM on one engine. Tasks that sleep {@code sleepMillis} show
 * the cost when every task outlives a cycle and gets a written agent.
 *
 * <p>Run: {@code java -cp … dev.kafru.agent.AgentCostBenchmark [tasks] [threads] [repeats] [sleepMillis]}
 */
public final class AgentCostBenchmark {

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long sleep = args.length > 3 ? Long.parseLong(args[3]) : 0;
        try (SurrealLauncher launcher = SurrealLauncher.start()) {
            for (int r = 0; r < repeats; r++) {
                System.out.printf("run %d: without agents %.0f tasks/s, with agents %.0f tasks/s (%d tasks, %d threads, %d ms each)%n",
                        r + 1, run(launcher, tasks, threads, sleep, false), run(launcher, tasks, threads, sleep, true),
                        tasks, threads, sleep);
            }
        }
    }

    static double run(SurrealLauncher launcher, int tasks, int threads, long sleep, boolean agents) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads + 4);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        AtomicInteger ran = new AtomicInteger();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            Schema.apply(db);
            TaskStore store = new TaskStore(db);
            TaskHandler handler = ctx -> {
                if (sleep > 0) {
                    Thread.sleep(sleep);
                }
                ran.incrementAndGet();
            };
            QueueDispatcher dispatcher = new QueueDispatcher("bench", threads, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("noop", handler)), executor, timer, "bench-server/bench");
            ServerAgents server = null;
            if (agents) {
                server = new ServerAgents(new AgentStore(db), new MetricStore(db), "bench-server", timer, executor,
                        AgentSettings.defaults(), (d, force) -> d.stop(Duration.ZERO));
                server.start();
                server.registerQueue(dispatcher);
            }
            dispatcher.start();
            long start = System.nanoTime();
            QueueBenchmark.pushNoops(store, tasks, dispatcher);
            QueueBenchmark.awaitCompleted(db, tasks);
            double seconds = (System.nanoTime() - start) / 1e9;
            dispatcher.stop(Duration.ofSeconds(5));
            if (server != null) {
                server.close();
            }
            return tasks / seconds;
        } finally {
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }
}
