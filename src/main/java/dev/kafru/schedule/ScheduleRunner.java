package dev.kafru.schedule;

import dev.kafru.Schedule;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskRequest;
import dev.kafru.store.ScheduleRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns due schedules into tasks: one {@link #runDue()} pass fires every Enabled schedule whose
 * next_schedule has come, by {@link Clock} — in a server, an {@link EngineClock}: the database's
 * time, so that "is it due" and "was it missed" do not depend on this server's clock. A plain class, so that tests run it with a settable
 * clock and several instances on several connections, as several servers would.
 *
 * <p>For each due schedule it computes what comes next — the first occurrence after now
 * (so missed occurrences collapse into one), nothing for a one-time schedule, Disabled when the
 * window has ended — and hands that to {@link ScheduleRepository#fire}, which moves the next fire
 * time with a compare-and-set and pushes the task in the same step. Losing that race to
 * another scheduler is normal and pushes nothing.
 */
public final class ScheduleRunner {

    private static final Logger LOG = Logger.getLogger(ScheduleRunner.class.getName());
    private static final int MAX_BATCHES_PER_PASS = 1000;
    /** A schedule's tasks have {@code schedule:<its name>} as their author. */
    public static final String AUTHOR_PREFIX = "schedule:";

    private final ScheduleRepository repository;
    private final Clock clock;
    private final SchedulerSettings settings;
    private final Consumer<String> wakeQueue;
    private final UnaryOperator<TaskRequest> handlerDefaults;

    /**
     * @param wakeQueue told the queue of each task this runner pushed (to wake the local worker)
     */
    public ScheduleRunner(ScheduleRepository repository, Clock clock, SchedulerSettings settings, Consumer<String> wakeQueue) {
        this(repository, clock, settings, wakeQueue, UnaryOperator.identity());
    }

    /**
     * @param handlerDefaults fills in a task's handler's {@code @TaskOptions} (maxAttempts, priority,
     *                        timeout; the schedule's queue is its own)
     */
    public ScheduleRunner(ScheduleRepository repository, Clock clock, SchedulerSettings settings, Consumer<String> wakeQueue,
                          UnaryOperator<TaskRequest> handlerDefaults) {
        this.repository = repository;
        this.clock = clock;
        this.settings = settings;
        this.wakeQueue = wakeQueue;
        this.handlerDefaults = handlerDefaults;
    }

    /** What one pass did. {@code lost}: occurrences another scheduler handled first; {@code conflicts}: write conflicts retried. */
    public record Pass(int fired, int skipped, int lost, int conflicts) {
        Pass plus(Pass o) {
            return new Pass(fired + o.fired, skipped + o.skipped, lost + o.lost, conflicts + o.conflicts);
        }
    }

    /** Fires everything due now, in batches of {@code kafru.scheduler.batch-size}. */
    public Pass runDue() {
        Pass total = new Pass(0, 0, 0, 0);
        if (clock instanceof EngineClock engine) {
            engine.measure(); // once per pass: a server clock stepped meanwhile is seen at once
        }
        for (int batch = 0; batch < MAX_BATCHES_PER_PASS; batch++) {
            Instant now = clock.instant();
            List<Schedule> due = repository.due(now, settings.batchSize());
            for (Schedule schedule : due) {
                total = total.plus(fire(schedule, now));
            }
            if (due.size() < settings.batchSize()) {
                break;
            }
        }
        return total;
    }

    /** When the next Enabled schedule is due, if any. */
    public Optional<Instant> nextDue() {
        return repository.earliestNext();
    }

    private Pass fire(Schedule schedule, Instant now) {
        Instant occurrence = schedule.nextSchedule();
        boolean inWindow = (schedule.startSchedule() == null || !occurrence.isBefore(schedule.startSchedule()))
                && (schedule.untilSchedule() == null || !occurrence.isAfter(schedule.untilSchedule()));
        boolean fires = inWindow && settings.missedRuns().fires(occurrence, now, settings.missedAfter());
        Instant next;
        try {
            next = FireTimes.next(schedule, now).orElse(null);
        } catch (IllegalArgumentException e) {
            // a stored cron or zone that no longer parses (edited by hand, or a zone removed): stop it, loudly
            LOG.log(Level.WARNING, "schedule '" + schedule.name() + "' is disabled: " + e.getMessage());
            next = null;
            fires = false;
        }
        ScheduleStatus status = next == null ? ScheduleStatus.Disabled : ScheduleStatus.Enabled;
        ScheduleRepository.Fired result = repository.fire(schedule.id(), occurrence, next, status,
                fires ? handlerDefaults.apply(taskFor(schedule, occurrence)) : null, now);
        int conflicts = result.attempts() - 1;
        if (!result.moved()) {
            return new Pass(0, 0, 1, conflicts);
        }
        if (!fires) {
            LOG.fine(() -> "schedule '" + schedule.name() + "' skipped its occurrence at " + occurrence);
            return new Pass(0, 1, 0, conflicts);
        }
        wakeQueue.accept(schedule.queue());
        return new Pass(1, 0, 0, conflicts);
    }

    /**
     * The task a schedule pushes for its occurrence at {@code runAt}: named after it, with its queue
     * and parameters, and {@code schedule:<name>} as its author.
     */
    static TaskRequest taskFor(Schedule schedule, Instant runAt) {
        return TaskRequest.of(schedule.handler()).name(schedule.name()).queue(schedule.queue())
                .parameters(schedule.parameters()).runAt(runAt).author(AUTHOR_PREFIX + schedule.name());
    }

    /** How long to wait before the next pass: until the earliest next_schedule, at most the poll interval. */
    public Duration delayUntilNext() {
        Duration poll = settings.pollInterval();
        Optional<Instant> next = nextDue();
        if (next.isEmpty()) {
            return poll;
        }
        Duration until = Duration.between(clock.instant(), next.get());
        if (until.isNegative()) {
            return Duration.ZERO;
        }
        return until.compareTo(poll) < 0 ? until : poll;
    }
}
