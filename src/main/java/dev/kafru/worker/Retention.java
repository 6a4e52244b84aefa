package dev.kafru.worker;

import dev.kafru.TaskStatus;
import dev.kafru.config.Durations;
import dev.kafru.store.TaskRepository;
import org.eclipse.microprofile.config.Config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps kafru_queues bounded: deletes Completed tasks older than {@code kafru.retention.completed}
 * (24h) and Error and Cancelled tasks older than {@code kafru.retention.failed} (7d), measured from when they
 * finished — {@code 0} deletes them at the next pass, {@code forever} keeps them. A pass runs every
 * {@code kafru.retention.interval} (10s) on every server; it reads only what it deletes (an index
 * range per queue and status, oldest first) in transactions of {@value #BATCH}, at most
 * {@value #MOST_BATCHES} of them per pass, so a large history is worked off over several passes
 * between claims rather than in one long write: up to 20,000 tasks per pass and server. After
 * each transaction it pauses nine times as long as that took, so that deleting takes at most a
 * tenth of the time: measured, back-to-back deletes cut a busy queue's claims by 30%. A pass that
 * ends with a backlog (it used all its transactions) makes the next one pause a third as long, down
 * to as long as the transaction took (half the time), until a pass finds no backlog: a soak at 500
 * tasks a second on a busy machine fell behind at a tenth of the time (docs/soak.md). Two servers
 * deleting the same rows is a retried write conflict, nothing more.
 */
public final class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class.getName());
    static final int BATCH = 500;
    static final int MOST_BATCHES = 40;

    private final TaskRepository store;
    private final Optional<Duration> completed;
    private final Optional<Duration> failed;
    private final Clock clock;
    /** How long to pause after a transaction, as a multiple of how long it took, when there is no backlog. */
    private final int pace;
    /** The multiple this pass pauses by: {@link #pace}, or less after a pass that left a backlog. */
    private int current;
    private final int batch;
    private final int mostBatches;
    /** True when this pass stopped at its last transaction with more due. */
    private boolean backlog;
    /** Pauses for the given milliseconds (tests record them). */
    private final Pause pause;

    /** How retention waits between its transactions. */
    interface Pause {
        void millis(long millis) throws InterruptedException;
    }

    public Retention(TaskRepository store, Optional<Duration> completed, Optional<Duration> failed, Clock clock) {
        this(store, completed, failed, clock, 9);
    }

    /** {@code pace} 0 deletes without pausing (tests). */
    public Retention(TaskRepository store, Optional<Duration> completed, Optional<Duration> failed, Clock clock, int pace) {
        this(store, completed, failed, clock, pace, BATCH, MOST_BATCHES, Thread::sleep);
    }

    /** With the transaction size, the transactions per pass and the pause given (tests). */
    Retention(TaskRepository store, Optional<Duration> completed, Optional<Duration> failed, Clock clock, int pace,
              int batch, int mostBatches, Pause pause) {
        this.store = store;
        this.completed = completed;
        this.failed = failed;
        this.clock = clock;
        this.pace = pace;
        this.current = pace;
        this.batch = batch;
        this.mostBatches = mostBatches;
        this.pause = pause;
    }

    /** The multiple of a transaction's time the next pass pauses by after each. */
    int pace() {
        return current;
    }

    /** Reads {@code kafru.retention.completed} / {@code kafru.retention.failed}; empty means keep forever. */
    public static Optional<Duration> read(Config config, String key, Duration fallback) {
        String text = config.getOptionalValue(key, String.class).map(String::trim).orElse(null);
        if (text == null || text.isEmpty()) {
            return Optional.of(fallback);
        }
        if (text.equalsIgnoreCase("forever")) {
            return Optional.empty();
        }
        if (text.equals("0")) {
            return Optional.of(Duration.ZERO);
        }
        try {
            Duration d = Durations.parse(text);
            if (d.isNegative()) {
                throw new IllegalArgumentException("a negative duration");
            }
            return Optional.of(d);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' is not a retention; write a duration such as 24h or 7d, 0 (delete at once) or forever", e);
        }
    }

    /** One pass over every queue; returns how many tasks it deleted. */
    public synchronized int pass() {
        backlog = false;
        int[] batches = {0};
        int deleted = 0;
        for (String queue : store.queueNames()) {
            if (Thread.currentThread().isInterrupted()) {
                break;
            }
            deleted += delete(queue, TaskStatus.Completed, completed, batches);
            deleted += delete(queue, TaskStatus.Error, failed, batches);
            deleted += delete(queue, TaskStatus.Cancelled, failed, batches);
        }
        forgetProgress();
        if (completed.isPresent() && failed.isPresent() && !Thread.currentThread().isInterrupted()) {
            // chains and batches are kept as long as the tasks they link may be
            Duration keep = completed.get().compareTo(failed.get()) >= 0 ? completed.get() : failed.get();
            try {
                deleted += store.forgetFollowers(Instant.now(clock).minus(keep), batch);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "retention of chains and batches stopped; next pass", e);
            }
        }
        // all transactions used, the last one full: more is due than a pass at this pace deletes — pause less next time
        current = backlog ? Math.max(Math.min(1, pace), current / 3) : pace;
        return deleted;
    }

    /** Where the last pass's check of stored progress stopped: each pass checks the next {@value #BATCH}. */
    private String progressChecked;

    /** Deletes the stored progress of tasks that are gone (deleted here, removed or purged), a batch a pass. */
    private void forgetProgress() {
        try {
            progressChecked = store.forgetProgress(progressChecked, BATCH);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "the check of stored progress stopped; next pass", e);
        }
    }

    private int delete(String queue, TaskStatus status, Optional<Duration> keep, int[] batches) {
        if (keep.isEmpty()) {
            return 0;
        }
        Instant cutoff = Instant.now(clock).minus(keep.get());
        int deleted = 0;
        try {
            while (batches[0] < mostBatches) {
                batches[0]++;
                long started = System.nanoTime();
                int n = store.deleteFinished(queue, status, cutoff, batch);
                deleted += n;
                if (n < batch) {
                    break;
                }
                if (batches[0] >= mostBatches) {
                    backlog = true;
                    break;
                }
                if (current > 0) {
                    pause.millis(Math.max(1, TimeUnit.NANOSECONDS.toMillis((System.nanoTime() - started) * current)));
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "retention of " + status + " tasks in queue " + queue + " stopped; next pass", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopping: the next start goes on
        }
        return deleted;
    }
}
