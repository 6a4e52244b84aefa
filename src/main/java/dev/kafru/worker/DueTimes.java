package dev.kafru.worker;

import dev.kafru.store.TaskRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What a dispatcher knows of when its queue's next task comes due, so that its timer fires then
 * rather than at the next poll.
 *
 * <p>Pushes and retries announce their due times ({@link #noteDue}); asking the store for the
 * earliest one is only a fallback, at most once per poll interval unless something written
 * since ({@link #rescanSoon()}) has a due time only the database knows. The due times come
 * from the database's clock and are compared with the application's: where they disagree by a
 * little, a passed hint that claimed nothing is looked at again {@link #RECHECK shortly}.
 */
final class DueTimes {

    /** How soon to look again when a known due time passed without a claim. */
    static final Duration RECHECK = Duration.ofMillis(5);

    private final Duration pollInterval;
    private final Supplier<Optional<Instant>> earliestStored;
    private final Clock clock;
    /** Told of a task due before now: the store's claims may have passed where it waits. */
    private final Consumer<Instant> dueBehind;
    /** The earliest run_at of a not-yet-due task this dispatcher knows of (null: none known). */
    private volatile Instant knownNextDue;
    /** When the store was last asked for the next run_at (a fallback: pushes and retries announce theirs). */
    private volatile Instant lastScan = Instant.EPOCH;

    /**
     * @param earliestStored asks the store for the earliest run_at of the queue's Waiting tasks
     *                       (see {@link TaskRepository#nextRunAt(String)})
     */
    DueTimes(Duration pollInterval, Supplier<Optional<Instant>> earliestStored, Consumer<Instant> dueBehind, Clock clock) {
        this.pollInterval = pollInterval;
        this.earliestStored = earliestStored;
        this.dueBehind = dueBehind;
        this.clock = clock;
    }

    /** A task of the queue becomes due at {@code runAt} (a delayed push, a retry); null tells nothing. */
    synchronized void noteDue(Instant runAt) {
        if (runAt == null) {
            return;
        }
        Instant now = clock.instant();
        if (runAt.isBefore(now)) {
            dueBehind.accept(runAt); // behind where the claims may have got to
        }
        Instant known = knownNextDue;
        if (known == null || runAt.isBefore(known) || !known.isAfter(now)) {
            knownNextDue = runAt;
        }
    }

    /** A due time only the database knows was written (a retry's run_at): read it at the next short claim. */
    void rescanSoon() {
        lastScan = Instant.EPOCH;
    }

    /**
     * How long to wait for the next known due task, no longer than {@code next}; called after a
     * claim that came back short, so nothing is due now as far as the store could tell.
     */
    Duration untilNextDue(Duration next) {
        Instant now = clock.instant();
        if (Duration.between(lastScan, now).compareTo(pollInterval) >= 0) {
            lastScan = now;
            earliestStored.get().ifPresent(this::noteDue);
        }
        Instant due = knownNextDue;
        if (due != null && !due.isAfter(now)) {
            // the time we were told has passed but nothing was claimed: the stored run_at
            // is a little later (computed by the database after us), or the task came due
            // between the claim and the scan — look again shortly, reading the store
            forgetDue(due);
            rescanSoon();
        }
        return wait(due, now, next);
    }

    /** Whether the next known due time has come (a task noted as due is due now). */
    boolean knownDueHasPassed() {
        Instant due = knownNextDue;
        return due != null && !due.isAfter(clock.instant());
    }

    /**
     * How long until the next known due task, no longer than {@code next}, for a cycle that did not
     * claim (nothing announced): a due time noted earlier still arms the timer (its wake claims).
     */
    Duration untilKnownDue(Duration next) {
        return wait(knownNextDue, clock.instant(), next);
    }

    /** How long to wait for {@code due} at {@code now}, no longer than {@code next}: {@link #RECHECK} once it has passed. */
    private static Duration wait(Instant due, Instant now, Duration next) {
        if (due == null) {
            return next;
        }
        Duration until = Duration.between(now, due);
        if (until.isNegative() || until.isZero()) {
            return RECHECK.compareTo(next) < 0 ? RECHECK : next;
        }
        return until.compareTo(next) < 0 ? until.plusMillis(2) : next;
    }

    /** Drops a hint that has passed, unless a newer one replaced it meanwhile. */
    private synchronized void forgetDue(Instant passed) {
        if (knownNextDue == passed) {
            knownNextDue = null;
        }
    }
}
