package dev.kafru.bench;

import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.BackgroundJob;
import org.jobrunr.storage.InMemoryStorageProvider;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.jobrunr.server.BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration;

/** JobRunr 8.7.0 with its in-memory storage: poll 200 ms (its minimum), {@code threads} workers, a no-op job. */
public final class JobRunrPeer {

    static volatile Measure.Runs runs;
    static final Measure.Start START = new Measure.Start();

    private JobRunrPeer() {
    }

    /** The job: JobRunr records the call and runs it in a worker. */
    public static void noop(int i) {
        runs.ran();
    }

    public static void mark() {
        START.mark();
    }

    private static InMemoryStorageProvider start(int threads) {
        InMemoryStorageProvider storage = new InMemoryStorageProvider();
        JobRunr.configure().useStorageProvider(storage)
                .useBackgroundJobServer(usingStandardBackgroundJobServerConfiguration().andWorkerCount(threads)
                        .andPollInterval(Duration.ofMillis(200)))
                .initialize();
        return storage;
    }

    static Map<String, Double> throughput(Bench.Options o) throws Exception {
        runs = new Measure.Runs(o.tasks);
        InMemoryStorageProvider storage = start(o.threads);
        try {
            long start = System.nanoTime();
            for (int from = 0; from < o.tasks; from += 500) {
                BackgroundJob.<Integer>enqueue(IntStream.range(from, Math.min(o.tasks, from + 500)).boxed(), i -> JobRunrPeer.noop(i));
            }
            double pushed = (System.nanoTime() - start) / 1e9;
            runs.awaitAll();
            Map<String, Double> r = Measure.rate(o.tasks, start, pushed);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (storage.countJobs(StateName.SUCCEEDED) < o.tasks) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(storage.countJobs(StateName.SUCCEEDED) + " of " + o.tasks + " jobs SUCCEEDED");
                }
                Thread.sleep(100);
            }
            return r;
        } finally {
            JobRunr.destroy();
        }
    }

    static Map<String, Double> latency(Bench.Options o) throws Exception {
        start(4);
        try {
            // each waits for a poll (about 100 ms): at most 100 samples
            return Measure.percentiles(Measure.samples(Math.min(o.samples, 100), 0, 20, () -> {
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
