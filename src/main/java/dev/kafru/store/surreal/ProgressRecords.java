package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskProgress;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Units.Member;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.None;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.kafru.store.surreal.SurrealRows.instant;
import static dev.kafru.store.surreal.SurrealRows.number;
import static dev.kafru.store.surreal.SurrealRows.text;

/**
 * Handlers' progress reports, one record per task in {@value Schema#PROGRESS} keyed by the task's
 * key: apart from {@code kafru_queues}, so that a report never rewrites its task's row — or, for a
 * member of a push unit, the unit's row that many tasks share. A record keeps the unit a member
 * belongs to ({@code unit}), so that {@link #forget} knows when its task is gone.
 */
final class ProgressRecords {

    private ProgressRecords() {
    }

    /** The progress record of a task. */
    static RecordId id(String taskKey) {
        return new RecordId(Schema.PROGRESS, taskKey);
    }

    /**
     * Writes the reports in one transaction, each only if it is not behind the stored one (as a
     * share of its total), so that two servers or two attempts never move it backwards.
     */
    static void save(SurrealConnection db, Map<String, TaskProgress> reports) {
        if (reports.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>(reports.size());
        reports.forEach((key, p) -> {
            Member member = Units.member(key);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id(key));
            row.put("done", p.done());
            row.put("total", p.total());
            row.put("note", p.note() == null ? None.NONE : p.note());
            row.put("unit", member == null ? None.NONE : member.unitId());
            rows.add(row);
        });
        ConflictRetry.run(() -> db.query("""
                BEGIN TRANSACTION;
                FOR $p IN $reports {
                    LET $was = (SELECT done, total FROM ONLY $p.id);
                    IF $was = NONE OR <float> $p.done / <float> $p.total >= <float> $was.done / <float> $was.total {
                        UPSERT $p.id CONTENT {done: $p.done, total: $p.total, note: $p.note, unit: $p.unit, at: time::now()} RETURN NONE;
                    };
                };
                COMMIT TRANSACTION;""", Map.of("reports", rows)));
    }

    /** A stored record read back; 100% when its task completed (the last report may be older than the end). */
    static TaskProgress read(Object record, TaskStatus status) {
        if (!(record instanceof Map<?, ?> row)) {
            return null;
        }
        TaskProgress progress = new TaskProgress(number(row.get("done")), number(row.get("total")), text(row.get("note")),
                instant(row.get("at")));
        return status == TaskStatus.Completed ? progress.complete() : progress;
    }

    /** The tasks with their stored progress, read in one request. */
    static List<Task> withProgress(SurrealConnection db, List<Task> tasks) {
        if (tasks.isEmpty()) {
            return tasks;
        }
        List<RecordId> ids = new ArrayList<>(tasks.size());
        for (Task task : tasks) {
            ids.add(id(task.id()));
        }
        Map<String, Object> found = new HashMap<>();
        for (Object o : (List<?>) db.query("SELECT * FROM $ids", Map.of("ids", ids)).get(0)) {
            Map<?, ?> row = (Map<?, ?>) o;
            found.put(SurrealRows.key(row.get("id")), row);
        }
        if (found.isEmpty()) {
            return tasks;
        }
        List<Task> read = new ArrayList<>(tasks.size());
        for (Task task : tasks) {
            Object record = found.get(task.id());
            read.add(record == null ? task : task.withProgress(read(record, task.status())));
        }
        return read;
    }

    /**
     * Deletes the records of tasks that are gone: neither a row of their own nor (for a member of a
     * unit) their unit is left. Checks up to {@code limit} records after {@code after}.
     */
    static String forget(SurrealConnection db, String after, int limit) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("after", after == null ? None.NONE : id(after));
        vars.put("limit", (long) limit);
        List<Object> result = ConflictRetry.run(() -> db.query("""
                LET $batch = (SELECT id, unit FROM kafru_progress WHERE $after = NONE OR id > $after ORDER BY id LIMIT $limit);
                LET $gone = $batch.filter(|$p| !record::exists(type::record('kafru_queues', record::id($p.id)))
                    AND ($p.unit = NONE OR !record::exists($p.unit))).id;
                IF array::len($gone) > 0 { DELETE $gone RETURN NONE; };
                RETURN IF array::len($batch) < $limit THEN NONE ELSE record::id($batch[array::len($batch) - 1].id) END;""", vars));
        return text(result.get(result.size() - 1));
    }
}
