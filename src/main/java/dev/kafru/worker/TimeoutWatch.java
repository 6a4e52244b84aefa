package dev.kafru.worker;

import java.time.Duration;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The time-outs of one dispatcher's running tasks: deadlines in one sorted set and one timer, armed
 * for the earliest — not a timer per task (a cancelled timer stays in a scheduler's queue until its
 * delay: 30-second time-outs at thousands of tasks a second would be a queue of a hundred thousand).
 * A task without a time-out is never seen here.
 *
 * <p>At its deadline a run is {@link TaskExecution#timeOut timed out} (asked to stop and
 * interrupted); if it is still running {@code abandonAfter} later, it is handed to
 * {@code abandon}, which runs on the scheduler's thread and must only hand work on.
 */
final class TimeoutWatch {

    private static final Logger LOG = Logger.getLogger(TimeoutWatch.class.getName());

    /** A deadline: the run times out then, or (abandon) is abandoned then. */
    record Deadline(long nanos, long order, TaskExecution run, Duration timeout, boolean abandon) implements Comparable<Deadline> {
        @Override
        public int compareTo(Deadline o) {
            int byTime = Long.compare(nanos, o.nanos);
            return byTime != 0 ? byTime : Long.compare(order, o.order);
        }
    }

    private final ScheduledExecutorService scheduler;
    private final Duration abandonAfter;
    private final Consumer<TaskExecution> abandon;
    private final ConcurrentSkipListSet<Deadline> deadlines = new ConcurrentSkipListSet<>();
    private final AtomicLong order = new AtomicLong();
    /** Guarded by this: the timer, and the deadline it is armed for (Long.MAX_VALUE: none). */
    private ScheduledFuture<?> timer;
    private long armedFor = Long.MAX_VALUE;

    TimeoutWatch(ScheduledExecutorService scheduler, Duration abandonAfter, Consumer<TaskExecution> abandon) {
        this.scheduler = scheduler;
        this.abandonAfter = abandonAfter;
        this.abandon = abandon;
    }

    /** Starts watching a run that may take at most {@code timeout}; give what it returns to {@link #unwatch}. */
    Deadline watch(TaskExecution run, Duration timeout) {
        Deadline deadline = new Deadline(System.nanoTime() + timeout.toNanos(), order.incrementAndGet(), run, timeout, false);
        deadlines.add(deadline);
        arm();
        return deadline;
    }

    /** The run returned in time: forget its deadline (a timer armed for it finds nothing and re-arms). */
    void unwatch(Deadline deadline) {
        deadlines.remove(deadline);
    }

    /** How many deadlines are watched (time-outs and abandon checks). */
    int size() {
        return deadlines.size();
    }

    private synchronized void arm() {
        Deadline first = deadlines.isEmpty() ? null : firstOrNull();
        if (first == null || first.nanos() >= armedFor) {
            return;
        }
        if (timer != null) {
            timer.cancel(false);
        }
        armedFor = first.nanos();
        try {
            timer = scheduler.schedule(this::fire, Math.max(0, first.nanos() - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            armedFor = Long.MAX_VALUE;
            LOG.fine("the scheduler refused the time-out timer (stopping?)");
        }
    }

    private Deadline firstOrNull() {
        try {
            return deadlines.first();
        } catch (java.util.NoSuchElementException e) {
            return null; // emptied meanwhile
        }
    }

    private void fire() {
        synchronized (this) {
            armedFor = Long.MAX_VALUE;
            timer = null;
        }
        long now = System.nanoTime();
        Deadline due;
        while ((due = firstOrNull()) != null && due.nanos() <= now) {
            if (!deadlines.remove(due)) {
                continue; // its run returned just now
            }
            if (due.abandon()) {
                abandon.accept(due.run());
            } else if (due.run().timeOut(due.timeout())) {
                deadlines.add(new Deadline(now + abandonAfter.toNanos(), order.incrementAndGet(), due.run(), due.timeout(), true));
            }
        }
        arm();
    }
}
