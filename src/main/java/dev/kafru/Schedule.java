package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/**
 * A schedule as stored in {@code kafru_schedules}: when it fires, it pushes a task named
 * {@code name} for {@code handler} with {@code parameters} into {@code queue}.
 *
 * @param id             the record key (without the table)
 * @param name           unique among schedules; also the name of the tasks it pushes
 * @param queue          the queue its tasks go to
 * @param handler        the {@link TaskName} of the bean that runs its tasks
 * @param parameters     the tasks' input, a JSON object
 * @param cronExpression Quartz or Unix cron; null for a one-time schedule at a fixed time
 * @param timeZone       the zone the cron expression is read in (IANA name, default UTC)
 * @param status         Enabled schedules fire; Disabled ones do not
 * @param oneTime        fires once, then becomes Disabled
 * @param startSchedule  never fires before this (null: no start)
 * @param untilSchedule  never fires after this; the schedule is Disabled once past it (null: no end)
 * @param nextSchedule   when it fires next (null: never again)
 */
@Schema(name = "Schedule", description = "A schedule as stored in kafru_schedules; times are ISO-8601 UTC")
public record Schedule(String id, String name, String queue, String handler, Map<String, Object> parameters,
                       String cronExpression, String timeZone, ScheduleStatus status, boolean oneTime,
                       Instant startSchedule, Instant untilSchedule, Instant nextSchedule,
                       Instant dateCreated, Instant dateModified) {
}
