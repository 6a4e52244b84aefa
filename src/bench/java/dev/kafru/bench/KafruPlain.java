package dev.kafru.bench;

import dev.kafru.KafruQueue;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.store.Subscription;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * kafru without a container: its store and one queue worker with default settings, as
 * {@code Workers} and {@code KafruQueue} use them — tasks pushed in 500-row statements with
 * their signal, the worker woken by each push and by the signals' live query.
 */
final class KafruPlain {

    private KafruPlain() {
    }

    /** A new database on the benchmark's launcher, named after {@code name}. */
    static SurrealSettings database(Bench.Options o, String name) {
        return onLauncher(o, name + "_" + System.nanoTime());
    }

    /** The database {@code database} on the benchmark's launcher. */
    static SurrealSettings onLauncher(Bench.Options o, String database) {
        return SurrealSettings.of(URI.create("ws://127.0.0.1:" + o.dbPort + "/rpc"), SurrealLauncher.USER, SurrealLauncher.PASSWORD,
                "kafru_bench", database);
    }

    /** The warm-up and the timed flood ({@link Measure#warmThenTime}) on a database of its own. */
    static Map<String, Double> throughput(Bench.Options o) throws Exception {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(database(o, "plain"))) {
            Schema.apply(db);
            Measure.Runs runs = new Measure.Runs(0);
            try (Worker worker = new Worker(o, db, "bench", "bench-server", runs)) {
                Measure.enginePort = o.dbPort;
                Map<String, Double> r = Measure.warmThenTime(o, o.tasks, runs, worker);
                System.out.println("  write conflicts retried (warm-up included): " + ConflictRetry.retried());
                return r;
            }
        }
    }

    /** One flood of {@code o.tasks} on {@code queue}, no warm-up (the scale mode's claim throughput at each size). */
    static Map<String, Double> throughput(Bench.Options o, SurrealConnection db, String queue) throws Exception {
        Measure.Runs runs = new Measure.Runs(0);
        try (Worker worker = new Worker(o, db, queue, "bench-server", runs)) {
            return Measure.flood(runs, worker, 0, o.tasks);
        }
    }

    /**
     * One queue worker with default settings on pools of its own, woken by each push and by the
     * signals' live query, as {@code Workers} runs it; it serves every flood of the JVM.
     */
    private static final class Worker implements Measure.Flood, AutoCloseable {
        private final ExecutorService executor;
        private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        private final SurrealConnection db;
        private final String queue;
        private final SurrealTaskRepository store;
        private final QueueDispatcher dispatcher;
        private final Subscription signals;
        private final long completedBefore;
        private final long pushPauseNanos;

        Worker(Bench.Options o, SurrealConnection db, String queue, String server, Measure.Runs runs) {
            this.executor = Executors.newFixedThreadPool(o.threads + 2);
            this.db = db;
            this.queue = queue;
            this.store = new SurrealTaskRepository(db);
            WorkerSettings settings = WorkerSettings.defaults();
            if (o.extra.containsKey("batch-size")) { // for trying other settings: --batch-size=N
                settings = settings.toBuilder().batchSize(Integer.parseInt(o.extra.get("batch-size"))).build();
            }
            // for finding out how the push's pace changes the rest: --push-pause-us=N between push statements
            this.pushPauseNanos = 1_000L * Long.parseLong(o.extra.getOrDefault("push-pause-us", "0"));
            this.dispatcher = new QueueDispatcher(queue, o.threads, settings, store,
                    TaskRegistry.of(Map.of("noop", (TaskHandler) ctx -> runs.ran())), executor, timer, server + "/" + queue);
            this.signals = store.onSignal(s -> dispatcher.wake());
            this.completedBefore = completed(db, queue);
            dispatcher.start();
        }

        @Override
        public void push(long first, int tasks) {
            KafruPlain.push(store, tasks, dispatcher, queue, pushPauseNanos);
        }

        @Override
        public void confirm(long total) throws InterruptedException {
            awaitCompletedInStore(db, queue, completedBefore + total);
        }

        @Override
        public void close() {
            dispatcher.stop(Duration.ofSeconds(5));
            signals.close();
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }

    /** Two workers on the queue, each with its own connection, as two servers: how claims contend. */
    static Map<String, Double> twoServers(Bench.Options o) throws Exception {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(database(o, "plain2"));
             RpcSurrealConnection second = RpcSurrealConnection.open(db.settings())) {
            Schema.apply(db);
            Measure.Runs runs = new Measure.Runs(0);
            try (Worker pushing = new Worker(o, db, "bench", "bench-server-0", runs);
                 Worker other = new Worker(o, second, "bench", "bench-server-1", runs)) {
                Measure.enginePort = o.dbPort;
                Map<String, Double> r = Measure.warmThenTime(o, o.tasks, runs, pushing);
                System.out.println("  write conflicts retried (both workers, warm-up included): " + ConflictRetry.retried());
                return r;
            }
        }
    }

    /**
     * Two (or more) plain workers on one queue, each in a JVM of its own serving the benchmark's
     * calls over loopback HTTP ({@link #serve}), driven as the Payara servers are
     * ({@link KafruContainer#flood}): what running two JVMs costs, apart from the container.
     */
    static Map<String, Double> separateJvms(Bench.Options o, int servers) throws Exception {
        SurrealSettings db = database(o, "plain2jvm");
        try (RpcSurrealConnection schema = RpcSurrealConnection.open(db)) {
            Schema.apply(schema);
        }
        List<Process> started = new ArrayList<>();
        try {
            List<KafruContainer.Served> served = new ArrayList<>();
            for (int i = 1; i <= servers; i++) {
                List<String> command = Bench.childCommand(o, "kafru-serve", o.dbPort);
                command.addAll(List.of("--database=" + db.database(), "--server-name=bench-server-" + i));
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                started.add(p);
                served.add(new KafruContainer.Served(URI.create("http://127.0.0.1:" + servingPort(p) + "/"), p.toHandle()));
            }
            return KafruContainer.flood(o, db, served);
        } finally {
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** The port a serving JVM printed ("SERVING port"); its further output is drained (and kept from the benchmark's). */
    private static int servingPort(Process p) throws Exception {
        java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("SERVING ")) {
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // kept out of the benchmark's output
                        }
                    } catch (java.io.IOException ignored) {
                        // the process ended
                    }
                }, "serving-output");
                drain.setDaemon(true);
                drain.start();
                return Integer.parseInt(line.substring("SERVING ".length()).trim());
            }
            seen.add(line);
        }
        throw new IllegalStateException("a serving JVM ended before it served (exit " + p.waitFor() + "):\n" + String.join("\n", seen));
    }

    /**
     * A serving JVM (child "kafru-serve"): one plain worker on queue "bench" of {@code --database},
     * and on 127.0.0.1 the calls the benchmark's Payara application answers — POST prepare?n=
     * (nothing to do here), POST push?n= (pushes as {@link #push} does, answers the nanoseconds it
     * took), GET count, GET conflicts —
     * until the benchmark ends it.
     */
    static Map<String, Double> serve(Bench.Options o) throws Exception {
        try (RpcSurrealConnection db = RpcSurrealConnection.open(onLauncher(o, o.extra.get("database")))) {
            Measure.Runs runs = new Measure.Runs(Integer.MAX_VALUE); // counted only, never awaited here
            try (Worker worker = new Worker(o, db, "bench", o.extra.get("server-name"), runs)) {
                com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                        new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
                http.createContext("/push", exchange -> answer(exchange, () -> {
                    int n = n(exchange);
                    long start = System.nanoTime();
                    worker.push(0, n);
                    return String.valueOf(System.nanoTime() - start);
                }));
                // the Payara application builds its requests here, before the timed push; this JVM builds them as it pushes
                http.createContext("/prepare", exchange -> answer(exchange, () -> String.valueOf(n(exchange))));
                http.createContext("/count", exchange -> answer(exchange, () -> String.valueOf(runs.count())));
                http.createContext("/conflicts", exchange -> answer(exchange, () -> String.valueOf(ConflictRetry.retried())));
                http.setExecutor(Executors.newFixedThreadPool(2));
                http.start();
                System.out.println("SERVING " + http.getAddress().getPort());
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE); // until the benchmark ends this JVM
            }
        }
        return Map.of();
    }

    /** The {@code n} of a {@code push?n=} or {@code prepare?n=} request. */
    private static int n(com.sun.net.httpserver.HttpExchange exchange) {
        return Integer.parseInt(exchange.getRequestURI().getQuery().replaceFirst("^n=", ""));
    }

    private interface Answer {
        String get() throws Exception;
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, Answer answer) throws java.io.IOException {
        int status = 200;
        String body;
        try {
            body = answer.get();
        } catch (Exception e) {
            status = 500;
            body = String.valueOf(e);
        }
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (java.io.OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Pushes no-op tasks as {@code KafruQueue.pushAll} does: its statement size and statements in flight, waking the worker after each. */
    static void push(SurrealTaskRepository store, int tasks, QueueDispatcher worker, String queue, long pauseNanos) {
        List<java.util.concurrent.CompletableFuture<?>> chunks = new ArrayList<>();
        int rows = KafruQueue.PUSH_STATEMENT_ROWS;
        int inFlight = KafruQueue.PUSH_STATEMENTS_IN_FLIGHT;
        for (int from = 0; from < tasks; from += rows) {
            if (pauseNanos > 0 && from > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
            }
            if (chunks.size() >= inFlight) {
                chunks.get(chunks.size() - inFlight).join();
            }
            List<TaskRequest> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(tasks, from + rows); i++) {
                chunk.add(TaskRequest.of("noop").queue(queue));
            }
            chunks.add(store.insertAsync(chunk).thenRun(worker::wake));
        }
        chunks.forEach(java.util.concurrent.CompletableFuture::join);
    }

    /** Once, after the timed part: the store says every task is Completed (a scan, outside the measurement). */
    static void awaitCompletedInStore(SurrealConnection db, String queue, long tasks) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long n;
        while ((n = completed(db, queue)) != tasks) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the store has " + n + " Completed tasks in " + queue + ", not " + tasks);
            }
            Thread.sleep(100);
        }
    }

    /** Completed tasks of the queue, as the store counts them (exactly, rows and push units alike). */
    static long completed(SurrealConnection db, String queue) {
        return new SurrealTaskRepository(db).counts(queue, 0).get(dev.kafru.TaskStatus.Completed);
    }

    /**
     * Idle push→start: one task at a time on an idle worker, pushed as {@code KafruQueue.push} does
     * on the same server (handed straight to a free thread), and from another server (a second
     * connection: insert, signal, live-query wake, claim).
     */
    static Map<String, Double> latency(Bench.Options o) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(6);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
        Measure.Start start = new Measure.Start();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(database(o, "latency"));
             RpcSurrealConnection other = RpcSurrealConnection.open(db.settings())) {
            Schema.apply(db);
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            SurrealTaskRepository otherServer = new SurrealTaskRepository(other);
            QueueDispatcher worker = new QueueDispatcher("idle", 4, WorkerSettings.defaults(), store,
                    TaskRegistry.of(Map.of("mark", ctx -> start.mark())), executor, timer, "bench-server/idle");
            Subscription live = store.onSignal(s -> {
                if (s.wake()) {
                    worker.noteDue(s.earliest());
                    worker.wake();
                }
            });
            worker.start();
            List<Double> remote = new ArrayList<>();
            List<Double> local = Measure.samples(o.samples, 10, 0, () -> {
                start.reset();
                long t0 = System.nanoTime();
                TaskRequest request = TaskRequest.of("mark").queue("idle");
                if (worker.tryHandOff()) { // as KafruQueue.push does
                    worker.handedOff(store.insertClaimed(request, worker.owner(), worker.settings().lease()));
                } else {
                    store.insert(List.of(request));
                    worker.wake();
                }
                double ms = start.msAfter(t0);
                idle(worker);
                start.reset();
                long t1 = System.nanoTime();
                otherServer.insert(List.of(TaskRequest.of("mark").queue("idle")));
                remote.add(start.msAfter(t1));
                idle(worker);
                return ms;
            });
            live.close();
            worker.stop(Duration.ofSeconds(5));
            return Measure.percentiles(local, remote.subList(10, remote.size()));
        } finally {
            executor.shutdownNow();
            timer.shutdownNow();
        }
    }

    /** Waits until the worker has nothing running and its outcome is written, so the next sample starts idle. */
    static void idle(QueueDispatcher worker) throws InterruptedException {
        while (worker.runningCount() > 0) {
            Thread.sleep(1);
        }
        Thread.sleep(20);
    }
}
