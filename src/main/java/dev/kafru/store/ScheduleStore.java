package dev.kafru.store;

import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.None;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.surrealdb.SurrealException;
import dev.kafru.KafruSchedules;
import dev.kafru.Schedule;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskRequest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Every SurrealQL statement on {@code kafru_schedules}. Values are bound parameters only.
 *
 * <p>Firing is a compare-and-set on {@code next_schedule} and the task INSERT in one
 * transaction ({@link #fire}): whichever scheduler moves next_schedule away from the occurrence
 * it saw is the one that pushes its task; a scheduler that loses the race — or hits a write
 * conflict and, on retry, finds next_schedule already moved — pushes nothing. "Now" is always a
 * bound parameter (the scheduler's clock), never {@code time::now()}, so tests can set it.
 *
 * <p>Schedules have one-second resolution: next_schedule is always stored as a whole second, and
 * the due query compares it with now rounded down to the second. Measured on SurrealDB 3.0.2: an
 * index range scan over datetimes orders them as their RFC 3339 text with the fraction trimmed,
 * so {@code 12:01:00Z <= 12:01:00.4Z} is false through the index (and {@code 12:01:00.5Z <=
 * 12:01:00Z} true). Between whole seconds, text order and time order agree.
 */
public final class ScheduleStore {

    private static final String FIRE = """
            BEGIN TRANSACTION;
            LET $moved = (UPDATE $id SET next_schedule = $next, status = $status, date_modified = $now
                          WHERE status = 'Enabled' AND next_schedule = $expected RETURN VALUE id);
            IF array::len($moved) > 0 AND $task != NONE {
                INSERT INTO kafru_queues $task RETURN NONE;
                INSERT INTO kafru_signals {queue: $task.queue, created: 1, earliest: $task.run_at, at: time::nano(time::now())} RETURN NONE;
                INSERT IGNORE INTO kafru_queue_names {id: type::record('kafru_queue_names', $task.queue)} RETURN NONE;
            };
            RETURN array::len($moved);
            COMMIT TRANSACTION;
            """;

    private final SurrealConnection db;

    public ScheduleStore(SurrealConnection db) {
        this.db = db;
    }

    /** Stores a new schedule row; empty when its name is taken (the UNIQUE index refused it). */
    public Optional<Schedule> insert(Map<String, Object> row) {
        wholeSecond(row);
        try {
            List<Object> result = ConflictRetry.run(() -> db.query("INSERT INTO kafru_schedules $row", Map.of("row", row)));
            return schedules(result.get(0)).stream().findFirst();
        } catch (SurrealException e) {
            if (isDuplicateName(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Optional<Schedule> get(String key) {
        return schedules(db.query("SELECT * FROM $id", Map.of("id", id(key))).get(0)).stream().findFirst();
    }

    public Optional<Schedule> byName(String name) {
        return schedules(db.query("SELECT * FROM kafru_schedules WHERE name = $name LIMIT 1", Map.of("name", name)).get(0))
                .stream().findFirst();
    }

    /**
     * Schedules matching the filter. With {@code upcoming = true} only those that will fire
     * (Enabled, with a next_schedule), soonest first; otherwise oldest first (then by name).
     */
    public List<Schedule> list(KafruSchedules.Filter filter) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", filter.status() == null ? None.NONE : filter.status().name());
        vars.put("queue", filter.queue() == null ? None.NONE : filter.queue());
        vars.put("handler", filter.handler() == null ? None.NONE : filter.handler());
        vars.put("name", filter.name() == null ? None.NONE : filter.name());
        vars.put("one_time", filter.oneTime() == null ? None.NONE : filter.oneTime());
        vars.put("upcoming", filter.upcoming() == null ? None.NONE : filter.upcoming());
        vars.put("limit", (long) filter.limit());
        String order = Boolean.TRUE.equals(filter.upcoming()) ? "next_schedule, name" : "date_created, name";
        return schedules(db.query("SELECT * FROM kafru_schedules WHERE ($status = NONE OR status = $status)"
                + " AND ($queue = NONE OR queue = $queue) AND ($handler = NONE OR handler = $handler)"
                + " AND ($name = NONE OR name = $name) AND ($one_time = NONE OR one_time = $one_time)"
                + " AND ($upcoming = NONE OR (status = 'Enabled' AND next_schedule != NONE) = $upcoming)"
                + " ORDER BY " + order + " LIMIT $limit", vars).get(0));
    }

    /**
     * Replaces a schedule's fields (a NONE value removes an optional field); empty when there is
     * no such schedule.
     *
     * @throws DuplicateNameException when the new name belongs to another schedule
     */
    public Optional<Schedule> replace(String key, Map<String, Object> fields) {
        return replaceIf(id(key), fields, null);
    }

    /**
     * {@link #replace} only while the schedule's date_modified is still {@code seen} — the
     * compare-and-set that makes create-or-update safe when servers start at once.
     */
    public Optional<Schedule> replaceIfUnchanged(String key, Map<String, Object> fields, Instant seen) {
        return replaceIf(id(key), fields, seen);
    }

    private Optional<Schedule> replaceIf(RecordId id, Map<String, Object> fields, Instant seen) {
        wholeSecond(fields);
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id);
        vars.put("set", fields);
        vars.put("seen", seen == null ? None.NONE : seen);
        try {
            List<Object> result = ConflictRetry.run(() -> db.query(
                    "UPDATE $id MERGE $set WHERE $seen = NONE OR date_modified = $seen RETURN AFTER", vars));
            return schedules(result.get(0)).stream().findFirst();
        } catch (SurrealException e) {
            if (isDuplicateName(e)) {
                throw new DuplicateNameException(String.valueOf(fields.get("name")), e);
            }
            throw e;
        }
    }

    /** True when a schedule was removed. */
    public boolean remove(String key) {
        return !((List<?>) ConflictRetry.run(() -> db.query("DELETE $id RETURN BEFORE", Map.of("id", id(key)))).get(0)).isEmpty();
    }

    /** Removes the schedules with this status (null: all); returns how many. */
    public long purge(ScheduleStatus status) {
        Map<String, Object> vars = Map.of("status", status == null ? None.NONE : status.name());
        List<Object> result = ConflictRetry.run(() -> db.query(
                "DELETE kafru_schedules WHERE $status = NONE OR status = $status RETURN VALUE id", vars));
        return ((List<?>) result.get(0)).size();
    }

    /**
     * Up to {@code limit} Enabled schedules whose next_schedule is at or before {@code now},
     * walked through the (status, next_schedule) index — no ORDER BY, which would sort every
     * due row before the LIMIT.
     */
    public List<Schedule> due(Instant now, int limit) {
        return schedules(db.query("SELECT * FROM kafru_schedules WHERE status = 'Enabled' AND next_schedule <= $now LIMIT $limit",
                Map.of("now", now.truncatedTo(ChronoUnit.SECONDS), "limit", (long) limit)).get(0));
    }

    /** A time as next_schedule stores it: rounded up to the whole second (see the class comment). */
    public static Instant wholeSecond(Instant time) {
        Instant down = time.truncatedTo(ChronoUnit.SECONDS);
        return down.equals(time) ? time : down.plusSeconds(1);
    }

    private static void wholeSecond(Map<String, Object> row) {
        if (row.get("next_schedule") instanceof Instant next) {
            row.put("next_schedule", wholeSecond(next));
        }
    }

    /** The earliest next_schedule of an Enabled schedule, if any. */
    public Optional<Instant> earliestNext() {
        Object value = db.query("RETURN array::min((SELECT VALUE next_schedule FROM kafru_schedules"
                + " WHERE status = 'Enabled' AND next_schedule != NONE))", Map.of()).get(0);
        return value instanceof Instant instant ? Optional.of(instant) : Optional.empty();
    }

    /** What became of one {@link #fire} call. */
    public record Fired(boolean moved, int attempts) {
    }

    /**
     * In one transaction: moves the schedule's next_schedule from {@code expected} to
     * {@code next} (null: none) and sets its status — only if it is still Enabled with
     * next_schedule {@code expected} — and, if it moved and {@code task} is given, inserts
     * {@code task} into kafru_queues. A write conflict runs the whole transaction again.
     *
     * @param task a task row as {@link #taskRow} builds it, or null to advance without firing
     */
    public Fired fire(String key, Instant expected, Instant next, ScheduleStatus status, Map<String, Object> task, Instant now) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id(key));
        vars.put("expected", expected);
        vars.put("next", next == null ? None.NONE : wholeSecond(next));
        vars.put("status", status.name());
        vars.put("task", task == null ? None.NONE : task);
        vars.put("now", now);
        int[] attempts = {0};
        long moved = ConflictRetry.run(() -> {
            attempts[0]++;
            List<Object> result = db.query(FIRE, vars);
            return ((Number) result.get(result.size() - 2)).longValue();
        });
        return new Fired(moved > 0, attempts[0]);
    }

    /** The task a schedule pushes: the same fields {@link SurrealTaskRepository#insert} writes. */
    public static Map<String, Object> taskRow(Schedule schedule, Instant runAt, Instant now) {
        return SurrealTaskRepository.row(TaskRequest.of(schedule.handler()).name(schedule.name()).queue(schedule.queue())
                .parameters(schedule.parameters()).runAt(runAt), now);
    }

    /**
     * A live query reporting the next_schedule of each schedule that is created or changes while
     * Enabled, so that every server's scheduler re-arms its timer when it must fire sooner.
     */
    public SurrealConnection.LiveSubscription onChange(Consumer<Instant> listener) {
        return db.liveQuery("LIVE SELECT next_schedule FROM kafru_schedules WHERE status = 'Enabled'", Map.of(), n -> {
            if (n.result() instanceof Map<?, ?> row && row.get("next_schedule") instanceof Instant next) {
                listener.accept(next);
            }
        });
    }

    /** A name that another schedule already has. */
    public static final class DuplicateNameException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DuplicateNameException(String name, Throwable cause) {
            super("a schedule named '" + name + "' exists already", cause);
        }
    }

    static boolean isDuplicateName(SurrealException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("kafru_schedules_name");
    }

    static RecordId id(String key) {
        return RecordId.parse(Schema.SCHEDULES, key);
    }

    static List<Schedule> schedules(Object result) {
        List<Schedule> schedules = new ArrayList<>();
        if (result instanceof List<?> rows) {
            for (Object row : rows) {
                schedules.add(schedule((Map<?, ?>) row));
            }
        }
        return schedules;
    }

    @SuppressWarnings("unchecked")
    static Schedule schedule(Map<?, ?> row) {
        RecordId id = (RecordId) row.get("id");
        Object parameters = row.get("parameters");
        return new Schedule(id.keyText(), text(row.get("name")), text(row.get("queue")), text(row.get("handler")),
                parameters instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of(),
                text(row.get("cron_expression")), text(row.get("time_zone")),
                ScheduleStatus.valueOf(text(row.get("status"))), Boolean.TRUE.equals(row.get("one_time")),
                instant(row.get("start_schedule")), instant(row.get("until_schedule")), instant(row.get("next_schedule")),
                instant(row.get("date_created")), instant(row.get("date_modified")));
    }

    private static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    private static Instant instant(Object value) {
        return value instanceof Instant i ? i : null;
    }
}
