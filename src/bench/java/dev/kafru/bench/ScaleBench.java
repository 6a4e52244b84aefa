package dev.kafru.bench;

import dev.kafru.store.MetricSnapshot;
import dev.kafru.store.TaskRepository;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealAgentRepository;
import dev.kafru.store.surreal.SurrealMetricRepository;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.worker.Retention;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * kafru_queues at 0, 1k, 100k and 1M rows — 70% Completed history (of the busy queue and five
 * others), 15% future-dated tasks of the busy queue, 15% other queues' backlogs — and at each
 * size: every periodic query's time (median of 5), a label filter's first page (one row in a
 * thousand is labelled, as the store writes labelled tasks) and the claim throughput of the busy
 * queue (N no-op tasks pushed and run, as in the plain mode).
 */
final class ScaleBench {

    /** The label one row in {@link #LABELLED_EVERY} of the fill carries. */
    static final String LABEL = "scale-tenant";
    static final int LABELLED_EVERY = 1000;

    private static final int[] SIZES = {0, 1_000, 100_000, 1_000_000};

    private ScaleBench() {
    }

    static Map<String, Double> run(Bench.Options o) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        int most = Integer.parseInt(o.extra.getOrDefault("rows", "1000000"));
        for (int size : SIZES) {
            if (size <= most) {
                sizes.add(size);
            }
        }
        Map<String, Double> result = new LinkedHashMap<>();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(KafruPlain.database(o, "scale"))) {
            Schema.apply(db);
            SurrealTaskRepository store = new SurrealTaskRepository(db);
            store.registerQueues(List.of("busy", "other-1", "other-2", "other-3", "other-4", "other-5"));
            long filled = 0;
            System.out.println("| rows in kafru_queues | claim throughput, busy queue | idle claim from the range start (once per poll) | next due | waiting gauge | counts for GET /queues (6 queues) | lease reaper | retention pass | signals clean-up | agents' expiry | metric snapshot | label filter (first 100 of rows/1000) |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (int size : sizes) {
                long start = System.nanoTime();
                filled = fill(db, filled, size);
                double fillSeconds = (System.nanoTime() - start) / 1e9;
                Map<String, Double> times = periodic(db, store);
                double rate = KafruPlain.throughput(o, db, "busy").get("rate");
                result.put("rate" + size, rate);
                System.out.printf(Locale.ROOT, "| %,d%s | %,.0f tasks/s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", size,
                        size == 0 ? "" : String.format(Locale.ROOT, " (filled in %.0f s)", fillSeconds), rate,
                        ms(times, "idle claim"), ms(times, "next due"), ms(times, "waiting gauge"), ms(times, "queue counts"),
                        ms(times, "lease reaper"), ms(times, "retention pass"), ms(times, "signals clean-up"),
                        ms(times, "agents' expiry"), ms(times, "metric snapshot"), ms(times, "label filter"));
                result.put("labelFilterMs" + size, times.get("label filter"));
            }
            // the history is an hour old: retention of 30 minutes finds it all, and deletes while the busy queue runs
            Retention deleting = new Retention(store, Optional.of(Duration.ofMinutes(30)), Optional.of(Duration.ofMinutes(30)),
                    Clock.systemUTC());
            java.util.concurrent.ScheduledExecutorService every = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
            java.util.concurrent.atomic.AtomicLong deleted = new java.util.concurrent.atomic.AtomicLong();
            every.scheduleWithFixedDelay(() -> deleted.addAndGet(deleting.pass()), 0, 10, java.util.concurrent.TimeUnit.SECONDS);
            double withRetention;
            try {
                withRetention = KafruPlain.throughput(o, db, "busy-2").get("rate"); // a queue whose completions it does not delete
            } finally {
                every.shutdownNow();
                every.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS);
            }
            result.put("rateWithRetention", withRetention);
            System.out.printf(Locale.ROOT, "  claim throughput while retention deletes the history (%,d deleted meanwhile): %,.0f tasks/s%n",
                    deleted.get(), withRetention);
            double empty = result.get("rate0");
            double largest = result.get("rate" + sizes.get(sizes.size() - 1));
            System.out.printf(Locale.ROOT, "  claim throughput at %,d rows: %.0f%% of the empty table's%n", sizes.get(sizes.size() - 1),
                    100 * largest / empty);
        }
        return result;
    }

    private static String ms(Map<String, Double> times, String key) {
        return String.format(Locale.ROOT, "%.1f ms", times.get(key));
    }

    /** Adds rows until the table holds {@code size} (besides the busy queue's finished benchmark tasks). */
    private static long fill(SurrealConnection db, long from, long size) {
        Instant now = Instant.now();
        long nowNanos = TaskRepository.nanos(now);
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        for (long i = from; i < size; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", new RecordId(Schema.QUEUES, "fill" + i));
            row.put("handler", "noop");
            row.put("name", "noop");
            row.put("parameters", Map.of());
            row.put("priority", 0L);
            row.put("attempts", 0L);
            row.put("max_attempts", 3L);
            row.put("date_created", now);
            row.put("date_modified", now);
            long kind = i % 20;
            if (kind < 14) { // Completed an hour ago, of the busy queue and others
                row.put("queue", kind < 7 ? "busy" : "other-" + (1 + kind % 5));
                row.put("status", "Completed");
                row.put("rank", 0L);
                row.put("due", nowNanos - 3_600_000_000_000L + i);
                row.put("run_at", now.minusSeconds(3600));
                row.put("finished_at", now.minusSeconds(3600));
                row.put("attempts", 1L);
            } else if (kind < 17) { // the busy queue's tasks due tomorrow
                row.put("queue", "busy");
                row.put("status", "Waiting");
                row.put("rank", 0L);
                row.put("due", nowNanos + 86_400_000_000_000L + i);
                row.put("run_at", now.plusSeconds(86_400));
            } else { // other queues' backlogs, due now
                row.put("queue", "other-" + (1 + kind % 5));
                row.put("status", "Waiting");
                row.put("rank", 0L);
                row.put("due", nowNanos + i);
                row.put("run_at", now);
            }
            if (i % LABELLED_EVERY == 0) { // as SurrealTaskRepository stores a labelled task: the field and an entry per label
                row.put("labels", List.of(LABEL));
                labels.add(Map.of("id", new RecordId(Schema.LABELS, List.of(LABEL, now, row.get("id")))));
            }
            rows.add(row);
            if (rows.size() == 1000) {
                insert(db, rows, labels);
                rows = new ArrayList<>();
                labels = new ArrayList<>();
            }
        }
        if (!rows.isEmpty()) {
            insert(db, rows, labels);
        }
        return size;
    }

    private static void insert(SurrealConnection db, List<Map<String, Object>> rows, List<Map<String, Object>> labels) {
        db.query("INSERT INTO kafru_queues $rows RETURN NONE; IF array::len($labels) > 0 { INSERT INTO kafru_labels $labels RETURN NONE; };",
                Map.of("rows", rows, "labels", labels));
    }

    private static Map<String, Double> periodic(SurrealConnection db, SurrealTaskRepository store) {
        SurrealAgentRepository agents = new SurrealAgentRepository(db);
        SurrealMetricRepository metrics = new SurrealMetricRepository(db);
        Retention retention = new Retention(store, Optional.of(Duration.ofHours(24)), Optional.of(Duration.ofDays(7)), Clock.systemUTC());
        Map<String, Double> times = new LinkedHashMap<>();
        times.put("idle claim", median(() -> store.claim("busy", "scale/busy", 100, Duration.ofSeconds(30), List.of())));
        times.put("next due", median(() -> store.nextRunAt("busy")));
        times.put("waiting gauge", median(() -> store.waiting("busy") + store.waiting("other-1")));
        times.put("queue counts", median(() -> {
            for (String queue : store.queueNames()) {
                store.counts(queue, TaskRepository.LIST_COUNT_CAP);
            }
            return null;
        }));
        times.put("lease reaper", median(() -> store.recoverExpiredLeases("busy", 1000)));
        times.put("retention pass", median(retention::pass));
        times.put("signals clean-up", median(() -> store.forgetSignals(Duration.ofMinutes(1), 1000)));
        times.put("agents' expiry", median(() -> agents.expire("scale-server", Duration.ofSeconds(30), Duration.ofSeconds(90))));
        times.put("metric snapshot", median(() -> {
            metrics.upsert(List.of(new MetricSnapshot("scale-server/busy", "Worker", 0, 8, Instant.now())));
            return metrics.list();
        }));
        times.put("label filter", median(() -> store.list(dev.kafru.TaskFilter.ANY.withLabel(LABEL), 100, 0)));
        return times;
    }

    private static double median(Supplier<?> call) {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long t = System.nanoTime();
            call.get();
            ms.add((System.nanoTime() - t) / 1e6);
        }
        return Bench.median(ms);
    }

}
