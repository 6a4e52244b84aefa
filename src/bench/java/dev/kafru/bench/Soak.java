package dev.kafru.bench;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.agent.AgentSettings;
import dev.kafru.agent.ServerAgents;
import dev.kafru.config.Durations;
import dev.kafru.store.Outcome;
import dev.kafru.store.Subscription;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealAgentRepository;
import dev.kafru.store.surreal.SurrealMetricRepository;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Retention;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;
import dev.kafru.worker.Workers;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The soak ({@code bench.sh --mode soak --minutes M --rate R}): kafru without a container — its
 * store, one queue worker and the duties the {@code Workers} and {@code AgentService} beans run
 * (lease reaper with the signals' clean-up, count folding, retention, agents' heartbeats, metric
 * snapshots and per-minute counts) — fed at a steady rate for M minutes, with retention on and
 * short ({@code --retention=2m} by default), so that every table reaches its steady size within
 * the run. Each tick (100 ms) pushes what the rate owes: half as one statement as
 * {@code KafruQueue.pushAll} does (a push unit), half one by one as {@code KafruQueue.push} does
 * ({@code --singles=PERCENT} moves the share; {@code --live=false} runs without the live query, polling every 100 ms). Every minute it prints a line and appends a CSV row:
 * tasks pushed and completed, push→start p50/p99, the engine's and this JVM's resident memory,
 * heap, the data directory's size, and the main tables' row counts.
 */
final class Soak {

    /** The tables counted every minute. */
    static final List<String> TABLES = List.of("kafru_queues", "kafru_payloads", "kafru_slices", "kafru_count_deltas", "kafru_counts",
            "kafru_signals", "kafru_unique", "kafru_minutes", "kafru_agents", "kafru_metrics");
    static final String QUEUE = "soak";

    private Soak() {
    }

    static Map<String, Double> run(Bench.Options o) throws Exception {
        Duration keepCompleted = Durations.parse(o.extra.getOrDefault("retention", "2m"));
        int singlesPercent = Integer.parseInt(o.extra.getOrDefault("singles", "50"));
        long enginePid = Long.parseLong(o.extra.getOrDefault("engine-pid", "0"));
        Path dataDir = Path.of(o.extra.getOrDefault("data-dir", "."));
        Path csv = Path.of(o.extra.getOrDefault("csv", "target/soak-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC).format(Instant.now()) + ".csv"));
        ExecutorService executor = Executors.newFixedThreadPool(o.threads + 2);
        ExecutorService duties = Executors.newCachedThreadPool();
        ExecutorService singles = Executors.newFixedThreadPool(4);
        ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
        AtomicLong pushed = new AtomicLong();
        AtomicLong completed = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong deleted = new AtomicLong();
        AtomicReference<ConcurrentLinkedQueue<Long>> latencies = new AtomicReference<>(new ConcurrentLinkedQueue<>());
        try (RpcSurrealConnection db = RpcSurrealConnection.open(KafruPlain.database(o, "soak"));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            Schema.apply(db);
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            store.registerQueues(List.of(QUEUE));
            // --live=false: no live query (kafru.worker.live-wakeups=false), workers poll every 100 ms instead —
            // to tell whether the engine's memory grows with the notifications it sends
            boolean live = Boolean.parseBoolean(o.extra.getOrDefault("live", "true"));
            WorkerSettings settings = live ? WorkerSettings.defaults() : WorkerSettings.defaults().withPollInterval(Duration.ofMillis(100));
            QueueDispatcher worker = new QueueDispatcher(QUEUE, o.threads, settings, store,
                    TaskRegistry.of(Map.of("stamp", ctx -> latencies.get().add(System.nanoTime() - ((Number) ctx.parameters().get("t")).longValue()))),
                    executor, timer, "soak-server/" + QUEUE);
            worker.addObserver(new QueueDispatcher.Observer() {
                @Override
                public void finished(Task task, Outcome outcome, Duration took) {
                    if (outcome != null && outcome.status() == dev.kafru.TaskStatus.Completed) {
                        completed.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
            });
            Subscription signals = live ? store.onSignal(s -> {
                if (s.wake()) {
                    worker.noteDue(s.earliest());
                    worker.wake();
                }
            }) : () -> { };
            ServerAgents agents = new ServerAgents(new SurrealAgentRepository(db), new SurrealMetricRepository(db), "soak-server", timer, duties,
                    AgentSettings.defaults(), (d, force) -> d.stop(Duration.ZERO));
            agents.start();
            agents.registerQueue(worker);
            worker.start();
            // the Workers bean's duties, at its intervals (lease / 2, 1 s, kafru.retention.interval 10 s), each skipped while its last run goes on
            Retention retention = new Retention(store, Optional.of(keepCompleted), Optional.of(keepCompleted), Clock.systemUTC());
            long reapEvery = Math.max(250, settings.lease().toMillis() / 2);
            duty(timer, duties, reapEvery, () -> {
                store.recoverExpiredLeases(QUEUE, 1000);
                Workers.forgetOldSignals(store, Duration.ofMinutes(1)); // as Workers' reaper does
            });
            duty(timer, duties, 1000, () -> {
                for (int i = 0; i < 10 && store.foldCounts(Duration.ofSeconds(1), 2000) == 2000; i++) {
                    // as Workers.foldCounts: go on while a transaction is full
                }
            });
            duty(timer, duties, 10_000, () -> deleted.addAndGet(retention.pass()));

            System.out.printf(Locale.ROOT, "  soak: %d min at %,d tasks/s (%d%% pushed one by one, the rest in one statement per 100 ms tick), "
                            + "%d threads, retention of Completed and failed tasks %s (pass every 10 s), csv %s%n",
                    o.minutes, o.rate, singlesPercent, o.threads, keepCompleted, csv.toAbsolutePath());
            out.println(csvHeader());
            out.flush();
            long began = System.nanoTime();
            AtomicLong owed = new AtomicLong();
            var ticks = timer.scheduleAtFixedRate(() -> {
                long due = (long) ((System.nanoTime() - began) / 1e9 * o.rate);
                int n = (int) Math.min(o.rate, due - owed.get()); // never more than a second's worth in one tick
                if (n <= 0) {
                    return;
                }
                owed.addAndGet(n);
                int one = n * singlesPercent / 100;
                for (int i = 0; i < one; i++) {
                    singles.execute(() -> pushOne(store, worker, pushed));
                }
                if (n - one > 0) {
                    pushMany(store, worker, n - one, pushed);
                }
            }, 0, 100, TimeUnit.MILLISECONDS);

            List<Map<String, Double>> minutes = new ArrayList<>();
            long lastCompleted = 0;
            long lastPushed = 0;
            long lastDeleted = 0;
            for (int minute = 1; minute <= o.minutes; minute++) {
                long wait = began + TimeUnit.MINUTES.toNanos(minute) - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                List<Long> lat = new ArrayList<>(latencies.getAndSet(new ConcurrentLinkedQueue<>()));
                long c = completed.get();
                long p = pushed.get();
                long d = deleted.get();
                Map<String, Double> row = new LinkedHashMap<>();
                row.put("minute", (double) minute);
                row.put("pushed", (double) (p - lastPushed));
                row.put("completed", (double) (c - lastCompleted));
                row.put("backlog", (double) (p - c));
                row.put("failed", (double) failed.get());
                row.put("p50_ms", percentileMs(lat, 50));
                row.put("p99_ms", percentileMs(lat, 99));
                row.put("max_ms", percentileMs(lat, 100));
                row.put("engine_rss_mb", rssMb(enginePid == 0 ? null : Path.of("/proc", String.valueOf(enginePid), "status")));
                row.put("jvm_rss_mb", rssMb(Path.of("/proc/self/status")));
                row.put("heap_used_mb", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0);
                row.put("old_gen_mb", oldGenMb());
                row.put("disk_mb", diskBytes(dataDir) / 1048576.0);
                row.put("retention_deleted", (double) (d - lastDeleted));
                long t0 = System.nanoTime();
                Map<String, Long> rows = countRows(db);
                row.put("count_ms", (System.nanoTime() - t0) / 1e6);
                rows.forEach((table, n) -> row.put(table, (double) n));
                lastCompleted = c;
                lastPushed = p;
                lastDeleted = d;
                minutes.add(row);
                out.println(csvRow(row));
                out.flush();
                System.out.printf(Locale.ROOT, "  min %3d %s  completed %,7.0f (pushed %,7.0f, backlog %,.0f)  push→start p50 %.1f / p99 %.1f ms  "
                                + "engine %.0f MB  jvm %.0f MB (heap %.0f, old gen %.0f)  disk %.1f MB  retention -%,.0f  rows %s%n",
                        minute, DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC).format(Instant.now()),
                        row.get("completed"), row.get("pushed"), row.get("backlog"), row.get("p50_ms"), row.get("p99_ms"),
                        row.get("engine_rss_mb"), row.get("jvm_rss_mb"), row.get("heap_used_mb"), row.get("old_gen_mb"),
                        row.get("disk_mb"), row.get("retention_deleted"), shortRows(rows));
            }
            ticks.cancel(false);
            singles.shutdown(); // the pushes under way end before the connection closes
            singles.awaitTermination(30, TimeUnit.SECONDS);
            signals.close();
            worker.stop(Duration.ofSeconds(5));
            agents.close();
            Map<String, Double> first = minutes.get(0);
            Map<String, Double> last = minutes.get(minutes.size() - 1);
            Map<String, Double> result = new LinkedHashMap<>();
            result.put("minutes", (double) minutes.size());
            result.put("completedLastMinute", last.get("completed"));
            result.put("engineRssFirst", first.get("engine_rss_mb"));
            result.put("engineRssLast", last.get("engine_rss_mb"));
            result.put("jvmRssLast", last.get("jvm_rss_mb"));
            result.put("diskLast", last.get("disk_mb"));
            result.put("p99Last", last.get("p99_ms"));
            return result;
        } finally {
            singles.shutdownNow();
            timer.shutdownNow();
            executor.shutdownNow();
            duties.shutdownNow();
        }
    }

    /** As {@code KafruQueue.push}: handed straight to a free thread of this server's worker, else stored and the worker woken. */
    private static void pushOne(SurrealTaskRepository store, QueueDispatcher worker, AtomicLong pushed) {
        try {
            TaskRequest request = stamped();
            if (worker.tryHandOff()) {
                worker.handedOff(store.insertClaimed(request, worker.owner(), worker.settings().lease()));
            } else {
                store.insert(List.of(request));
                worker.wake();
            }
            pushed.incrementAndGet();
        } catch (RuntimeException e) {
            System.out.println("  push failed: " + e);
        }
    }

    /** As {@code KafruQueue.pushAll}: statements of its size, each followed by a wake-up of the worker. */
    private static void pushMany(SurrealTaskRepository store, QueueDispatcher worker, int n, AtomicLong pushed) {
        for (int from = 0; from < n; from += KafruQueue.PUSH_STATEMENT_ROWS) {
            List<TaskRequest> requests = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + KafruQueue.PUSH_STATEMENT_ROWS); i++) {
                requests.add(stamped());
            }
            try {
                store.insert(requests);
                worker.wake();
                pushed.addAndGet(requests.size());
            } catch (RuntimeException e) {
                System.out.println("  push of " + requests.size() + " failed: " + e);
            }
        }
    }

    private static TaskRequest stamped() {
        return TaskRequest.of("stamp").queue(QUEUE).parameters(Map.of("t", System.nanoTime()));
    }

    private static void duty(ScheduledExecutorService timer, ExecutorService on, long everyMs, Runnable duty) {
        AtomicBoolean busy = new AtomicBoolean();
        timer.scheduleWithFixedDelay(() -> {
            if (busy.compareAndSet(false, true)) {
                on.execute(() -> {
                    try {
                        duty.run();
                    } catch (RuntimeException e) {
                        System.out.println("  duty failed (next time): " + e);
                    } finally {
                        busy.set(false);
                    }
                });
            }
        }, everyMs, everyMs, TimeUnit.MILLISECONDS);
    }

    /** Each table's rows, counted by the engine (a scan of each; a table never written has none). */
    static Map<String, Long> countRows(SurrealConnection db) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String table : TABLES) {
            List<?> rows = (List<?>) db.query("SELECT count() FROM type::table($table) GROUP ALL", Map.of("table", table)).get(0);
            counts.put(table, rows.isEmpty() ? 0L : ((Number) ((Map<?, ?>) rows.get(0)).get("count")).longValue());
        }
        return counts;
    }

    private static String shortRows(Map<String, Long> rows) {
        StringBuilder s = new StringBuilder();
        rows.forEach((table, n) -> s.append(s.isEmpty() ? "" : " ").append(table.substring("kafru_".length())).append('=').append(n));
        return s.toString();
    }

    private static double percentileMs(List<Long> nanos, double p) {
        if (nanos.isEmpty()) {
            return Double.NaN;
        }
        List<Long> sorted = new ArrayList<>(nanos);
        sorted.sort(null);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }

    /** VmRSS of a process, from its /proc status, in MB; NaN when it cannot be read. */
    static double rssMb(Path status) {
        if (status == null) {
            return Double.NaN;
        }
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return Double.NaN;
    }

    /**
     * The heap's old generation now (G1 Old Gen, or the tenured pool of another collector): what
     * outlived young collections, where a leak shows. Not the pools' collection usage: under G1 the
     * old gen's is updated only by old-generation collections, which a light load may never run.
     */
    private static double oldGenMb() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && (pool.getName().contains("Old") || pool.getName().contains("Tenured"))) {
                used += pool.getUsage().getUsed();
            }
        }
        return used / 1048576.0;
    }

    static long diskBytes(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> {
                try {
                    return Files.size(f);
                } catch (IOException e) {
                    return 0; // deleted by a compaction meanwhile
                }
            }).sum();
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    private static String csvHeader() {
        return "minute,pushed,completed,backlog,failed,p50_ms,p99_ms,max_ms,engine_rss_mb,jvm_rss_mb,heap_used_mb,old_gen_mb,disk_mb,"
                + "retention_deleted,count_ms," + String.join(",", TABLES);
    }

    private static String csvRow(Map<String, Double> row) {
        StringBuilder s = new StringBuilder();
        for (String column : csvHeader().split(",")) {
            double v = row.getOrDefault(column, Double.NaN);
            s.append(s.isEmpty() ? "" : ",").append(v == Math.rint(v) && !Double.isInfinite(v) ? String.valueOf((long) v)
                    : String.format(Locale.ROOT, "%.2f", v));
        }
        return s.toString();
    }
}
