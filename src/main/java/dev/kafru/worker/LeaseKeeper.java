package dev.kafru.worker;

import dev.kafru.store.TaskRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the leases of the tasks a dispatcher holds (running, or claimed ahead of a free thread)
 * from expiring: every third of the lease they are renewed in one request, so that another
 * server's reaper never takes back a task that is merely long. The lease's end is set by the
 * database's clock; this class only decides, by the application's clock, when to renew.
 */
final class LeaseKeeper {

    private final TaskRepository store;
    private final String owner;
    private final Duration lease;
    private final Supplier<List<String>> held;
    private final Clock clock;
    private volatile Instant renewedAt;

    /**
     * @param held the ids of the tasks the dispatcher holds now
     */
    LeaseKeeper(TaskRepository store, String owner, Duration lease, Supplier<List<String>> held, Clock clock) {
        this.store = store;
        this.owner = owner;
        this.lease = lease;
        this.held = held;
        this.clock = clock;
        this.renewedAt = clock.instant();
    }

    /** How often leases are renewed: a cycle comes back this soon while tasks are held. */
    Duration renewEvery() {
        return lease.dividedBy(3);
    }

    /** Renews the leases of the tasks held now, if a third of the lease passed since the last renewal. */
    void renewIfDue() {
        if (Duration.between(renewedAt, clock.instant()).compareTo(renewEvery()) < 0) {
            return;
        }
        List<String> keys = held.get();
        if (keys.isEmpty()) {
            return;
        }
        store.renewLeases(owner, keys, lease);
        renewedAt = clock.instant();
    }
}
