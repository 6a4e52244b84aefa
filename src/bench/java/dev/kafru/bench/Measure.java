package dev.kafru.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** What every system's measurement shares: counting runs, timing one start, the RESULT figures. */
final class Measure {

    private Measure() {
    }

    /** Runs of the benchmark's task, counted by the task; the timing thread waits (does not spin) for the last. */
    static final class Runs {
        private final AtomicInteger ran = new AtomicInteger();
        private final int expected;

        Runs(int expected) {
            this.expected = expected;
        }

        /** Called by the task. */
        void ran() {
            if (ran.incrementAndGet() == expected) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        int count() {
            return ran.get();
        }

        synchronized void awaitAll() throws InterruptedException {
            while (ran.get() < expected) {
                wait(1000);
            }
        }
    }

    /** When the one task being timed started, set by that task. */
    static final class Start {
        private final AtomicLong at = new AtomicLong();

        /** Called by the task. */
        void mark() {
            at.set(System.nanoTime());
            synchronized (this) {
                notifyAll();
            }
        }

        void reset() {
            at.set(0);
        }

        /** Milliseconds from {@code t0} until the task started; fails after 30 s. */
        synchronized double msAfter(long t0) throws InterruptedException {
            long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
            while (at.get() == 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("the task did not start within 30 s");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return (at.get() - t0) / 1e6;
        }
    }

    /** One latency sample: push, and return the milliseconds until the start. */
    interface Sample {
        double take() throws Exception;
    }

    /** {@code n} samples after {@code warmup} not counted, {@code pauseMillis} apart (each push finds the system idle). */
    static List<Double> samples(int n, int warmup, long pauseMillis, Sample sample) throws Exception {
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < n + warmup; i++) {
            double taken = sample.take();
            if (i >= warmup) {
                ms.add(taken);
            }
            Thread.sleep(pauseMillis);
        }
        return ms;
    }

    /** The throughput figures of a RESULT line. */
    static Map<String, Double> rate(int tasks, long startNanos, double pushSeconds) {
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("rate", tasks / ((System.nanoTime() - startNanos) / 1e9));
        r.put("push", pushSeconds);
        return r;
    }

    /** The latency figures of a RESULT line: p50/p99, and from another server when given. */
    static Map<String, Double> percentiles(List<Double> local, List<Double> remote) {
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("p50", Bench.percentile(local, 50));
        r.put("p99", Bench.percentile(local, 99));
        if (remote != null) {
            r.put("remoteP50", Bench.percentile(remote, 50));
            r.put("remoteP99", Bench.percentile(remote, 99));
        }
        return r;
    }
}
