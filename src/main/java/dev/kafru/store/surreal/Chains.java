package dev.kafru.store.surreal;

import dev.kafru.TaskRequest;
import dev.kafru.surrealdb.RecordId;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Chains as stored: one {@code kafru_chains} record per task pushed after another ({@link TaskRequest#then},
 * {@link TaskRequest#onFailure}), written with its parent and keyed by the key its task will have.
 * The record holds the task's row, complete but for its times; the transaction that ends the parent
 * inserts it ({@code follow} in {@link SurrealTaskRepository}) and marks the record {@code pushed},
 * so each follower is pushed once, by whichever server ended the parent.
 */
final class Chains {

    static final String TABLE = "kafru_chains";
    /** The record's {@code on} for a follower of a task that completed. */
    static final String ON_COMPLETED = "Completed";
    /** The record's {@code on} for a follower of a task that ended Error or Cancelled. */
    static final String ON_FAILED = "Failed";

    private Chains() {
    }

    /**
     * Marks {@code row} (the row of {@code request}, stored under {@code key}) as one that others
     * wait for, and adds the chain records of its followers, at every level, to {@code out}.
     */
    static void add(String key, TaskRequest request, Map<String, Object> row, List<Map<String, Object>> out) {
        if (!request.hasFollowers()) {
            return;
        }
        row.put("chained", true);
        add(key, ON_COMPLETED, request.thenRequests(), out);
        add(key, ON_FAILED, request.onFailureRequests(), out);
    }

    /**
     * The chain record of {@code follower} after the task {@code parent} ({@code on}: {@link #ON_COMPLETED}
     * or {@link #ON_FAILED}) first in {@code out}, then those of its own followers; returns its key.
     */
    static String one(String parent, String on, TaskRequest follower, List<Map<String, Object>> out) {
        add(parent, on, List.of(follower), out);
        return ((dev.kafru.surrealdb.RecordId) out.get(0).get("id")).keyText();
    }

    private static void add(String parent, String on, List<TaskRequest> followers, List<Map<String, Object>> out) {
        for (TaskRequest follower : followers) {
            String key = SurrealTaskRepository.newKey();
            Map<String, Object> row = SurrealTaskRepository.row(follower);
            row.put("id", new RecordId(Schema.QUEUES, key));
            row.put("parent", parent);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", new RecordId(TABLE, key));
            record.put("parent", parent);
            record.put("on", on);
            record.put("queue", follower.queue());
            record.put("handler", follower.handler());
            record.put("row", row);
            out.add(record);
            add(key, follower, row, out);
        }
    }
}
