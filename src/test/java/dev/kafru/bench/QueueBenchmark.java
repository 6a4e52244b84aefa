package dev.kafru.bench;

import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.store.RpcSurrealConnection;
import dev.kafru.store.Schema;
import dev.kafru.store.SurrealConnection;
import dev.kafru.store.TaskStore;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes N no-op tasks and measures, on the real engine (RocksDB through the launcher):
 * end-to-end tasks/s (first push to last Completed row, worker running throughout), and idle
 * push→start latency, both for a push on the same server (direct wake) and from another
 * connection (live-query wake). Also runs the crate's claim (select, then update, one task at a
 * time) over the same tasks, for a ratio measured in the same run.
 *
 * <p>Run: {@code src/scripts/bench.sh [tasks] [threads] [repeats]} (defaults 20000 16 3).
 */
public final class QueueBenchmark {

    public static void main(String[] args) throws Exception {
        int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        System.out.printf("kafru queue benchmark: %d no-op tasks, %d worker threads, median of %d runs, %d cores%n",
                tasks, threads, repeats, Runtime.getRuntime().availableProcessors());
        try (SurrealLauncher launcher = SurrealLauncher.start()) {
            List<Double> kafruRates = new ArrayList<>();
            List<Double> crateRates = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                kafruRates.add(endToEnd(launcher, tasks, threads));
                crateRates.add(crateStyle(launcher, Math.max(500, tasks / 10)));
            }
            double kafru = median(kafruRates);
            double crate = median(crateRates);
            System.out.printf("end to end (push + claim + run + complete): %.0f tasks/s   runs: %s%n", kafru, rounded(kafruRates));
            System.out.printf("crate-style claim (select then update, 1 task per round trip, no sleeps): %.0f tasks/s   runs: %s%n",
                    crate, rounded(crateRates));
            System.out.printf("ratio kafru / crate-style: %.1fx%n", kafru / crate);
            latency(launcher, 200);
        }
    }

    static double endToEnd(SurrealLauncher launcher, int tasks, int threads) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(threads + 2);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        AtomicInteger ran = new AtomicInteger();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            Schema.apply(db);
            TaskStore store = new TaskStore(db);
            TaskHandler noop = ctx -> ran.incrementAndGet();
            QueueDispatcher dispatcher = new QueueDispatcher("bench", threads, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("noop", noop)), executor, scheduler, "bench-server/bench");
            dispatcher.start();
            long start = System.nanoTime();
            pushNoops(store, tasks, dispatcher);
            awaitCompleted(db, tasks);
            double seconds = (System.nanoTime() - start) / 1e9;
            dispatcher.stop(Duration.ofSeconds(5));
            if (ran.get() != tasks) {
                throw new IllegalStateException("ran " + ran.get() + " of " + tasks);
            }
            return tasks / seconds;
        } finally {
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    /** The crate's claim: select one waiting task, then update it, then complete it. */
    static double crateStyle(SurrealLauncher launcher, int tasks) {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase())) {
            Schema.apply(db);
            TaskStore store = new TaskStore(db);
            pushNoops(store, tasks, null);
            long start = System.nanoTime();
            int done = 0;
            while (true) {
                List<?> rows = (List<?>) db.query("SELECT * FROM kafru_queues WHERE queue = $q AND status = 'Waiting' LIMIT 1",
                        Map.of("q", "bench")).get(0);
                if (rows.isEmpty()) {
                    break;
                }
                Object id = ((Map<?, ?>) rows.get(0)).get("id");
                db.query("UPDATE $id SET status = 'InProgress'", Map.of("id", id));
                db.query("UPDATE $id SET status = 'Completed', finished_at = time::now()", Map.of("id", id));
                done++;
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    static void latency(SurrealLauncher launcher, int samples) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(6);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        AtomicLong startedAt = new AtomicLong();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(launcher.freshDatabase());
             RpcSurrealConnection other = RpcSurrealConnection.open(db.settings())) {
            Schema.apply(db);
            TaskStore store = new TaskStore(db);
            TaskStore otherServer = new TaskStore(other);
            TaskHandler mark = ctx -> {
                startedAt.set(System.nanoTime());
                synchronized (startedAt) {
                    startedAt.notifyAll();
                }
            };
            QueueDispatcher dispatcher = new QueueDispatcher("idle", 4, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("mark", mark)), executor, scheduler, "bench-server/idle");
            SurrealConnection.LiveSubscription live = store.onWaiting((q, runAt) -> dispatcher.wake());
            dispatcher.start();
            List<Double> local = new ArrayList<>();
            List<Double> remote = new ArrayList<>();
            for (int i = 0; i < samples; i++) {
                local.add(pushAndWait(store, dispatcher, startedAt, true));
                remote.add(pushAndWait(otherServer, dispatcher, startedAt, false));
            }
            live.close();
            dispatcher.stop(Duration.ofSeconds(5));
            System.out.printf("idle push→start latency, same server (direct wake): p50 %.2f ms, p99 %.2f ms (%d samples)%n",
                    percentile(local, 50), percentile(local, 99), samples);
            System.out.printf("idle push→start latency, other server (live-query wake): p50 %.2f ms, p99 %.2f ms (%d samples)%n",
                    percentile(remote, 50), percentile(remote, 99), samples);
        } finally {
            executor.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    private static double pushAndWait(TaskStore store, QueueDispatcher dispatcher, AtomicLong startedAt, boolean wake)
            throws InterruptedException {
        startedAt.set(0);
        long t0 = System.nanoTime();
        store.insert(List.of(TaskRequest.of("mark").queue("idle")));
        if (wake) {
            dispatcher.wake();
        }
        synchronized (startedAt) {
            // the handler notifies; waiting (not spinning) leaves both cores to the engine
            long deadline = t0 + Duration.ofSeconds(30).toNanos();
            while (startedAt.get() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("task did not start within 30 s");
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(startedAt, left);
            }
        }
        double ms = (startedAt.get() - t0) / 1e6;
        while (dispatcher.runningCount() > 0) {
            Thread.sleep(1);
        }
        Thread.sleep(20); // let the outcome write finish so the next sample starts idle
        return ms;
    }

    /** Pushes {@code tasks} no-op tasks to queue "bench" in 500-row inserts, waking the dispatcher after each. */
    public static void pushNoops(TaskStore store, int tasks, QueueDispatcher dispatcher) {
        for (int from = 0; from < tasks; from += 500) {
            List<TaskRequest> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(tasks, from + 500); i++) {
                chunk.add(TaskRequest.of("noop").queue("bench"));
            }
            store.insert(chunk);
            if (dispatcher != null) {
                dispatcher.wake();
            }
        }
    }

    /** Returns once {@code tasks} tasks are Completed. */
    public static void awaitCompleted(RpcSurrealConnection db, int tasks) throws InterruptedException {
        while (((Number) db.query("RETURN count(SELECT id FROM kafru_queues WHERE status = 'Completed')", Map.of()).get(0))
                .longValue() < tasks) {
            Thread.sleep(50); // a count scans the table: poll it gently
        }
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    static double percentile(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private static List<Long> rounded(List<Double> values) {
        return values.stream().map(Math::round).toList();
    }
}
