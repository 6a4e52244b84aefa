package dev.kafru;

import dev.kafru.schedule.CronSchedule;
import dev.kafru.schedule.FireTimes;
import dev.kafru.schedule.ScheduleChanged;
import dev.kafru.store.ScheduleFields;
import dev.kafru.store.ScheduleRepository;
import dev.kafru.worker.TaskRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * Cron and one-time schedules — the crate's {@code Schedule}. Inject it anywhere:
 *
 * <pre>{@code
 * @Inject KafruSchedules schedules;
 *
 * Schedule s = schedules.create(ScheduleRequest.of("invoices-hourly", "send-invoices").cron("0 0 * * * ?"));
 * List<Instant> next = schedules.nextFireTimes(s.id(), 5);
 * }</pre>
 *
 * When a schedule fires, the scheduler pushes a task named after it, with its parameters,
 * into its queue; one occurrence becomes exactly one task however many servers run a
 * scheduler. Bad input throws {@link InvalidScheduleException} naming the field, and nothing is
 * stored.
 */
@ApplicationScoped
public class KafruSchedules {

    /** Most fire times {@link #nextFireTimes} computes. */
    public static final int MAX_FIRE_TIMES = 100;

    @Inject
    ScheduleRepository repository;

    @Inject
    TaskRegistry registry;

    /** Where {@link #runNow} pushes. */
    @Inject
    KafruQueue queue;

    /** Tells the scheduler (an observer) about each schedule written, without a reference to it. */
    @Inject
    Event<ScheduleChanged> changed;

    /** The database's clock in a container (first fire times, stamps); a test's own clock with {@link #of}. */
    private Clock clock;

    private Clock clock() {
        if (clock == null) {
            clock = dev.kafru.schedule.EngineClock.measuredWhenStale(Clock.systemUTC(), repository::databaseNow);
        }
        return clock;
    }

    /** For CDI. */
    protected KafruSchedules() {
    }

    /** Schedules on a plain repository, without a container (tests, tools); no scheduler is woken. */
    public static KafruSchedules of(ScheduleRepository repository, TaskRegistry registry, Clock clock) {
        KafruSchedules schedules = new KafruSchedules();
        schedules.repository = repository;
        schedules.registry = registry;
        schedules.clock = clock;
        return schedules;
    }

    /**
     * Creates a schedule. Its first fire time is the cron's first occurrence after now (or at/after
     * startSchedule), unless nextSchedule is given.
     *
     * @throws InvalidScheduleException naming the field: invalid cron (quoting the parser), unknown
     *                                  handler or time zone, until before start, a one-time schedule
     *                                  without cron or nextSchedule, a name that is taken
     */
    public Schedule create(ScheduleRequest request) {
        Schedule created;
        try {
            created = repository.insert(fields(request, clock().instant()));
        } catch (ScheduleRepository.DuplicateNameException e) {
            throw nameTaken(request.name());
        }
        announce(created);
        return created;
    }

    /** One schedule by id (the record key, with or without {@code kafru_schedules:}). */
    public Optional<Schedule> get(String id) {
        return repository.get(id);
    }

    /** One schedule by its unique name. */
    public Optional<Schedule> byName(String name) {
        return repository.byName(name);
    }

    /** The schedules matching the filter (null: {@link ScheduleFilter#all()}). */
    public List<Schedule> list(ScheduleFilter filter) {
        ScheduleFilter f = filter == null ? ScheduleFilter.all() : filter;
        if (f.limit() < 1 || f.limit() > ScheduleFilter.MAX_LIMIT) {
            throw new InvalidScheduleException("limit", "limit " + f.limit() + " is out of range: use 1 to " + ScheduleFilter.MAX_LIMIT);
        }
        return repository.list(f);
    }

    /**
     * Replaces every field of a schedule with the request's, and computes its next fire time
     * again from now (so re-enabling a schedule does not fire the occurrences it was disabled for).
     *
     * @return the schedule after the change; empty when there is no such schedule
     */
    public Optional<Schedule> update(String id, ScheduleRequest changes) {
        ScheduleFields fields = fields(changes, clock().instant());
        try {
            Optional<Schedule> updated = repository.replace(id, fields);
            updated.ifPresent(this::announce);
            return updated;
        } catch (ScheduleRepository.DuplicateNameException e) {
            throw nameTaken(changes.name());
        }
    }

    /**
     * Creates the schedule named {@code request.name()}, or brings an existing one in line with the
     * request — what {@link Recurring} does at start-up. Safe to call from many servers at once;
     * calling it again with the same request changes nothing. An existing schedule keeps its
     * status (an administrator may have disabled it) and its next fire time, unless the cron,
     * time zone, one-time flag or window changed.
     */
    public Schedule define(ScheduleRequest request) {
        for (int attempt = 1; ; attempt++) {
            ScheduleFields fields = fields(request, clock().instant());
            Optional<Schedule> existing = repository.byName(request.name());
            if (existing.isEmpty()) {
                try {
                    Schedule created = repository.insert(fields);
                    announce(created);
                    return created;
                } catch (ScheduleRepository.DuplicateNameException e) {
                    // another server created it first: bring that one in line on the next attempt
                }
            } else {
                Schedule old = existing.get();
                ScheduleFields change = fields.keepingStatus();
                if (sameTiming(old, change)) {
                    change = change.keepingNextSchedule();
                }
                if (unchanged(old, change)) {
                    return old;
                }
                Optional<Schedule> updated = repository.replaceIfUnchanged(old.id(), change, old.dateModified());
                if (updated.isPresent()) {
                    announce(updated.get());
                    return updated.get();
                }
            }
            if (attempt >= 20) {
                throw new IllegalStateException("schedule '" + request.name() + "' kept changing while it was defined; try again");
            }
        }
    }

    /**
     * Pushes one task for the schedule now — the task an occurrence pushes (named after the
     * schedule, its handler, queue and parameters) — without moving its next fire time, whether
     * the schedule is enabled or not:
     *
     * <pre>{@code
     * Task task = schedules.runNow(s.id()).orElseThrow();   // the nightly report, once more, now
     * }</pre>
     *
     * @return the task pushed; empty when there is no such schedule
     * @throws IllegalStateException when this application has no handler of the schedule's name
     *                               (nothing is pushed)
     */
    public Optional<Task> runNow(String id) {
        Optional<Schedule> found = repository.get(id);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Schedule schedule = found.get();
        if (!registry.has(schedule.handler())) {
            throw new IllegalStateException("schedule '" + schedule.name() + "' cannot run here: " + registry.unknown(schedule.handler()));
        }
        if (queue == null) {
            throw new IllegalStateException("runNow needs a KafruQueue: inject KafruSchedules rather than making it with of(...)");
        }
        return Optional.of(queue.push(TaskRequest.of(schedule.handler()).name(schedule.name()).queue(schedule.queue())
                .parameters(schedule.parameters())));
    }

    /** Removes a schedule; false when there was none. Tasks it already pushed stay. */
    public boolean remove(String id) {
        return repository.remove(id);
    }

    /** Removes the schedules with this status (null: all of them); returns how many. */
    public long purge(ScheduleStatus status) {
        return repository.purge(status);
    }

    /**
     * The schedule's next {@code count} fire times (1 to 100), inside its window; fewer when it
     * ends sooner, none when it will not fire again.
     *
     * @throws NoSuchElementException when there is no such schedule
     */
    public List<Instant> nextFireTimes(String id, int count) {
        if (count < 1 || count > MAX_FIRE_TIMES) {
            throw new InvalidScheduleException("count", "count " + count + " is out of range: use 1 to " + MAX_FIRE_TIMES);
        }
        Schedule schedule = repository.get(id).orElseThrow(() -> new NoSuchElementException("no schedule '" + id + "'"));
        if (schedule.status() != ScheduleStatus.Enabled) {
            return List.of();
        }
        return FireTimes.upcoming(schedule, clock().instant(), count);
    }

    /**
     * The next {@code count} times (1 to 100) a cron expression fires in a time zone, without a
     * schedule: how a form checks a cron as it is typed, with the same parser the scheduler uses.
     *
     * @throws InvalidScheduleException naming {@code cron} (with the parser's reason), {@code timeZone} or {@code count}
     */
    public List<Instant> previewCron(String cron, String timeZone, int count) {
        if (count < 1 || count > MAX_FIRE_TIMES) {
            throw new InvalidScheduleException("count", "count " + count + " is out of range: use 1 to " + MAX_FIRE_TIMES);
        }
        ZoneId zone = ScheduleRequest.zone(timeZone);
        CronSchedule parsed;
        try {
            parsed = CronSchedule.parse(cron, zone);
        } catch (IllegalArgumentException e) {
            throw new InvalidScheduleException("cron", e.getMessage());
        }
        return parsed.next(clock().instant(), count, null);
    }

    /** Validates a request and turns it into the fields to store, modified {@code now}. */
    private ScheduleFields fields(ScheduleRequest request, Instant now) {
        CronSchedule cron = request.validate();
        if (!registry.has(request.handler())) {
            throw new InvalidScheduleException("handler", registry.unknown(request.handler()));
        }
        Instant next = request.nextSchedule();
        if (next == null) {
            next = FireTimes.first(cron, request.startSchedule(), request.untilSchedule(), now)
                    .orElseThrow(() -> new InvalidScheduleException("cron", "cron '" + request.cron() + "' ("
                            + request.timeZone() + ") has no occurrence after " + later(now, request.startSchedule())
                            + (request.untilSchedule() == null ? "" : " and before untilSchedule " + request.untilSchedule())
                            + ": the schedule would never fire"));
        }
        return new ScheduleFields(request.name(), request.queue(), request.handler(), request.parameters(),
                cron == null ? null : cron.expression(), cron == null ? request.timeZone().trim() : cron.zone().getId(),
                request.status(), request.oneTime(), request.startSchedule(), request.untilSchedule(), next, now);
    }

    private static boolean sameTiming(Schedule old, ScheduleFields fields) {
        return Objects.equals(old.cronExpression(), fields.cronExpression())
                && Objects.equals(old.timeZone(), fields.timeZone())
                && old.oneTime() == fields.oneTime()
                && Objects.equals(old.startSchedule(), fields.startSchedule())
                && Objects.equals(old.untilSchedule(), fields.untilSchedule());
    }

    /** True when a change that keeps the next fire time would write nothing new. */
    private static boolean unchanged(Schedule old, ScheduleFields change) {
        return change.nextSchedule() == null && old.queue().equals(change.queue())
                && old.handler().equals(change.handler()) && old.parameters().equals(change.parameters());
    }

    private static Instant later(Instant now, Instant start) {
        return start != null && start.isAfter(now) ? start : now;
    }

    private static InvalidScheduleException nameTaken(String name) {
        return new InvalidScheduleException("name", "a schedule named '" + name + "' exists already: choose another name, or update that one");
    }

    /** Fires {@link ScheduleChanged} for a schedule just written; without a container, there is no one to tell. */
    private void announce(Schedule schedule) {
        if (changed != null) {
            changed.fire(new ScheduleChanged(schedule));
        }
    }
}
