package dev.kafru.agent;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.store.MinuteCount;
import dev.kafru.store.Outcome;
import dev.kafru.worker.QueueDispatcher;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts one queue's finished attempts per minute in memory, for the dashboard's throughput
 * chart. A finished task costs two map lookups and an add — no engine work on the hot path; the
 * counts reach {@code kafru_minutes} with the metric snapshots, every few seconds, as a handful of
 * rows per queue (the current minute and the one before, written whole so a rewrite replaces).
 */
final class MinuteCounter implements QueueDispatcher.Observer {

    private final String queue;
    private final Clock clock;
    private final Map<Instant, LongAdder[]> minutes = new ConcurrentHashMap<>();

    MinuteCounter(String queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /** The minute being counted: its counts and when it ends, so that a finish in it costs a clock read and an add. */
    private record Current(long endMillis, LongAdder[] counts) {
    }

    private volatile Current current = new Current(Long.MIN_VALUE, null);

    @Override
    public void finished(Task task, Outcome outcome, Duration took) {
        if (outcome == null) {
            return; // interrupted by a stop and given back: not an attempt that ended
        }
        long now = clock.millis();
        Current c = current;
        LongAdder[] counts;
        if (now < c.endMillis() && now >= c.endMillis() - 60_000) {
            counts = c.counts();
        } else {
            Instant minute = Instant.ofEpochMilli(now).truncatedTo(ChronoUnit.MINUTES);
            counts = minutes.computeIfAbsent(minute, m -> new LongAdder[] {new LongAdder(), new LongAdder()});
            current = new Current(minute.toEpochMilli() + 60_000, counts);
        }
        counts[outcome.status() == TaskStatus.Completed ? 0 : 1].increment();
    }

    /**
     * The counts of every minute still held; minutes before the previous one are dropped after
     * this read (their last finishes are in it: a task is counted in the minute it finished).
     */
    List<MinuteCount> drain() {
        Instant keepFrom = clock.instant().truncatedTo(ChronoUnit.MINUTES).minus(1, ChronoUnit.MINUTES);
        List<MinuteCount> rows = new ArrayList<>();
        minutes.forEach((minute, counts) -> {
            rows.add(new MinuteCount(queue, minute, counts[0].sum(), counts[1].sum()));
            if (minute.isBefore(keepFrom)) {
                minutes.remove(minute);
            }
        });
        return rows;
    }
}
