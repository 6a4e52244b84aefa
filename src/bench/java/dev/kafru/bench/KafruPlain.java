package dev.kafru.bench;

import dev.kafru.Task;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.store.RpcSurrealConnection;
import dev.kafru.store.Schema;
import dev.kafru.store.SurrealConnection;
import dev.kafru.store.SurrealSettings;
import dev.kafru.store.TaskStore;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * kafru without a container: its store and one queue worker with default settings, as
 * {@code Workers} and {@code KafruQueue} use them — tasks pushed in 500-row statements with
 * their signal, the worker woken by each push and by the signals' live query.
 */
final class KafruPlain {

    private KafruPlain() {
    }

    static SurrealSettings database(Bench.Options o, String name) {
        return SurrealSettings.of(URI.create("ws://127.0.0.1:" + o.dbPort + "/rpc"), SurrealLauncher.USER, SurrealLauncher.PASSWORD,
                "kafru_bench", name + "_" + System.nanoTime());
    }

    static Map<String, Double> throughput(Bench.Options o) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(o.threads + 2);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        AtomicInteger ran = new AtomicInteger();
        Object done = new Object();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(database(o, "plain"))) {
            Schema.apply(db);
            TaskStore store = new TaskStore(db);
            TaskHandler noop = ctx -> {
                if (ran.incrementAndGet() == o.tasks) {
                    synchronized (done) {
                        done.notifyAll();
                    }
                }
            };
            WorkerSettings settings = WorkerSettings.defaults();
            if (o.extra.containsKey("batch-size")) { // for trying other settings: --batch-size=N
                settings = new WorkerSettings(settings.pollInterval(), settings.lease(), settings.shutdownTimeout(),
                        settings.retryBase(), settings.retryMax(), Integer.parseInt(o.extra.get("batch-size")), settings.prefetch());
            }
            QueueDispatcher worker = new QueueDispatcher("bench", o.threads, settings, store,
                    TaskRegistry.of(Map.of("noop", noop)), executor, timer, "bench-server/bench");
            SurrealConnection.LiveSubscription signals = store.onSignal(s -> worker.wake());
            worker.start();
            long start = System.nanoTime();
            push(store, o.tasks, worker);
            double pushed = (System.nanoTime() - start) / 1e9;
            synchronized (done) {
                while (ran.get() < o.tasks) {
                    done.wait(1000);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            awaitCompletedInStore(db, "bench", o.tasks);
            worker.stop(Duration.ofSeconds(5));
            signals.close();
            if (ran.get() != o.tasks) {
                throw new IllegalStateException("ran " + ran.get() + " of " + o.tasks);
            }
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("rate", o.tasks / seconds);
            r.put("push", pushed);
            return r;
        } finally {
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }

    /** Pushes no-op tasks as {@code KafruQueue.pushAll} does: 500 per statement, three in flight, waking the worker after each. */
    static void push(TaskStore store, int tasks, QueueDispatcher worker) {
        push(store, tasks, worker, "bench");
    }

    static void push(TaskStore store, int tasks, QueueDispatcher worker, String queue) {
        List<java.util.concurrent.CompletableFuture<?>> chunks = new ArrayList<>();
        for (int from = 0; from < tasks; from += 500) {
            if (chunks.size() >= 3) {
                chunks.get(chunks.size() - 3).join();
            }
            List<TaskRequest> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(tasks, from + 500); i++) {
                chunk.add(TaskRequest.of("noop").queue(queue));
            }
            chunks.add(store.insertAsync(chunk).thenRun(worker::wake));
        }
        chunks.forEach(java.util.concurrent.CompletableFuture::join);
    }

    /** Once, after the timed part: the store says every task is Completed (one scan, outside the measurement). */
    static void awaitCompletedInStore(SurrealConnection db, String queue, int tasks) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            long n = ((Number) db.query("RETURN count(SELECT VALUE id FROM kafru_queues WHERE queue = $q AND status = 'Completed')",
                    Map.of("q", queue)).get(0)).longValue();
            if (n == tasks) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the store has " + n + " of " + tasks + " tasks Completed");
            }
            Thread.sleep(100);
        }
    }

    /**
     * Idle push→start: one task at a time on an idle worker, pushed as {@code KafruQueue.push} does
     * on the same server (handed straight to a free thread), and from another server (a second
     * connection: insert, signal, live-query wake, claim).
     */
    static Map<String, Double> latency(Bench.Options o) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(6);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        AtomicLong startedAt = new AtomicLong();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(database(o, "latency"));
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
            QueueDispatcher worker = new QueueDispatcher("idle", 4, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("mark", mark)), executor, timer, "bench-server/idle");
            SurrealConnection.LiveSubscription live = store.onSignal(s -> {
                if (s.wake()) {
                    worker.noteDue(s.earliest());
                    worker.wake();
                }
            });
            worker.start();
            List<Double> local = new ArrayList<>();
            List<Double> remote = new ArrayList<>();
            for (int i = 0; i < o.samples + 10; i++) {
                double l = sample(startedAt, worker, () -> {
                    TaskRequest request = TaskRequest.of("mark").queue("idle");
                    if (worker.tryHandOff()) {
                        Task task = store.insertClaimed(request, worker.owner(), worker.settings().lease());
                        worker.handedOff(task);
                    } else {
                        store.insert(List.of(request));
                        worker.wake();
                    }
                });
                double r = sample(startedAt, worker, () -> otherServer.insert(List.of(TaskRequest.of("mark").queue("idle"))));
                if (i >= 10) { // the first ones warm the JIT
                    local.add(l);
                    remote.add(r);
                }
            }
            live.close();
            worker.stop(Duration.ofSeconds(5));
            Map<String, Double> result = new LinkedHashMap<>();
            result.put("p50", Bench.percentile(local, 50));
            result.put("p99", Bench.percentile(local, 99));
            result.put("remoteP50", Bench.percentile(remote, 50));
            result.put("remoteP99", Bench.percentile(remote, 99));
            return result;
        } finally {
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }

    /** Milliseconds from the push to the handler's start; waits (does not spin) so both cores stay with the engine. */
    static double sample(AtomicLong startedAt, QueueDispatcher worker, Runnable push) throws InterruptedException {
        startedAt.set(0);
        long t0 = System.nanoTime();
        push.run();
        synchronized (startedAt) {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (startedAt.get() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("task did not start within 30 s");
                }
                TimeUnit.NANOSECONDS.timedWait(startedAt, left);
            }
        }
        double ms = (startedAt.get() - t0) / 1e6;
        idle(worker);
        return ms;
    }

    /** Waits until the worker has nothing running and its outcome is written, so the next sample starts idle. */
    static void idle(QueueDispatcher worker) throws InterruptedException {
        while (worker.runningCount() > 0) {
            Thread.sleep(1);
        }
        Thread.sleep(20);
    }
}
