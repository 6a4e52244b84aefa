package dev.kafru.admin;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import dev.kafru.store.MinuteCount;

import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request bodies of the admin API, as the OpenAPI document describes them. Bodies are read
 * field by field ({@link Fields}); these records give the field names and their documentation.
 */
public final class Bodies {

    private Bodies() {
    }

    static Set<String> fieldsOf(Class<? extends Record> type) {
        return new LinkedHashSet<>(Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList());
    }

    @Schema(name = "TaskInput", description = "A task to enqueue; only handler is required")
    public record TaskInput(
            @Schema(required = true, description = "the @TaskName of the bean to run", example = "send-invoice") String handler,
            @Schema(description = "queue name (letters, digits, - _ . :)", defaultValue = "default", example = "mail") String queue,
            @Schema(description = "a label for people; defaults to the handler", example = "invoice 1234") String name,
            @Schema(description = "the handler's input, a JSON object") Map<String, Object> parameters,
            @Schema(description = "higher runs first among due tasks of a queue", defaultValue = "0", minimum = "-1000000",
                    maximum = "1000000") Integer priority,
            @Schema(description = "not before this time (ISO-8601 with offset); default now",
                    example = "2026-12-01T08:00:00Z") String runAt,
            @Schema(description = "attempts before the task ends Error; default the handler's @TaskOptions, else 3",
                    minimum = "1", maximum = "100") Integer maxAttempts,
            @Schema(description = "how long one attempt may run before it is interrupted and counts as failed, ISO-8601;"
                    + " default the handler's @TaskOptions, else no limit", example = "PT30S") String timeout,
            @Schema(description = "while a task with this key in this queue is Waiting or InProgress, the push answers it (200) instead of"
                    + " storing another (201); 1 to 200 characters", example = "invoice-42") String uniqueKey,
            @Schema(description = "keep the uniqueKey taken this long after its task finished (ISO-8601 duration)", example = "PT1H")
            String uniqueFor,
            @Schema(description = "labels to filter by (GET /tasks?label=): up to 8, each 1 to 64 letters, digits, - _ . : /",
                    example = "[\"tenant-7\", \"import\"]") java.util.List<String> labels,
            @Schema(description = "tasks (same fields) pushed once when this one completes; they read its result") List<TaskInput> then,
            @Schema(description = "tasks (same fields) pushed once when this one ends Error or is cancelled") List<TaskInput> onFailure) {
    }

    @Schema(name = "BatchInput", description = "Tasks whose end is awaited as one; members is required")
    public record BatchInput(
            @Schema(required = true, description = "the tasks of the batch (TaskInput each), 1 to 10000") List<TaskInput> members,
            @Schema(description = "the task (TaskInput) pushed once when the last member ended; it reads the counts from GET /batches/{id}")
            TaskInput onComplete) {
    }

    @Schema(name = "ScheduleInput", description = "A schedule; name and handler are required, and cron unless oneTime with nextSchedule")
    public record ScheduleInput(
            @Schema(required = true, description = "unique among schedules; also its tasks' name", example = "nightly-report") String name,
            @Schema(required = true, example = "report") String handler,
            @Schema(defaultValue = "default") String queue,
            @Schema(description = "the tasks' input, a JSON object") Map<String, Object> parameters,
            @Schema(description = "Quartz (6-7 fields, seconds first) or Unix (5 fields) cron; or an object with the crate's"
                    + " fields second, minute, hour, dayOfMonth, month, dayOfWeek, year", example = "0 0 2 * * ?") Object cron,
            @Schema(description = "IANA zone the cron is read in", defaultValue = "UTC", example = "Europe/Berlin") String timeZone,
            @Schema(description = "fire once, then become Disabled", defaultValue = "false") Boolean oneTime,
            @Schema(description = "never fire before this", example = "2026-12-01T00:00:00Z") String startSchedule,
            @Schema(description = "never fire after this; must not be before startSchedule", example = "2027-12-01T00:00:00Z")
            String untilSchedule,
            @Schema(description = "the first fire time; default the cron's next occurrence") String nextSchedule,
            @Schema(enumeration = {"Enabled", "Disabled"}, defaultValue = "Enabled") String status) {
    }

    @Schema(name = "CronFields", description = "The crate's structured cron; a missing field is * (? for dayOfWeek)")
    public record CronInput(String second, String minute, String hour, String dayOfMonth, String month, String dayOfWeek,
                     String year) {
    }

    @Schema(name = "CommandInput")
    public record CommandInput(
            @Schema(required = true, enumeration = {"QueueGracefulShutdown", "QueueForceShutdown", "SchedulerGracefulShutdown",
                    "SchedulerForceShutdown", "TaskTerminate", "TaskRemove"}, example = "TaskTerminate") String command,
            @Schema(description = "why, for the record", example = "stuck on a remote call") String message,
            @Schema(description = "who; defaults to the logged-in user", example = "ops") String author) {
    }

    @Schema(name = "Deleted")
    public record Deleted(@Schema(example = "42") long deleted) {
    }

    @Schema(name = "Retried")
    public record Retried(@Schema(description = "how many Error tasks went back to Waiting", example = "17") long retried) {
    }

    @Schema(name = "PauseResult")
    public record PauseResult(@Schema(example = "mail") String queue, boolean paused,
                       @Schema(description = "how many live workers of the queue (one per server) were told") int workers) {
    }

    @Schema(name = "Count")
    public record Count(@Schema(example = "250") long count, @Schema(example = "10000") int cap,
                        @Schema(description = "true when the count reached cap: at least that many") boolean capped) {
    }

    @Schema(name = "CronCheck", description = "A valid cron expression and its next fire times in its time zone")
    public record CronCheck(@Schema(example = "0 0 2 * * ?") String expression, @Schema(example = "Europe/Berlin") String timeZone,
                            @Schema(description = "ISO-8601 UTC", example = "[\"2026-11-29T01:00:00Z\"]") List<Instant> next) {
    }

    @Schema(name = "Throughput", description = "Finished attempts per queue and minute, summed over servers")
    public record Throughput(@Schema(description = "the first minute covered") Instant from,
                             @Schema(description = "the minute now (still counting)") Instant to,
                             @Schema(description = "minutes with no finished attempt are left out") List<MinuteCount> minutes) {
    }

    @Schema(name = "Me")
    public record Me(@Schema(example = "admin") String user, @Schema(description = "may write (role kafru-admin)") boolean admin) {
    }
}
