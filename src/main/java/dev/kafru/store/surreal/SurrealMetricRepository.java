package dev.kafru.store.surreal;

import dev.kafru.store.MetricRepository;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every SurrealQL statement on {@code kafru_metrics}: one current row per worker or scheduler
 * (the crate's metric snapshots), upserted by name. Values are bound parameters only.
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
}
