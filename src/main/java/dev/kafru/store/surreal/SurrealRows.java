package dev.kafru.store.surreal;

import dev.kafru.Agent;
import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Command;
import dev.kafru.Schedule;
import dev.kafru.ScheduleStatus;
import dev.kafru.Task;
import dev.kafru.TaskFailure;
import dev.kafru.TaskStatus;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.surrealdb.RecordId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads SurrealDB rows (maps keyed by column name, as the client decodes them) into kafru's
 * domain types: the one place that knows the columns of {@code kafru_queues},
 * {@code kafru_agents} and {@code kafru_metrics} on the way out, so that the repositories do not
 * each carry their own copy of the same field readers. A field that is absent (NONE) reads as
 * null, or 0 for a number.
 */
final class SurrealRows {

    private SurrealRows() {
    }

    /** Every row of a statement's result (a list of rows; anything else reads as none), mapped. */
    static <T> List<T> rows(Object result, Function<Map<?, ?>, T> mapper) {
        List<T> mapped = new ArrayList<>();
        if (result instanceof List<?> rows) {
            for (Object row : rows) {
                mapped.add(mapper.apply((Map<?, ?>) row));
            }
        }
        return mapped;
    }

    /** A whole {@code kafru_queues} row. */
    static Task task(Map<?, ?> row) {
        return new Task(key(row.get("id")), text(row.get("name")), text(row.get("queue")), text(row.get("handler")),
                parameters(row.get("parameters")), TaskStatus.valueOf(text(row.get("status"))), text(row.get("message")),
                (int) number(row.get("priority")), instant(row.get("run_at")), (int) number(row.get("attempts")),
                (int) number(row.get("max_attempts")), text(row.get("owner")), instant(row.get("lease_until")),
                instant(row.get("date_created")), instant(row.get("date_modified")),
                instant(row.get("started_at")), instant(row.get("finished_at")), text(row.get("author")),
                duration(row.get("timeout")), text(row.get("unique")), failures(row.get("failures")),
                row.get("result") instanceof byte[] bytes ? dev.kafru.surrealdb.SurrealCbor.decode(bytes) : null,
                labels(row.get("labels")), null, text(row.get("parent")), batchOf(row));
    }

    /** The batch a row belongs to: as a member ({@code batch}), or as the task its completion pushed ({@code of_batch}). */
    static String batchOf(Map<?, ?> row) {
        String member = text(row.get("batch"));
        return member != null ? member : text(row.get("of_batch"));
    }

    /** A row's labels: none when the field is absent (a task pushed without labels stores none). */
    static List<String> labels(Object value) {
        return value instanceof List<?> ? Units.strings(value) : List.of();
    }

    /** A row's failed attempts, oldest first. */
    static List<TaskFailure> failures(Object value) {
        if (!(value instanceof List<?> list)) {
            return List.of();
        }
        List<TaskFailure> failures = new ArrayList<>(list.size());
        for (Object o : list) {
            if (o instanceof Map<?, ?> f) {
                failures.add(new TaskFailure((int) number(f.get("attempt")), instant(f.get("at")), text(f.get("server")),
                        text(f.get("exception")), text(f.get("message")), text(f.get("stack"))));
            }
        }
        return failures;
    }

    /** A time-out as stored: milliseconds, or none. */
    static java.time.Duration duration(Object millis) {
        return millis instanceof Number n ? java.time.Duration.ofMillis(n.longValue()) : null;
    }

    /** A whole {@code kafru_agents} row. */
    static Agent agent(Map<?, ?> row) {
        return new Agent(key(row.get("id")), text(row.get("name")), AgentKind.valueOf(text(row.get("kind"))),
                AgentStatus.valueOf(text(row.get("status"))), text(row.get("server")), key(row.get("parent_id")),
                key(row.get("queue_id")), row.get("command") instanceof String c ? Command.valueOf(c) : null,
                Boolean.TRUE.equals(row.get("command_is_executed")), text(row.get("author")), text(row.get("message")),
                Boolean.TRUE.equals(row.get("paused")), instant(row.get("heartbeat")), instant(row.get("date_created")),
                instant(row.get("date_modified")));
    }

    /** A whole {@code kafru_schedules} row. */
    static Schedule schedule(Map<?, ?> row) {
        return new Schedule(key(row.get("id")), text(row.get("name")), text(row.get("queue")), text(row.get("handler")),
                parameters(row.get("parameters")), text(row.get("cron_expression")), text(row.get("time_zone")),
                ScheduleStatus.valueOf(text(row.get("status"))), Boolean.TRUE.equals(row.get("one_time")),
                instant(row.get("start_schedule")), instant(row.get("until_schedule")), instant(row.get("next_schedule")),
                instant(row.get("date_created")), instant(row.get("date_modified")));
    }

    /** A whole {@code kafru_metrics} row. */
    static MetricSnapshot metric(Map<?, ?> row) {
        return new MetricSnapshot(text(row.get("name")), text(row.get("kind")), number(row.get("num_alive_tasks")),
                number(row.get("num_workers")), instant(row.get("timestamp")));
    }

    /** A task's parameters: the stored object, or none. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> parameters(Object value) {
        return value instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
    }

    /** The key of a record id ({@code kafru_queues:abc} → {@code abc}). */
    static String key(Object value) {
        return value instanceof RecordId id ? id.keyText() : null;
    }

    static String text(Object value) {
        return value instanceof String s ? s : null;
    }

    static long number(Object value) {
        return value instanceof Number n ? n.longValue() : 0L;
    }

    static Instant instant(Object value) {
        return value instanceof Instant i ? i : null;
    }

    /** An instant from epoch nanoseconds, as {@code time::nano} gives them (the inverse of {@code TaskRepository.nanos}). */
    static Instant instant(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }
}
