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
 * tenth of the time: measured, back-to-back deletes cut a busy queue's claims by 30%. Two
 * servers deleting the same rows is a retried write conflict, nothing more.
 */
public final class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class.getName());
    static final int BATCH = 500;
    static final int MOST_BATCHES = 40;

    private final TaskRepository store;
    private final Optional<Duration> completed;
    private final Optional<Duration> failed;
    private final Clock clock;
    /** How long to pause after a transaction, as a multiple of how long it took. */
    private final int pace;

    public Retention(TaskRepository store, Optional<Duration> completed, Optional<Duration> failed, Clock clock) {
        this(store, completed, failed, clock, 9);
    }

    /** {@code pace} 0 deletes without pausing (tests). */
    public Retention(TaskRepository store, Optional<Duration> completed, Optional<Duration> failed, Clock clock, int pace) {
        this.store = store;
        this.completed = completed;
        this.failed = failed;
        this.clock = clock;
        this.pace = pace;
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
    public int pass() {
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
            while (batches[0] < MOST_BATCHES) {
                batches[0]++;
                long started = System.nanoTime();
                int n = store.deleteFinished(queue, status, cutoff, BATCH);
                deleted += n;
                if (n < BATCH) {
                    break;
                }
                if (pace > 0) {
                    Thread.sleep(TimeUnit.NANOSECONDS.toMillis((System.nanoTime() - started) * pace));
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
