package dev.kafru.schedule;

import dev.kafru.Schedule;
import dev.kafru.ScheduleRequest;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** When a schedule fires: its first time, its next after firing, and the times after that. */
public final class FireTimes {

    private FireTimes() {
    }

    /**
     * The first occurrence inside the window that is after {@code now}: at or after
     * {@code start} when start is later than now, strictly after now otherwise; empty when
     * none comes before {@code until}.
     */
    public static Optional<Instant> first(CronSchedule cron, Instant start, Instant until, Instant now) {
        Optional<Instant> next = start != null && start.isAfter(now) ? cron.nextAtOrAfter(start) : cron.nextAfter(now);
        return next.filter(t -> until == null || !t.isAfter(until));
    }

    /** The next fire time of a stored schedule after {@code now} (empty for a one-time schedule or past its window). */
    public static Optional<Instant> next(Schedule schedule, Instant now) {
        if (schedule.oneTime() || schedule.cronExpression() == null) {
            return Optional.empty();
        }
        return first(cron(schedule), schedule.startSchedule(), schedule.untilSchedule(), now);
    }

    /** Up to {@code count} fire times from now on: the stored next_schedule, then the cron's occurrences. */
    public static List<Instant> upcoming(Schedule schedule, Instant now, int count) {
        if (schedule.nextSchedule() == null || count < 1) {
            return List.of();
        }
        if (schedule.oneTime() || schedule.cronExpression() == null) {
            return List.of(schedule.nextSchedule());
        }
        List<Instant> times = new ArrayList<>();
        times.add(schedule.nextSchedule());
        Instant from = schedule.nextSchedule().isAfter(now) ? schedule.nextSchedule() : now;
        times.addAll(cron(schedule).next(from, count - 1, schedule.untilSchedule()));
        return times;
    }

    static CronSchedule cron(Schedule schedule) {
        return CronSchedule.parse(schedule.cronExpression(), ScheduleRequest.zone(schedule.timeZone()));
    }
}
