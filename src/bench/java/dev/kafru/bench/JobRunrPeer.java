package dev.kafru.bench;

import org.jobrunr.configuration.JobRunr;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.BackgroundJob;
import org.jobrunr.storage.InMemoryStorageProvider;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.jobrunr.server.BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration;

/** JobRunr 8.7.0 with its in-memory storage: poll 200 ms (its minimum), {@code threads} workers, a no-op job. */
public final class JobRunrPeer {

    static final AtomicInteger RAN = new AtomicInteger();
    static final AtomicLong STARTED_AT = new AtomicLong();
    static volatile int expected;

    private JobRunrPeer() {
    }

    /** The job: JobRunr records the call and runs it in a worker. */
    public static void noop(int i) {
        if (RAN.incrementAndGet() == expected) {
            synchronized (RAN) {
                RAN.notifyAll();
            }
        }
    }

    public static void mark() {
        STARTED_AT.set(System.nanoTime());
        synchronized (STARTED_AT) {
            STARTED_AT.notifyAll();
        }
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
        expected = o.tasks;
        InMemoryStorageProvider storage = start(o.threads);
        try {
            long start = System.nanoTime();
            for (int from = 0; from < o.tasks; from += 500) {
                BackgroundJob.<Integer>enqueue(IntStream.range(from, Math.min(o.tasks, from + 500)).boxed(), i -> JobRunrPeer.noop(i));
            }
            double pushed = (System.nanoTime() - start) / 1e9;
            synchronized (RAN) {
                while (RAN.get() < o.tasks) {
                    RAN.wait(1000);
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (storage.countJobs(StateName.SUCCEEDED) < o.tasks) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(storage.countJobs(StateName.SUCCEEDED) + " of " + o.tasks + " jobs SUCCEEDED");
                }
                Thread.sleep(100);
            }
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("rate", o.tasks / seconds);
            r.put("push", pushed);
            return r;
        } finally {
            JobRunr.destroy();
        }
    }

    static Map<String, Double> latency(Bench.Options o) throws Exception {
        start(4);
        try {
            List<Double> samples = new ArrayList<>();
            int n = Math.min(o.samples, 100); // each waits for a poll: about 100 ms
            for (int i = 0; i < n; i++) {
                STARTED_AT.set(0);
                long t0 = System.nanoTime();
                BackgroundJob.enqueue(() -> JobRunrPeer.mark());
                synchronized (STARTED_AT) {
                    while (STARTED_AT.get() == 0) {
                        STARTED_AT.wait(30_000);
                    }
                }
                samples.add((STARTED_AT.get() - t0) / 1e6);
                Thread.sleep(20);
            }
            Map<String, Double> r = new LinkedHashMap<>();
            r.put("p50", Bench.percentile(samples, 50));
            r.put("p99", Bench.percentile(samples, 99));
            return r;
        } finally {
            JobRunr.destroy();
        }
    }
}
