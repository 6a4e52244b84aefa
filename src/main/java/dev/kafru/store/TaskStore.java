package dev.kafru.store;

import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Every SurrealQL statement on {@code kafru_queues}. Values are bound parameters only.
 *
 * <p>Claiming never uses ORDER BY (SurrealDB sorts every matching row before LIMIT): the claim
 * walks the index {@code (queue, status, rank, due)}, where {@code rank} is the negated
 * priority and {@code due} is run_at in epoch nanoseconds (see {@link Schema#CLAIM_INDEX}), so due
 * tasks come out highest priority first, then oldest run_at first.
 */
public final class TaskStore {

    /** Largest page a list may ask for. */
    public static final int MAX_LIMIT = 1000;

    private static final String CLAIM = """
            BEGIN TRANSACTION;
            LET $now = time::nano(time::now());
            LET $ids = (SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND due <= $now LIMIT $n);
            LET $got = (UPDATE $ids SET status = 'InProgress', owner = $owner, lease_until = time::now() + $lease,
                        started_at = time::now(), attempts += 1
                        WHERE status = 'Waiting' AND due <= $now RETURN AFTER);
            RETURN $got;
            COMMIT TRANSACTION;
            """;

    private static final String FINISH = """
            UPDATE $done SET status = 'Completed', finished_at = time::now(), lease_until = NONE, message = NONE
                WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            FOR $f IN $retry {
                UPDATE $f.id SET status = 'Waiting', run_at = time::now() + $f.delay, message = $f.message,
                       owner = NONE, lease_until = NONE
                WHERE status = 'InProgress' AND owner = $owner;
            };
            FOR $f IN $failed {
                UPDATE $f.id SET status = 'Error', finished_at = time::now(), message = $f.message, lease_until = NONE
                WHERE status = 'InProgress' AND owner = $owner;
            };
            """;

    private final SurrealConnection db;

    public TaskStore(SurrealConnection db) {
        this.db = db;
    }

    /** Stores validated requests as Waiting tasks, in one statement, and returns them. */
    public List<Task> insert(List<TaskRequest> requests) {
        List<Map<String, Object>> rows = new ArrayList<>(requests.size());
        for (TaskRequest request : requests) {
            rows.add(row(request));
        }
        return tasks(db.query("INSERT INTO kafru_queues $rows", Map.of("rows", rows)).get(0));
    }

    /** The row a new Waiting task is stored as; run_at defaults to the database's now when absent. */
    static Map<String, Object> row(TaskRequest request) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", request.name());
        row.put("queue", request.queue());
        row.put("handler", request.handler());
        row.put("parameters", request.parameters());
        row.put("status", TaskStatus.Waiting.name());
        row.put("priority", (long) request.priority());
        row.put("rank", -(long) request.priority());
        if (request.runAt() != null) {
            row.put("run_at", request.runAt());
        }
        row.put("attempts", 0L);
        row.put("max_attempts", (long) request.maxAttempts());
        return row;
    }

    public Optional<Task> get(String key) {
        List<Task> found = tasks(db.query("SELECT * FROM $id", Map.of("id", id(key))).get(0));
        return found.stream().findFirst();
    }

    /** Tasks oldest first, filtered by status and queue when given. */
    public List<Task> list(TaskStatus status, String queue, int limit, int offset) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", status == null ? None.NONE : status.name());
        vars.put("queue", queue == null ? None.NONE : queue);
        vars.put("limit", (long) limit);
        vars.put("offset", (long) offset);
        return tasks(db.query("SELECT * FROM kafru_queues WHERE ($status = NONE OR status = $status)"
                + " AND ($queue = NONE OR queue = $queue) ORDER BY date_created, id LIMIT $limit START $offset", vars).get(0));
    }

    /** How many tasks each queue holds, by status: queue → status → count. */
    public Map<String, Map<String, Long>> countsByQueue() {
        Map<String, Map<String, Long>> counts = new LinkedHashMap<>();
        for (Object row : (List<?>) db.query("SELECT queue, status, count() AS n FROM kafru_queues GROUP BY queue, status", Map.of()).get(0)) {
            Map<?, ?> r = (Map<?, ?>) row;
            counts.computeIfAbsent(String.valueOf(r.get("queue")), q -> new LinkedHashMap<>())
                    .put(String.valueOf(r.get("status")), ((Number) r.get("n")).longValue());
        }
        return counts;
    }

    /** Replaces the changeable fields of a task that is not running; empty when there is no such task. */
    public Optional<Task> update(String key, TaskRequest changes) {
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("name", changes.name());
        set.put("queue", changes.queue());
        set.put("handler", changes.handler());
        set.put("parameters", changes.parameters());
        set.put("priority", (long) changes.priority());
        set.put("rank", -(long) changes.priority());
        set.put("max_attempts", (long) changes.maxAttempts());
        if (changes.runAt() != null) {
            set.put("run_at", changes.runAt());
        }
        List<Object> result = db.query("UPDATE $id MERGE $set WHERE status != 'InProgress' RETURN AFTER",
                Map.of("id", id(key), "set", set));
        return tasks(result.get(0)).stream().findFirst();
    }

    /**
     * Puts an Error task back to Waiting, due now, with its attempts counted from zero again;
     * empty when there is no such task or it is not in Error.
     */
    public Optional<Task> retry(String key) {
        return tasks(ConflictRetry.run(() -> db.query("UPDATE $id SET status = 'Waiting', attempts = 0, message = NONE,"
                + " run_at = time::now(), owner = NONE, lease_until = NONE, started_at = NONE, finished_at = NONE"
                + " WHERE status = 'Error' RETURN AFTER", Map.of("id", id(key)))).get(0)).stream().findFirst();
    }

    /** Removes a task unless it is running; true when it was removed. */
    public boolean removeIdle(String key) {
        return !((List<?>) ConflictRetry.run(() -> db.query("DELETE $id WHERE status != 'InProgress' RETURN BEFORE",
                Map.of("id", id(key)))).get(0)).isEmpty();
    }

    /** True when a task was removed. */
    public boolean remove(String key) {
        return !((List<?>) db.query("DELETE $id RETURN BEFORE", Map.of("id", id(key))).get(0)).isEmpty();
    }

    /** Removes the tasks matching the filters; returns how many. */
    public long purge(TaskStatus status, String queue) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", status == null ? None.NONE : status.name());
        vars.put("queue", queue == null ? None.NONE : queue);
        List<Object> results = ConflictRetry.run(() -> db.query("DELETE kafru_queues WHERE ($status = NONE OR status = $status)"
                + " AND ($queue = NONE OR queue = $queue) RETURN VALUE id", vars));
        return ((List<?>) results.get(0)).size();
    }

    /**
     * Moves up to {@code n} due Waiting tasks of a queue to InProgress for {@code owner}, with a
     * lease, in one transaction; a write conflict with another claimer is retried.
     */
    public List<Task> claim(String queue, String owner, int n, Duration lease) {
        Map<String, Object> vars = Map.of("queue", queue, "owner", owner, "n", (long) n, "lease", lease);
        return ConflictRetry.run(() -> tasks(db.query(CLAIM, vars).get(4)));
    }

    /** What came of one attempt, to be written with others in one round trip. */
    public record Outcome(String taskKey, TaskStatus status, String message, Duration retryDelay) {
        public static Outcome completed(String key) {
            return new Outcome(key, TaskStatus.Completed, null, null);
        }

        public static Outcome retry(String key, String message, Duration delay) {
            return new Outcome(key, TaskStatus.Waiting, message, delay);
        }

        public static Outcome failed(String key, String message) {
            return new Outcome(key, TaskStatus.Error, message, null);
        }
    }

    /**
     * Writes the outcomes of attempts in one request. Only tasks still InProgress and owned by
     * {@code owner} change: a task whose lease lapsed and that another server took is left alone.
     */
    public CompletableFuture<Void> finish(String owner, List<Outcome> outcomes) {
        List<RecordId> done = new ArrayList<>();
        List<Map<String, Object>> retry = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id(outcome.taskKey()));
            switch (outcome.status()) {
                case Completed -> done.add(id(outcome.taskKey()));
                case Waiting -> {
                    row.put("message", truncate(outcome.message()));
                    row.put("delay", outcome.retryDelay());
                    retry.add(row);
                }
                default -> {
                    row.put("message", truncate(outcome.message()));
                    failed.add(row);
                }
            }
        }
        return db.queryAsync(FINISH, Map.of("owner", owner, "done", done, "retry", retry, "failed", failed))
                .thenApply(r -> null);
    }

    /** Extends the leases of tasks this owner is running. */
    public void renewLeases(String owner, List<String> keys, Duration lease) {
        if (keys.isEmpty()) {
            return;
        }
        ConflictRetry.run(() -> db.query("UPDATE $ids SET lease_until = time::now() + $lease WHERE status = 'InProgress' AND owner = $owner",
                Map.of("ids", ids(keys), "lease", lease, "owner", owner)));
    }

    /**
     * Returns tasks whose owner stopped renewing its lease (a dead server) to Waiting — or ends
     * them Error when that was their last attempt. The attempt stays counted.
     *
     * @return how many tasks were recovered
     */
    public int recoverExpiredLeases() {
        List<Object> result = ConflictRetry.run(() -> db.query("""
                UPDATE kafru_queues SET
                    status = IF attempts >= max_attempts THEN 'Error' ELSE 'Waiting' END,
                    message = 'lease of ' + (owner ?? 'unknown owner') + ' expired during attempt ' + <string> attempts,
                    finished_at = IF attempts >= max_attempts THEN time::now() ELSE NONE END,
                    owner = NONE, lease_until = NONE
                WHERE status = 'InProgress' AND lease_until < time::now() RETURN VALUE id""", Map.of()));
        return ((List<?>) result.get(0)).size();
    }

    /**
     * Gives tasks back to the queue on shutdown: they become Waiting again at once. When
     * {@code uncount} is true the attempt is not counted (the task never ran).
     */
    public void handBack(String owner, List<String> keys, boolean uncount) {
        if (keys.isEmpty()) {
            return;
        }
        ConflictRetry.run(() -> db.query("UPDATE $ids SET status = 'Waiting', owner = NONE, lease_until = NONE, run_at = time::now(),"
                        + " attempts = IF $uncount THEN math::max([attempts - 1, 0]) ELSE attempts END"
                        + " WHERE status = 'InProgress' AND owner = $owner",
                Map.of("ids", ids(keys), "owner", owner, "uncount", uncount)));
    }

    /**
     * The earliest run_at of a Waiting task of the queue, if any — also when it is already due:
     * a task that came due just after a claim looked must still set the caller's timer.
     */
    public Optional<Instant> nextRunAt(String queue) {
        Object value = db.query("RETURN array::min((SELECT VALUE run_at FROM kafru_queues WHERE queue = $queue"
                + " AND status = 'Waiting'))", Map.of("queue", queue)).get(0);
        return value instanceof Instant instant ? Optional.of(instant) : Optional.empty();
    }

    /**
     * A live query that reports each task that becomes Waiting (pushed or retried) with its
     * queue and run_at, so that dispatchers on every server wake at once, or when it comes due.
     */
    public SurrealConnection.LiveSubscription onWaiting(java.util.function.BiConsumer<String, Instant> listener) {
        return db.liveQuery("LIVE SELECT queue, run_at FROM kafru_queues WHERE status = 'Waiting'", Map.of(), n -> {
            if (n.result() instanceof Map<?, ?> row && row.get("queue") instanceof String queue) {
                listener.accept(queue, instant(row.get("run_at")));
            }
        });
    }

    static RecordId id(String key) {
        return RecordId.parse(Schema.QUEUES, key);
    }

    private static List<RecordId> ids(List<String> keys) {
        return keys.stream().map(TaskStore::id).toList();
    }

    private static String truncate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > 4000 ? message.substring(0, 4000) + "…" : message;
    }

    static List<Task> tasks(Object result) {
        List<Task> tasks = new ArrayList<>();
        if (result instanceof List<?> rows) {
            for (Object row : rows) {
                tasks.add(task((Map<?, ?>) row));
            }
        }
        return tasks;
    }

    @SuppressWarnings("unchecked")
    static Task task(Map<?, ?> row) {
        RecordId id = (RecordId) row.get("id");
        Object parameters = row.get("parameters");
        return new Task(id.keyText(), text(row.get("name")), text(row.get("queue")), text(row.get("handler")),
                parameters instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of(),
                TaskStatus.valueOf(text(row.get("status"))), text(row.get("message")),
                (int) number(row.get("priority")), instant(row.get("run_at")), (int) number(row.get("attempts")),
                (int) number(row.get("max_attempts")), text(row.get("owner")), instant(row.get("lease_until")),
                instant(row.get("date_created")), instant(row.get("date_modified")),
                instant(row.get("started_at")), instant(row.get("finished_at")));
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }

    private static Instant instant(Object value) {
        return value instanceof Instant i ? i : null;
    }
}
