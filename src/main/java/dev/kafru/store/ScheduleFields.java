package dev.kafru.store;

import dev.kafru.ScheduleStatus;

import java.time.Instant;
import java.util.Map;

/**
 * What creating or changing a schedule writes: every field of a {@link dev.kafru.Schedule} but the
 * id and the creation time, which the store keeps. {@link dev.kafru.KafruSchedules} validates a
 * request and turns it into these fields; the repository only stores them.
 *
 * <p>On a change, a null {@code cronExpression}, {@code startSchedule} or {@code untilSchedule}
 * removes the stored one (a schedule may lose its cron or its window), while a null
 * {@code status} or {@code nextSchedule} leaves the stored one as it is — see
 * {@link #keepingStatus()} and {@link #keepingNextSchedule()}. A new schedule needs both.
 *
 * @param nextSchedule when it fires next; the store rounds it up to the whole second
 * @param dateModified the time of this write; also the creation time of a new schedule
 */
public record ScheduleFields(String name, String queue, String handler, Map<String, Object> parameters,
                             String cronExpression, String timeZone, ScheduleStatus status, boolean oneTime,
                             Instant startSchedule, Instant untilSchedule, Instant nextSchedule, Instant dateModified) {

    /** These fields without a status, so that a change keeps the stored one (an administrator may have disabled the schedule). */
    public ScheduleFields keepingStatus() {
        return new ScheduleFields(name, queue, handler, parameters, cronExpression, timeZone, null, oneTime,
                startSchedule, untilSchedule, nextSchedule, dateModified);
    }

    /** These fields without a next fire time, so that a change keeps the stored one (its timing did not change). */
    public ScheduleFields keepingNextSchedule() {
        return new ScheduleFields(name, queue, handler, parameters, cronExpression, timeZone, status, oneTime,
                startSchedule, untilSchedule, null, dateModified);
    }
}
