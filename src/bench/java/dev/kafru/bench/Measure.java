package dev.kafru.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every system's measurement shares: counting runs, the warm-up and timing of floods,
 * timing one start, the RESULT figures.
 */
final class Measure {

    private Measure() {
    }

    /** Runs of the benchmark's task, counted by the task; the timing thread waits (does not spin) for the last. */
    static final class Runs {
        private final AtomicInteger ran = new AtomicInteger();
        private volatile int expected;

        Runs(int expected) {
            this.expected = expected;
        }

        /** Starts counting again, for the next flood (the last one's tasks have all run). */
        void expect(int tasks) {
            ran.set(0);
            expected = tasks;
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

    /**
     * A system under the flood: its task counts each run on the {@link Runs} it was given, and
     * the same instance (scheduler, worker, pool) serves every flood of the JVM.
     */
    interface Flood {
        /** Pushes {@code tasks} no-op tasks with the system's batch API; {@code first} numbers them apart from earlier floods. */
        void push(long first, int tasks) throws Exception;

        /** After the clock stopped: waits until the store agrees that all {@code total} tasks pushed so far completed. */
        void confirm(long total) throws Exception;
    }

    /**
     * The same rule for every system, in the JVM it has to itself: untimed rounds of {@code --round}
     * tasks until at least {@code --warmup} ran and the rate has stopped rising — a round no more
     * than 10% faster than the one before (at most {@value #WARMUP_CAP_FACTOR} × {@code --warmup}
     * tasks) — then one timed flood of {@code timed} tasks. A round slower than the one before
     * ends it too: the JIT has warmed, and a store that slows as its history grows (JobRunr's
     * in-memory one keeps its succeeded jobs for 36 hours) would never settle otherwise. The
     * first round is the cold figure: a fresh JVM's first tasks.
     */
    static Map<String, Double> warmThenTime(Bench.Options o, int timed, Runs runs, Flood flood) throws Exception {
        WarmUp warmUp = warmUp(o, (first, tasks) -> flood(runs, flood, first, tasks).get("rate"));
        Map<String, Double> r = flood(runs, flood, warmUp.total(), timed);
        warmUp.putInto(r, timed);
        return r;
    }

    /** One warm-up round: pushes {@code tasks} (numbered from {@code first}) and answers its rate, tasks/s. */
    interface Round {
        double rate(long first, int tasks) throws Exception;
    }

    /** The warm-up's rounds (tasks/s), how many tasks it ran, and whether the rate settled before the cap. */
    record WarmUp(List<Double> rounds, long total, boolean settled) {
        /** The timed flood's size and the warm-up, as every system's result reports them. */
        void putInto(Map<String, Double> r, int timed) {
            r.put("tasks", (double) timed);
            r.put("cold", rounds.get(0));
            r.put("warmup", (double) total);
            r.put("settled", settled ? 1.0 : 0.0);
            for (int i = 0; i < rounds.size(); i++) {
                r.put("round" + (i + 1), rounds.get(i));
            }
        }
    }

    /** Rounds of {@code --round} tasks until the rate settled (see {@link #warmThenTime}). */
    static WarmUp warmUp(Bench.Options o, Round round) throws Exception {
        List<Double> rounds = new ArrayList<>();
        long total = 0;
        boolean settled = false;
        while (!settled && total < (long) WARMUP_CAP_FACTOR * o.warmup) {
            double rate = round.rate(total, o.round);
            total += o.round;
            if (!rounds.isEmpty() && total >= o.warmup) {
                double last = rounds.get(rounds.size() - 1);
                settled = rate <= (1 + SETTLED) * last;
            }
            rounds.add(rate);
        }
        return new WarmUp(rounds, total, settled);
    }

    /** The port of the launcher whose engine a flood's processor time is counted for (kafru's runs); 0: none. */
    static int enginePort;

    /** A warm-up round at most this much faster than the one before (relative) ends the warm-up. */
    static final double SETTLED = 0.10;
    static final int WARMUP_CAP_FACTOR = 4;

    /**
     * One flood, timed from the first push until the task has counted the last run; then, off
     * the clock, the store confirms every task completed, and none ran twice.
     */
    static Map<String, Double> flood(Runs runs, Flood flood, long first, int tasks) throws Exception {
        runs.expect(tasks);
        CpuTime cpu = CpuTime.start(enginePort, List.of(ProcessHandle.current()));
        long start = System.nanoTime();
        flood.push(first, tasks);
        double pushed = (System.nanoTime() - start) / 1e9;
        runs.awaitAll();
        Map<String, Double> r = rate(tasks, start, pushed);
        cpu.putPerTask(r, tasks);
        flood.confirm(first + tasks);
        if (runs.count() != tasks) {
            throw new IllegalStateException("ran " + runs.count() + " times for " + tasks + " tasks");
        }
        return r;
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
