package dev.kafru;

import dev.kafru.schedule.CronSchedule;
import dev.kafru.schedule.FireTimes;
import dev.kafru.schedule.Scheduler;
import dev.kafru.surrealdb.None;
import dev.kafru.store.ScheduleStore;
import dev.kafru.store.surreal.SurrealDatabase;
import dev.kafru.worker.TaskRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    SurrealDatabase database;

    @Inject
    TaskRegistry registry;

    @Inject
    Scheduler scheduler;

    private ScheduleStore plainStore;
    private Clock clock = Clock.systemUTC();

    /** For CDI. */
    protected KafruSchedules() {
    }

    /** Schedules on a plain store, without a container (tests, tools); no scheduler is woken. */
    public static KafruSchedules of(ScheduleStore store, TaskRegistry registry, Clock clock) {
        KafruSchedules schedules = new KafruSchedules();
        schedules.plainStore = store;
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
        Instant now = clock.instant();
        Map<String, Object> row = row(request, now);
        row.put("date_created", now);
        Schedule created = store().insert(row).orElseThrow(() -> nameTaken(request.name()));
        wakeScheduler(created);
        return created;
    }

    /** One schedule by id (the record key, with or without {@code kafru_schedules:}). */
    public Optional<Schedule> get(String id) {
        return store().get(id);
    }

    /** One schedule by its unique name. */
    public Optional<Schedule> byName(String name) {
        return store().byName(name);
    }

    /** The schedules matching the filter (null: {@link ScheduleFilter#all()}). */
    public List<Schedule> list(ScheduleFilter filter) {
        ScheduleFilter f = filter == null ? ScheduleFilter.all() : filter;
        if (f.limit() < 1 || f.limit() > ScheduleFilter.MAX_LIMIT) {
            throw new InvalidScheduleException("limit", "limit " + f.limit() + " is out of range: use 1 to " + ScheduleFilter.MAX_LIMIT);
        }
        return store().list(f);
    }

    /**
     * Replaces every field of a schedule with the request's, and computes its next fire time
     * again from now (so re-enabling a schedule does not fire the occurrences it was disabled for).
     *
     * @return the schedule after the change; empty when there is no such schedule
     */
    public Optional<Schedule> update(String id, ScheduleRequest changes) {
        Map<String, Object> row = row(changes, clock.instant());
        try {
            Optional<Schedule> updated = store().replace(id, row);
            updated.ifPresent(this::wakeScheduler);
            return updated;
        } catch (ScheduleStore.DuplicateNameException e) {
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
            Instant now = clock.instant();
            Map<String, Object> row = row(request, now);
            ScheduleStore store = store();
            Optional<Schedule> existing = store.byName(request.name());
            if (existing.isEmpty()) {
                row.put("date_created", now);
                Optional<Schedule> created = store.insert(row);
                if (created.isPresent()) {
                    wakeScheduler(created.get());
                    return created.get();
                }
            } else {
                Schedule old = existing.get();
                row.remove("status");
                if (sameTiming(old, row)) {
                    row.remove("next_schedule");
                }
                if (unchanged(old, row)) {
                    return old;
                }
                Optional<Schedule> updated = store.replaceIfUnchanged(old.id(), row, old.dateModified());
                if (updated.isPresent()) {
                    wakeScheduler(updated.get());
                    return updated.get();
                }
            }
            if (attempt >= 20) {
                throw new IllegalStateException("schedule '" + request.name() + "' kept changing while it was defined; try again");
            }
        }
    }

    /** Removes a schedule; false when there was none. Tasks it already pushed stay. */
    public boolean remove(String id) {
        return store().remove(id);
    }

    /** Removes the schedules with this status (null: all of them); returns how many. */
    public long purge(ScheduleStatus status) {
        return store().purge(status);
    }

    /**
     * The schedule's next {@code count} fire times (1 to 100), inside its window; fewer when it
     * ends sooner, none when it will not fire again.
     *
     * @throws java.util.NoSuchElementException when there is no such schedule
     */
    public List<Instant> nextFireTimes(String id, int count) {
        if (count < 1 || count > MAX_FIRE_TIMES) {
            throw new InvalidScheduleException("count", "count " + count + " is out of range: use 1 to " + MAX_FIRE_TIMES);
        }
        Schedule schedule = store().get(id).orElseThrow(() -> new java.util.NoSuchElementException("no schedule '" + id + "'"));
        if (schedule.status() != ScheduleStatus.Enabled) {
            return List.of();
        }
        return FireTimes.upcoming(schedule, clock.instant(), count);
    }

    /** Validates a request and turns it into the stored fields (without date_created). */
    private Map<String, Object> row(ScheduleRequest request, Instant now) {
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
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", request.name());
        row.put("queue", request.queue());
        row.put("handler", request.handler());
        row.put("parameters", request.parameters());
        row.put("cron_expression", cron == null ? None.NONE : cron.expression());
        row.put("time_zone", cron == null ? request.timeZone().trim() : cron.zone().getId());
        row.put("status", request.status().name());
        row.put("one_time", request.oneTime());
        row.put("start_schedule", orNone(request.startSchedule()));
        row.put("until_schedule", orNone(request.untilSchedule()));
        row.put("next_schedule", next);
        row.put("date_modified", now);
        return row;
    }

    private static boolean sameTiming(Schedule old, Map<String, Object> row) {
        return java.util.Objects.equals(old.cronExpression(), value(row.get("cron_expression")))
                && java.util.Objects.equals(old.timeZone(), row.get("time_zone"))
                && old.oneTime() == (Boolean) row.get("one_time")
                && java.util.Objects.equals(old.startSchedule(), value(row.get("start_schedule")))
                && java.util.Objects.equals(old.untilSchedule(), value(row.get("until_schedule")));
    }

    private static boolean unchanged(Schedule old, Map<String, Object> row) {
        return !row.containsKey("next_schedule") && old.queue().equals(row.get("queue"))
                && old.handler().equals(row.get("handler")) && old.parameters().equals(row.get("parameters"));
    }

    private static Object value(Object stored) {
        return stored == None.NONE ? null : stored;
    }

    private static Object orNone(Instant value) {
        return value == null ? None.NONE : value;
    }

    private static Instant later(Instant now, Instant start) {
        return start != null && start.isAfter(now) ? start : now;
    }

    private static InvalidScheduleException nameTaken(String name) {
        return new InvalidScheduleException("name", "a schedule named '" + name + "' exists already: choose another name, or update that one");
    }

    private void wakeScheduler(Schedule schedule) {
        if (scheduler != null && schedule.status() == ScheduleStatus.Enabled && schedule.nextSchedule() != null) {
            scheduler.wakeFor(schedule.nextSchedule());
        }
    }

    private ScheduleStore store() {
        if (plainStore != null) {
            return plainStore;
        }
        database.awaitSchema(Duration.ofSeconds(30));
        return new ScheduleStore(database.connection());
    }
}
