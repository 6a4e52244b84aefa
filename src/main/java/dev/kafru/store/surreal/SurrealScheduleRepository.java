package dev.kafru.store.surreal;

import dev.kafru.Schedule;
import dev.kafru.ScheduleFilter;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskRequest;
import dev.kafru.store.ScheduleFields;
import dev.kafru.store.ScheduleRepository;
import dev.kafru.store.Subscription;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.None;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.surrealdb.SurrealException;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link ScheduleRepository} on SurrealDB: every SurrealQL statement on {@code kafru_schedules}.
 * Values are bound parameters only.
 *
 * <p>Firing is a compare-and-set on {@code next_schedule} and the task INSERT in one
 * transaction ({@link #fire}): whichever scheduler moves next_schedule away from the occurrence
 * it saw is the one that pushes its task; a scheduler that loses the race — or hits a write
 * conflict and, on retry, finds next_schedule already moved — pushes nothing. "Now" is always a
 * bound parameter (the scheduler's clock), never {@code time::now()}, so tests can set it; the
 * running scheduler's clock is the engine's, read with {@link #databaseNow()}.
 *
 * <p>Schedules have one-second resolution: next_schedule is always stored as a whole second, and
 * the due query compares it with now rounded down to the second. Measured on SurrealDB 3.0.2: an
 * index range scan over datetimes orders them as their RFC 3339 text with the fraction trimmed,
 * so {@code 12:01:00Z <= 12:01:00.4Z} is false through the index (and {@code 12:01:00.5Z <=
 * 12:01:00Z} true). Between whole seconds, text order and time order agree.
 */
public final class SurrealScheduleRepository extends SurrealRepository implements ScheduleRepository {

    private static final String FIRE = """
            BEGIN TRANSACTION;
            LET $moved = (UPDATE $id SET next_schedule = $next, status = $status, date_modified = $now
                          WHERE status = 'Enabled' AND next_schedule = $expected RETURN VALUE id);
            IF array::len($moved) > 0 AND $task != NONE {
                INSERT INTO kafru_queues $task RETURN NONE;
                INSERT INTO kafru_signals {queue: $task.queue, created: 1, earliest: $task.run_at, at: time::nano(time::now())} RETURN NONE;
                INSERT INTO kafru_count_deltas {queue: $task.queue, w: 1, p: 0, c: 0, e: 0, at: time::nano(time::now())} RETURN NONE;
                INSERT IGNORE INTO kafru_queue_names {id: type::record('kafru_queue_names', $task.queue)} RETURN NONE;
            };
            RETURN array::len($moved);
            COMMIT TRANSACTION;
            """;

    /** On this connection (tests, tools). */
    public SurrealScheduleRepository(SurrealConnection db) {
        this(() -> db);
    }

    /**
     * On whatever connection {@code connection} gives: it is asked on every call, so the container's
     * repository follows the server's shared connection (and waits for its schema) as callers did
     * before this repository existed.
     */
    public SurrealScheduleRepository(Supplier<SurrealConnection> connection) {
        super(connection);
    }

    /** A new row; the UNIQUE index on name refuses a taken name. */
    @Override
    public Schedule insert(ScheduleFields fields) {
        Map<String, Object> row = row(fields);
        row.put("date_created", fields.dateModified());
        SurrealConnection db = db();
        try {
            List<Object> result = ConflictRetry.run(() -> db.query("INSERT INTO kafru_schedules $row", Map.of("row", row)));
            return schedules(result.get(0)).get(0);
        } catch (SurrealException e) {
            if (isDuplicateName(e)) {
                throw new DuplicateNameException(fields.name(), e);
            }
            throw e;
        }
    }

    @Override
    public Optional<Schedule> get(String key) {
        return schedules(db().query("SELECT * FROM $id", Map.of("id", id(key))).get(0)).stream().findFirst();
    }

    @Override
    public Optional<Schedule> byName(String name) {
        return schedules(db().query("SELECT * FROM kafru_schedules WHERE name = $name LIMIT 1", Map.of("name", name)).get(0))
                .stream().findFirst();
    }

    @Override
    public List<Schedule> list(ScheduleFilter filter) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", filter.status() == null ? None.NONE : filter.status().name());
        vars.put("queue", filter.queue() == null ? None.NONE : filter.queue());
        vars.put("handler", filter.handler() == null ? None.NONE : filter.handler());
        vars.put("name", filter.name() == null ? None.NONE : filter.name());
        vars.put("one_time", filter.oneTime() == null ? None.NONE : filter.oneTime());
        vars.put("upcoming", filter.upcoming() == null ? None.NONE : filter.upcoming());
        vars.put("limit", (long) filter.limit());
        String order = Boolean.TRUE.equals(filter.upcoming()) ? "next_schedule, name" : "date_created, name";
        return schedules(db().query("SELECT * FROM kafru_schedules WHERE ($status = NONE OR status = $status)"
                + " AND ($queue = NONE OR queue = $queue) AND ($handler = NONE OR handler = $handler)"
                + " AND ($name = NONE OR name = $name) AND ($one_time = NONE OR one_time = $one_time)"
                + " AND ($upcoming = NONE OR (status = 'Enabled' AND next_schedule != NONE) = $upcoming)"
                + " ORDER BY " + order + " LIMIT $limit", vars).get(0));
    }

    /** A MERGE of {@link #row the fields}: NONE removes an optional field, a missing key keeps it. */
    @Override
    public Optional<Schedule> replace(String key, ScheduleFields fields) {
        return replaceIf(id(key), fields, null);
    }

    @Override
    public Optional<Schedule> replaceIfUnchanged(String key, ScheduleFields fields, Instant seen) {
        return replaceIf(id(key), fields, seen);
    }

    private Optional<Schedule> replaceIf(RecordId id, ScheduleFields fields, Instant seen) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id);
        vars.put("set", row(fields));
        vars.put("seen", seen == null ? None.NONE : seen);
        SurrealConnection db = db();
        try {
            List<Object> result = ConflictRetry.run(() -> db.query(
                    "UPDATE $id MERGE $set WHERE $seen = NONE OR date_modified = $seen RETURN AFTER", vars));
            return schedules(result.get(0)).stream().findFirst();
        } catch (SurrealException e) {
            if (isDuplicateName(e)) {
                throw new DuplicateNameException(fields.name(), e);
            }
            throw e;
        }
    }

    @Override
    public boolean remove(String key) {
        SurrealConnection db = db();
        return !((List<?>) ConflictRetry.run(() -> db.query("DELETE $id RETURN BEFORE", Map.of("id", id(key)))).get(0)).isEmpty();
    }

    @Override
    public long purge(ScheduleStatus status) {
        Map<String, Object> vars = Map.of("status", status == null ? None.NONE : status.name());
        SurrealConnection db = db();
        List<Object> result = ConflictRetry.run(() -> db.query(
                "DELETE kafru_schedules WHERE $status = NONE OR status = $status RETURN VALUE id", vars));
        return ((List<?>) result.get(0)).size();
    }

    /**
     * Walked through the (status, next_schedule) index — no ORDER BY, which would sort every due
     * row before the LIMIT.
     */
    @Override
    public List<Schedule> due(Instant now, int limit) {
        return schedules(db().query("SELECT * FROM kafru_schedules WHERE status = 'Enabled' AND next_schedule <= $now LIMIT $limit",
                Map.of("now", now.truncatedTo(ChronoUnit.SECONDS), "limit", (long) limit)).get(0));
    }

    /** A time as next_schedule stores it: rounded up to the whole second (see the class comment). */
    public static Instant wholeSecond(Instant time) {
        Instant down = time.truncatedTo(ChronoUnit.SECONDS);
        return down.equals(time) ? time : down.plusSeconds(1);
    }

    /**
     * The fields as the row's columns: a null optional field becomes NONE (MERGE removes it), a
     * null status or next_schedule is left out (MERGE keeps the stored one).
     */
    private static Map<String, Object> row(ScheduleFields fields) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", fields.name());
        row.put("queue", fields.queue());
        row.put("handler", fields.handler());
        row.put("parameters", fields.parameters());
        row.put("cron_expression", orNone(fields.cronExpression()));
        row.put("time_zone", fields.timeZone());
        if (fields.status() != null) {
            row.put("status", fields.status().name());
        }
        row.put("one_time", fields.oneTime());
        row.put("start_schedule", orNone(fields.startSchedule()));
        row.put("until_schedule", orNone(fields.untilSchedule()));
        if (fields.nextSchedule() != null) {
            row.put("next_schedule", wholeSecond(fields.nextSchedule()));
        }
        row.put("date_modified", fields.dateModified());
        return row;
    }

    private static Object orNone(Object value) {
        return value == null ? None.NONE : value;
    }

    @Override
    public Instant databaseNow() {
        return (Instant) db().query("RETURN time::now()", Map.of()).get(0);
    }

    @Override
    public Optional<Instant> earliestNext() {
        Object value = db().query("RETURN array::min((SELECT VALUE next_schedule FROM kafru_schedules"
                + " WHERE status = 'Enabled' AND next_schedule != NONE))", Map.of()).get(0);
        return value instanceof Instant instant ? Optional.of(instant) : Optional.empty();
    }

    /**
     * One transaction; the task row is built once, so a retry after a write conflict inserts the
     * same task id.
     */
    @Override
    public Fired fire(String key, Instant expected, Instant next, ScheduleStatus status, TaskRequest task, Instant now) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id(key));
        vars.put("expected", expected);
        vars.put("next", next == null ? None.NONE : wholeSecond(next));
        vars.put("status", status.name());
        vars.put("task", task == null ? None.NONE : SurrealTaskRepository.row(task, now));
        vars.put("now", now);
        SurrealConnection db = db();
        int[] attempts = {0};
        long moved = ConflictRetry.run(() -> {
            attempts[0]++;
            List<Object> result = db.query(FIRE, vars);
            return ((Number) result.get(result.size() - 2)).longValue();
        });
        return new Fired(moved > 0, attempts[0]);
    }

    /** A live query on the Enabled schedules' next_schedule; like every live query, it survives reconnects. */
    @Override
    public Subscription onChange(Consumer<Instant> listener) {
        SurrealConnection.LiveSubscription live = db().liveQuery(
                "LIVE SELECT next_schedule FROM kafru_schedules WHERE status = 'Enabled'", Map.of(), n -> {
                    if (n.result() instanceof Map<?, ?> row && row.get("next_schedule") instanceof Instant next) {
                        listener.accept(next);
                    }
                });
        return live::close;
    }

    static boolean isDuplicateName(SurrealException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("kafru_schedules_name");
    }

    static RecordId id(String key) {
        return RecordId.parse(Schema.SCHEDULES, key);
    }

    static List<Schedule> schedules(Object result) {
        return SurrealRows.rows(result, SurrealRows::schedule);
    }
}
