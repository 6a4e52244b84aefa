package dev.kafru.store;

import java.util.List;

/** Where the current metric snapshots live: one per worker or scheduler, replaced by name. */
public interface MetricRepository {

    /** Writes the current snapshots, one per name. */
    void upsert(List<MetricSnapshot> snapshots);

    /** Every stored snapshot, by name. */
    List<MetricSnapshot> list();
}
