package dev.kafru.store;

import dev.kafru.Schedule;
import dev.kafru.ScheduleFilter;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskRequest;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where schedules are kept: the schedule half of kafru's storage SPI, in domain types only, so
 * that a second backend is one more implementation beside {@code dev.kafru.store.surreal}.
 * Inject it; the container's producer builds the backend's implementation.
 *
 * <p>Names are unique among schedules: a write that would give a schedule another one's name
 * throws {@link DuplicateNameException} and stores nothing.
 *
 * <p>Firing ({@link #fire}) is a compare-and-set on the schedule's next fire time, together with
 * pushing its task: whichever scheduler moves the next fire time away from the occurrence it saw
 * is the one that pushes the task, so an occurrence becomes one task however many servers run a
 * scheduler. "Now" is always the caller's clock, never the store's, so tests can set it.
 *
 * <p>Schedules have one-second resolution: next fire times are stored rounded up to the whole
 * second, and {@link #due} compares them with now rounded down to the second.
 */
public interface ScheduleRepository {

    /**
     * Stores a new schedule, created at {@code fields.dateModified()}.
     *
     * @throws DuplicateNameException when another schedule has its name
     */
    Schedule insert(ScheduleFields fields);

    /** One schedule by id (the record key, with or without the table). */
    Optional<Schedule> get(String id);

    /** One schedule by its unique name. */
    Optional<Schedule> byName(String name);

    /**
     * Schedules matching the filter. With {@code upcoming = true} only those that will fire
     * (Enabled, with a next fire time), soonest first; otherwise oldest first (then by name).
     */
    List<Schedule> list(ScheduleFilter filter);

    /**
     * Writes the fields over a schedule's (see {@link ScheduleFields} for what null means);
     * empty when there is no such schedule.
     *
     * @throws DuplicateNameException when the new name belongs to another schedule
     */
    Optional<Schedule> replace(String id, ScheduleFields fields);

    /**
     * {@link #replace} only while the schedule's dateModified is still {@code seen} — the
     * compare-and-set that makes create-or-update safe when servers start at once; empty when
     * there is no such schedule or it changed since.
     *
     * @throws DuplicateNameException when the new name belongs to another schedule
     */
    Optional<Schedule> replaceIfUnchanged(String id, ScheduleFields fields, Instant seen);

    /** True when a schedule was removed. */
    boolean remove(String id);

    /** Removes the schedules with this status (null: all); returns how many. */
    long purge(ScheduleStatus status);

    /** Up to {@code limit} Enabled schedules whose next fire time is at or before {@code now}, in no set order. */
    List<Schedule> due(Instant now, int limit);

    /**
     * The database's own time ({@code time::now()}): the clock every scheduler decides by, so that
     * servers whose clocks disagree still agree on what is due (see {@code dev.kafru.schedule.EngineClock}).
     */
    Instant databaseNow();

    /** The earliest next fire time of an Enabled schedule, if any. */
    Optional<Instant> earliestNext();

    /**
     * At once: moves the schedule's next fire time from {@code expected} to {@code next} (null:
     * none) and sets its status — only if it is still Enabled with next fire time
     * {@code expected} — and, if it moved and {@code task} is given, pushes {@code task}. A write
     * conflict makes the store try the whole step again.
     *
     * @param task the task the occurrence pushes, or null to advance without firing
     * @param now  the caller's clock: the task's and the schedule's modification time
     */
    Fired fire(String id, Instant expected, Instant next, ScheduleStatus status, TaskRequest task, Instant now);

    /** What became of one {@link #fire} call; {@code attempts} above 1 are write conflicts retried. */
    record Fired(boolean moved, int attempts) {
    }

    /**
     * Tells {@code listener} the next fire time of each schedule that is created, or changes, while
     * Enabled — on any server — so that every scheduler re-arms its timer when it must fire sooner.
     */
    Subscription onChange(Consumer<Instant> listener);

    /** A name that another schedule already has. */
    final class DuplicateNameException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DuplicateNameException(String name, Throwable cause) {
            super("a schedule named '" + name + "' exists already", cause);
        }
    }
}
