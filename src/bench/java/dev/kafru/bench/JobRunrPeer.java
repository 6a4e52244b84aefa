package dev.kafru.bench;

import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.BackgroundJob;
import org.jobrunr.storage.InMemoryStorageProvider;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.jobrunr.server.BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration;

/**
 * JobRunr 8.7.0 with its in-memory storage or its PostgreSQL storage (through HikariCP; it
 * creates its tables itself): the shortest poll each allows (200 ms in memory, 5 s on SQL),
 * {@code threads} workers, a no-op job.
 */
public final class JobRunrPeer {

    static volatile Measure.Runs runs;
    static final Measure.Start START = new Measure.Start();

    private JobRunrPeer() {
    }

    /** The job: JobRunr records the call and runs it in a worker. */
    public static void noop(long i) {
        runs.ran();
    }

    public static void mark() {
        START.mark();
    }

    private static StorageProvider start(Bench.Options o, Pools.Store store, int threads) throws Exception {
        StorageProvider storage = store == Pools.Store.IN_MEMORY ? new InMemoryStorageProvider()
                : new PostgresStorageProvider(Pools.open(o, store, "jobrunr", threads + 4));
        JobRunr.configure().useStorageProvider(storage)
                .useBackgroundJobServer(usingStandardBackgroundJobServerConfiguration().andWorkerCount(threads)
                        .andPollInterval(pollInterval(store)))
                .initialize();
        return storage;
    }

    /** JobRunr refuses shorter ones: "the smallest supported pollInterval is 5 seconds" on SQL. */
    static Duration pollInterval(Pools.Store store) {
        return store == Pools.Store.IN_MEMORY ? Duration.ofMillis(200) : Duration.ofSeconds(5);
    }

    /** The warm-up and {@link Bench.Options#jobrunrTasks} timed, enqueued with {@code enqueue(Stream)} in 500s. */
    static Map<String, Double> throughput(Bench.Options o, Pools.Store store) throws Exception {
        runs = new Measure.Runs(0);
        StorageProvider storage = start(o, store, o.threads);
        try {
            return Measure.warmThenTime(o, o.jobrunrTasks(), runs, new Measure.Flood() {
                @Override
                public void push(long first, int tasks) {
                    for (long from = first; from < first + tasks; from += 500) {
                        BackgroundJob.<Long>enqueue(LongStream.range(from, Math.min(first + tasks, from + 500)).boxed(), i -> JobRunrPeer.noop(i));
                    }
                }

                @Override
                public void confirm(long total) throws InterruptedException {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (storage.countJobs(StateName.SUCCEEDED) < total) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException(storage.countJobs(StateName.SUCCEEDED) + " of " + total + " jobs SUCCEEDED");
                        }
                        Thread.sleep(100);
                    }
                }
            });
        } finally {
            JobRunr.destroy();
        }
    }

    static Map<String, Double> latency(Bench.Options o, Pools.Store store) throws Exception {
        start(o, store, 4);
        try {
            // each waits for the next poll (the samples follow each other): at most 100, 5 on SQL (5 s each)
            int samples = Math.min(o.samples, store == Pools.Store.IN_MEMORY ? 100 : 5);
            return Measure.percentiles(Measure.samples(samples, 0, 20, () -> {
                START.reset();
                long t0 = System.nanoTime();
                BackgroundJob.enqueue(() -> JobRunrPeer.mark());
                return START.msAfter(t0);
            }), null);
        } finally {
            JobRunr.destroy();
        }
    }
}
