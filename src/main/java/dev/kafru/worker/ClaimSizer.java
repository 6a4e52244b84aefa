package dev.kafru.worker;

/**
 * How many tasks a dispatcher claims ahead of its free threads (the prefetch), from how fast this
 * server finishes the queue's tasks: about {@link #HORIZON_NANOS one second} of work, at most
 * twice {@code kafru.worker.batch-size}. Twice, so that during a flood the next claim of a whole
 * batch is asked while the last one's tasks still run (a dispatcher claims again once half its
 * prefetch is left): capped at one batch, each claim started with a few dozen tasks left, which
 * ran out long before it returned, so the threads stood idle for every claim and the claims were
 * short of a batch (measured: 930 tasks a claim, none left when it came back; with twice, 1,000,
 * and ~700 left when it started). A flood of short tasks is claimed hundreds at a time (a claim
 * of hundreds costs far less per task than one of a few); a queue of long tasks prefetches none,
 * so that one server does not hoard what idle servers could start. A fixed
 * {@code kafru.worker.prefetch} overrides it.
 */
final class ClaimSizer {

    /** How much work, in task time, a dispatcher holds claimed beyond its threads. */
    static final long HORIZON_NANOS = 1_000_000_000L;
    /** Weight of the newest duration in the moving average. */
    private static final double WEIGHT = 0.1;

    private final int threads;
    private final int fixed;
    private final int most;
    /** Moving average of a task's run time in nanoseconds; NaN until the first task finished. */
    private volatile double average = Double.NaN;
    /** How many run times the average holds (counted up to what it takes to trust it). */
    private volatile int samples;

    ClaimSizer(int threads, WorkerSettings settings) {
        this.threads = threads;
        this.fixed = settings.prefetch();
        this.most = 2 * settings.batchSize();
    }

    /** A task ran for {@code nanos}. */
    void finished(long nanos) {
        double current = average;
        average = Double.isNaN(current) ? nanos : current + WEIGHT * (nanos - current);
        if (samples < trustedAfter()) {
            samples++;
        }
    }

    /**
     * Run times it takes before the average decides the prefetch: two per thread. One quick task
     * before a flood of slower ones made a server claim a thousand of them at once, which no other
     * server could then start (seen in ClusterIT: one fast task, then tasks of 40 ms).
     */
    private int trustedAfter() {
        return 2 * threads;
    }

    /** Tasks to hold claimed beyond the threads now. */
    int prefetch() {
        if (fixed >= 0) {
            return fixed;
        }
        double current = average;
        if (Double.isNaN(current) || samples < trustedAfter()) {
            return threads; // too little measured yet: one task ahead per thread
        }
        double ahead = threads * (HORIZON_NANOS / Math.max(current, 1_000.0));
        return (int) Math.max(0, Math.min(most, Math.floor(ahead)));
    }
}
