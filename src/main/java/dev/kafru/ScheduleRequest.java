package dev.kafru;

import dev.kafru.schedule.CronSchedule;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to schedule. A name and a handler are required, and either a cron expression or (for a
 * one-time schedule) a fixed next time:
 *
 * <pre>{@code
 * schedules.create(ScheduleRequest.of("invoices-hourly", "send-invoices")
 *         .cron("0 0 * * * ?")                 // Quartz: seconds first
 *         .timeZone("Europe/Berlin")
 *         .queue("mail")
 *         .parameters(Map.of("batch", 100)));
 *
 * schedules.create(ScheduleRequest.of("report-once", "report")
 *         .oneTime(true)
 *         .nextSchedule(Instant.parse("2027-01-01T06:00:00Z")));
 *
 * schedules.create(ScheduleRequest.of("crate-style", "report")
 *         .cron(new ScheduleRequest.CronFields("0", "30", "2", "*", "*", "?", "*")));
 * }</pre>
 */
public final class ScheduleRequest {

    private final String name;
    private final String handler;
    private String queue = TaskRequest.DEFAULT_QUEUE;
    private Map<String, Object> parameters = Map.of();
    private String cron;
    private String timeZone = "UTC";
    private boolean oneTime;
    private Instant startSchedule;
    private Instant untilSchedule;
    private Instant nextSchedule;
    private ScheduleStatus status = ScheduleStatus.Enabled;

    private ScheduleRequest(String name, String handler) {
        this.name = name;
        this.handler = handler;
    }

    /** A schedule named {@code name} (unique; also its tasks' name) that runs {@code handler}. */
    public static ScheduleRequest of(String name, String handler) {
        return new ScheduleRequest(name, handler);
    }

    /**
     * The crate's structured cron form, in its field order; a null or blank field takes the
     * crate's default ({@code *}, or {@code ?} for the day of week). It becomes a Quartz expression.
     */
    public record CronFields(String second, String minute, String hour, String dayOfMonth, String month,
                             String dayOfWeek, String year) {

        /** {@code second minute hour day-of-month month day-of-week year}. */
        public String expression() {
            return CronSchedule.quartzOf(second, minute, hour, dayOfMonth, month, dayOfWeek, year);
        }
    }

    /** Quartz ({@code 0 0/5 * * * ?}, 6–7 fields, seconds first) or Unix ({@code *}{@code /5 * * * *}, 5 fields). */
    public ScheduleRequest cron(String expression) {
        this.cron = expression;
        return this;
    }

    /** The crate's structured form. */
    public ScheduleRequest cron(CronFields fields) {
        this.cron = fields == null ? null : fields.expression();
        return this;
    }

    public ScheduleRequest queue(String queue) {
        this.queue = queue;
        return this;
    }

    /** The tasks' input: a JSON object. */
    public ScheduleRequest parameters(Map<String, ?> parameters) {
        this.parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        return this;
    }

    /** IANA zone the cron expression is read in, e.g. {@code Europe/Berlin}; default UTC. */
    public ScheduleRequest timeZone(String timeZone) {
        this.timeZone = timeZone;
        return this;
    }

    /** Fire once, then become Disabled. */
    public ScheduleRequest oneTime(boolean oneTime) {
        this.oneTime = oneTime;
        return this;
    }

    /** Never fire before this. */
    public ScheduleRequest startSchedule(Instant start) {
        this.startSchedule = start;
        return this;
    }

    /** Never fire after this. */
    public ScheduleRequest untilSchedule(Instant until) {
        this.untilSchedule = until;
        return this;
    }

    /** Fire first at this time instead of the cron's first occurrence (required for a one-time schedule without cron). */
    public ScheduleRequest nextSchedule(Instant next) {
        this.nextSchedule = next;
        return this;
    }

    /** Enabled (default) or Disabled. */
    public ScheduleRequest status(ScheduleStatus status) {
        this.status = status;
        return this;
    }

    public String name() {
        return name;
    }

    public String handler() {
        return handler;
    }

    public String queue() {
        return queue;
    }

    public Map<String, Object> parameters() {
        return parameters;
    }

    public String cron() {
        return cron == null || cron.isBlank() ? null : cron.trim();
    }

    public String timeZone() {
        return timeZone;
    }

    public boolean oneTime() {
        return oneTime;
    }

    public Instant startSchedule() {
        return startSchedule;
    }

    public Instant untilSchedule() {
        return untilSchedule;
    }

    public Instant nextSchedule() {
        return nextSchedule;
    }

    public ScheduleStatus status() {
        return status;
    }

    /**
     * Checks every field that can be checked without the store, saying which one is wrong and
     * how to fix it; returns the parsed cron (null for a one-time schedule without one).
     *
     * @throws InvalidScheduleException naming the field
     */
    public CronSchedule validate() {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new InvalidScheduleException("name", "name is required: 1 to 200 characters, unique among schedules");
        }
        try {
            TaskRequest.of(handler).queue(queue).name(name).parameters(parameters).validate();
        } catch (InvalidScheduleException e) {
            throw e;
        } catch (InvalidTaskException e) {
            throw new InvalidScheduleException(e.field(), e.getMessage());
        }
        if (status == null) {
            throw new InvalidScheduleException("status", "status must be Enabled or Disabled");
        }
        ZoneId zone = zone(timeZone);
        CronSchedule parsed = null;
        if (cron() != null) {
            try {
                parsed = CronSchedule.parse(cron(), zone);
            } catch (IllegalArgumentException e) {
                throw new InvalidScheduleException("cron", e.getMessage());
            }
        } else if (!oneTime) {
            throw new InvalidScheduleException("cron", "cron is required for a recurring schedule"
                    + " (or set oneTime with a nextSchedule to run once)");
        } else if (nextSchedule == null) {
            throw new InvalidScheduleException("nextSchedule", "a one-time schedule needs a cron or a nextSchedule: give when it should run");
        }
        if (startSchedule != null && untilSchedule != null && untilSchedule.isBefore(startSchedule)) {
            throw new InvalidScheduleException("untilSchedule", "untilSchedule " + untilSchedule
                    + " is before startSchedule " + startSchedule + ": the schedule could never fire");
        }
        if (nextSchedule != null && startSchedule != null && nextSchedule.isBefore(startSchedule)) {
            throw new InvalidScheduleException("nextSchedule", "nextSchedule " + nextSchedule + " is before startSchedule " + startSchedule);
        }
        if (nextSchedule != null && untilSchedule != null && nextSchedule.isAfter(untilSchedule)) {
            throw new InvalidScheduleException("nextSchedule", "nextSchedule " + nextSchedule + " is after untilSchedule " + untilSchedule);
        }
        return parsed;
    }

    /** The time zone, checked. */
    public static ZoneId zone(String timeZone) {
        if (timeZone == null || timeZone.isBlank()) {
            throw new InvalidScheduleException("timeZone", "timeZone is empty: give an IANA name such as UTC or Europe/Berlin");
        }
        try {
            return ZoneId.of(timeZone.trim());
        } catch (DateTimeException e) {
            throw new InvalidScheduleException("timeZone", "unknown time zone '" + timeZone
                    + "': give an IANA name such as UTC, Europe/Berlin or America/New_York");
        }
    }

    @Override
    public String toString() {
        return "ScheduleRequest[name=" + name + ", handler=" + handler + ", queue=" + queue + ", cron=" + cron
                + ", timeZone=" + timeZone + ", oneTime=" + oneTime + ", start=" + startSchedule + ", until=" + untilSchedule
                + ", next=" + nextSchedule + ", status=" + status + "]";
    }
}
