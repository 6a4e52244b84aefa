package dev.kafru.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A parsed cron expression in a time zone. Two syntaxes are accepted, told apart by their field
 * count:
 * <ul>
 *   <li>Quartz, 6 or 7 fields, seconds first, optional year — the crate's format:
 *       {@code 0 0/15 9-17 ? * MON-FRI} (every 15 minutes in office hours);</li>
 *   <li>Unix, 5 fields, minute first: {@code 30 2 * * 1-5} (02:30 on weekdays).</li>
 * </ul>
 * As in the crate, a Quartz expression may leave both day fields unrestricted ({@code * * * * * *}):
 * the day-of-week {@code *} is read as {@code ?}, which is what Quartz requires.
 *
 * <pre>{@code
 * CronSchedule cron = CronSchedule.parse("0 0 9 * * ?", ZoneId.of("Europe/Berlin"));
 * Optional<Instant> next = cron.nextAfter(Instant.now()); // 09:00 Berlin time, DST included
 * }</pre>
 *
 * Times are computed in the schedule's zone: a daily 09:00 stays at 09:00 local time across a
 * DST change; a local time that does not exist that day (02:30 on a spring-forward day) is
 * skipped that day; one that occurs twice (02:30 on a fall-back day) fires once.
 */
public final class CronSchedule {

    private static final CronParser QUARTZ = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.QUARTZ));
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private final String expression;
    private final ZoneId zone;
    private final ExecutionTime executionTime;

    private CronSchedule(String expression, ZoneId zone, ExecutionTime executionTime) {
        this.expression = expression;
        this.zone = zone;
        this.executionTime = executionTime;
    }

    /**
     * Parses a Quartz (6–7 fields) or Unix (5 fields) expression.
     *
     * @throws IllegalArgumentException quoting the expression and the parser's reason
     */
    public static CronSchedule parse(String expression, ZoneId zone) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("cron expression is empty: give Quartz (e.g. '0 0/5 * * * ?') or Unix (e.g. '*/5 * * * *') syntax");
        }
        String[] fields = expression.trim().split("\\s+");
        CronParser parser;
        String text;
        if (fields.length == 5) {
            parser = UNIX;
            text = String.join(" ", fields);
        } else if (fields.length == 6 || fields.length == 7) {
            parser = QUARTZ;
            text = String.join(" ", quartzDays(fields));
        } else {
            throw new IllegalArgumentException("invalid cron expression '" + expression + "': it has " + fields.length
                    + " fields; use 6 or 7 (Quartz: second minute hour day-of-month month day-of-week [year])"
                    + " or 5 (Unix: minute hour day-of-month month day-of-week)");
        }
        try {
            Cron cron = parser.parse(text);
            cron.validate();
            return new CronSchedule(expression.trim(), zone, ExecutionTime.forCron(cron));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid cron expression '" + expression + "': " + reason(e), e);
        }
    }

    /**
     * The Quartz expression of the crate's structured form, fields in the crate's order; an empty
     * field takes the crate's default ({@code *}, or {@code ?} for the day of week).
     */
    public static String quartzOf(String second, String minute, String hour, String dayOfMonth, String month,
                                  String dayOfWeek, String year) {
        List<String> parts = new ArrayList<>(List.of(or(second, "*"), or(minute, "*"), or(hour, "*"),
                or(dayOfMonth, "*"), or(month, "*"), or(dayOfWeek, "?")));
        parts.add(or(year, "*"));
        return String.join(" ", parts);
    }

    /** The expression as given (trimmed). */
    public String expression() {
        return expression;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The first occurrence strictly after {@code time}; empty when there is none (e.g. a past year). */
    public Optional<Instant> nextAfter(Instant time) {
        // cron-utils moves a time with a fraction of a second up to the next whole second and then
        // looks strictly after that: from 12:00:52.028 an every-second cron gave 12:00:54 (measured)
        ZonedDateTime from = time.truncatedTo(ChronoUnit.SECONDS).atZone(zone);
        try {
            return executionTime.nextExecution(from).map(ZonedDateTime::toInstant).filter(t -> t.isAfter(time));
        } catch (DateTimeException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The first occurrence at or after {@code time}. */
    public Optional<Instant> nextAtOrAfter(Instant time) {
        return nextAfter(time.minusNanos(1));
    }

    /** Up to {@code count} occurrences strictly after {@code time}, none after {@code until} (null: no end). */
    public List<Instant> next(Instant time, int count, Instant until) {
        List<Instant> times = new ArrayList<>();
        Instant t = time;
        while (times.size() < count) {
            Optional<Instant> next = nextAfter(t);
            if (next.isEmpty() || (until != null && next.get().isAfter(until))) {
                break;
            }
            times.add(next.get());
            t = next.get();
        }
        return times;
    }

    @Override
    public String toString() {
        return expression + " (" + zone + ")";
    }

    private static String[] quartzDays(String[] fields) {
        String[] f = fields.clone();
        if (!"?".equals(f[3]) && !"?".equals(f[5])) {
            if ("*".equals(f[5])) {
                f[5] = "?";
            } else if ("*".equals(f[3])) {
                f[3] = "?";
            }
        }
        return f;
    }

    private static String reason(IllegalArgumentException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message.replace("Failed to parse cron expression. ", "");
    }

    private static String or(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value.trim();
    }
}
