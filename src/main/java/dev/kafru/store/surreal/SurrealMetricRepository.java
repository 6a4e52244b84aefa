package dev.kafru.store.surreal;

import dev.kafru.store.MetricRepository;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.store.MinuteCount;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every SurrealQL statement on {@code kafru_metrics} (one current row per worker or scheduler,
 * the crate's metric snapshots, upserted by name) and {@code kafru_minutes} (finished attempts per
 * server, queue and minute, read and pruned by an index range on the minute). Values are bound
 * parameters only.
 */
public final class SurrealMetricRepository extends SurrealRepository implements MetricRepository {

    /** A repository on the connection {@code connection} gives at each call (see {@link SurrealRepository}). */
    public SurrealMetricRepository(Supplier<SurrealConnection> connection) {
        super(connection);
    }

    /** A repository on one connection (tests, benchmarks: a connection per simulated server). */
    public SurrealMetricRepository(SurrealConnection connection) {
        this(() -> connection);
    }

    /** Writes the current snapshots, one row per name, in one request. */
    @Override
    public void upsert(List<MetricSnapshot> snapshots) {
        if (snapshots.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MetricSnapshot s : snapshots) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", new RecordId(Schema.METRICS, s.name()));
            row.put("name", s.name());
            row.put("kind", s.kind());
            row.put("alive", s.numAliveTasks());
            row.put("workers", s.numWorkers());
            rows.add(row);
        }
        ConflictRetry.run(() -> db().query("FOR $m IN $rows { UPSERT $m.id SET name = $m.name, kind = $m.kind,"
                + " num_alive_tasks = $m.alive, num_workers = $m.workers, timestamp = time::now() RETURN NONE; };",
                Map.of("rows", rows)));
    }

    @Override
    public List<MetricSnapshot> list() {
        return SurrealRows.rows(db().query("SELECT * FROM kafru_metrics ORDER BY name", Map.of()).get(0), SurrealRows::metric);
    }

    /** One UPSERT per row, in one request; the key names server, queue and minute, so a rewrite replaces. */
    @Override
    public void countMinutes(String server, List<MinuteCount> counts) {
        if (counts.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MinuteCount c : counts) {
            long at = c.minute().getEpochSecond();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", new RecordId(Schema.MINUTES, server + "/" + c.queue() + "/" + at));
            row.put("server", server);
            row.put("queue", c.queue());
            row.put("at", at);
            row.put("completed", c.completed());
            row.put("failed", c.failed());
            rows.add(row);
        }
        ConflictRetry.run(() -> db().query("FOR $m IN $rows { UPSERT $m.id SET server = $m.server, queue = $m.queue,"
                + " at = $m.at, completed = $m.completed, failed = $m.failed RETURN NONE; };", Map.of("rows", rows)));
    }

    /** Summed over servers by the engine itself: an index range on the minute, grouped by queue and minute. */
    @Override
    public List<MinuteCount> minutesSince(Instant from) {
        return SurrealRows.rows(db().query("SELECT queue, at, math::sum(completed) AS completed, math::sum(failed) AS failed"
                + " FROM kafru_minutes WHERE at >= $from GROUP BY queue, at ORDER BY queue, at",
                Map.of("from", from.getEpochSecond())).get(0), row -> new MinuteCount(SurrealRows.text(row.get("queue")),
                Instant.ofEpochSecond(SurrealRows.number(row.get("at"))), SurrealRows.number(row.get("completed")),
                SurrealRows.number(row.get("failed"))));
    }

    @Override
    public int forgetMinutes(Instant before, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query(
                "DELETE (SELECT VALUE id FROM kafru_minutes WHERE at < $before LIMIT $limit) RETURN BEFORE",
                Map.of("before", before.getEpochSecond(), "limit", (long) limit)));
        return ((List<?>) result.get(0)).size();
    }
}
