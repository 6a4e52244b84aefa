package dev.kafru.store;

import java.time.Instant;
import java.util.List;

/**
 * Where the current metric snapshots live (one per worker or scheduler, replaced by name), and
 * the per-minute counts of finished attempts (one row per server, queue and minute).
 */
public interface MetricRepository {

    /** Writes the current snapshots, one per name. */
    void upsert(List<MetricSnapshot> snapshots);

    /** Every stored snapshot, by name. */
    List<MetricSnapshot> list();

    /** Writes this server's counts of the given minutes, replacing what it wrote for them before. */
    void countMinutes(String server, List<MinuteCount> counts);

    /** The counts of every minute from {@code from} on, summed over servers, by queue then minute. */
    List<MinuteCount> minutesSince(Instant from);

    /** Deletes at most {@code limit} minute rows older than {@code before}; returns how many. */
    int forgetMinutes(Instant before, int limit);
}
