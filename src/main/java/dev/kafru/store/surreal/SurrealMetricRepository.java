package dev.kafru.store.surreal;

import dev.kafru.store.Schema;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every SurrealQL statement on {@code kafru_metrics}: one current row per worker or scheduler
 * (the crate's metric snapshots), upserted by name. Values are bound parameters only.
 */
public final class SurrealMetricRepository {

    private final SurrealConnection db;

    public SurrealMetricRepository(SurrealConnection db) {
        this.db = db;
    }

    /** One snapshot; {@code kind} is Worker or Scheduler, as in the crate. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "MetricSnapshot",
            description = "Running tasks and threads of one worker or scheduler, at its last snapshot")
    public record Snapshot(String name, String kind, long numAliveTasks, long numWorkers, Instant timestamp) {
    }

    /** Writes the current snapshots, one row per name, in one request. */
    public void upsert(List<Snapshot> snapshots) {
        if (snapshots.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Snapshot s : snapshots) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", new RecordId(Schema.METRICS, s.name()));
            row.put("name", s.name());
            row.put("kind", s.kind());
            row.put("alive", s.numAliveTasks());
            row.put("workers", s.numWorkers());
            rows.add(row);
        }
        ConflictRetry.run(() -> db.query("FOR $m IN $rows { UPSERT $m.id SET name = $m.name, kind = $m.kind,"
                + " num_alive_tasks = $m.alive, num_workers = $m.workers, timestamp = time::now() RETURN NONE; };",
                Map.of("rows", rows)));
    }

    public List<Snapshot> list() {
        List<Snapshot> out = new ArrayList<>();
        for (Object o : (List<?>) db.query("SELECT * FROM kafru_metrics ORDER BY name", Map.of()).get(0)) {
            Map<?, ?> r = (Map<?, ?>) o;
            out.add(new Snapshot((String) r.get("name"), (String) r.get("kind"), ((Number) r.get("num_alive_tasks")).longValue(),
                    ((Number) r.get("num_workers")).longValue(), (Instant) r.get("timestamp")));
        }
        return out;
    }

}
