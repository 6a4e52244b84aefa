package dev.kafru.worker;

import dev.kafru.TaskRequest;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How workers behave. From MicroProfile Config: {@code kafru.worker.poll-interval} (15s, a
 * fallback only), {@code kafru.worker.lease} (30s), {@code kafru.worker.shutdown-timeout} (30s),
 * {@code kafru.worker.retry-base} (1s, doubled per failed attempt, with ±25% jitter),
 * {@code kafru.worker.retry-max} (1h), {@code kafru.worker.batch-size} (4000: most tasks claimed
 * in one transaction; twice it the most claimed ahead), {@code kafru.worker.prefetch} (unset: about a
 * second of work ahead of the free threads, measured — see {@link ClaimSizer}; a number fixes it;
 * 0 claims only for free threads), {@code kafru.worker.abandon-after} (30s: how long a handler
 * that timed out may ignore its interrupt before it is abandoned — see {@link TimeoutWatch}).
 */
public record WorkerSettings(Duration pollInterval, Duration lease, Duration shutdownTimeout,
                             Duration retryBase, Duration retryMax, int batchSize, int prefetch, Duration abandonAfter) {

    /**
     * Most tasks one claim takes: a flood's pace is one claim after the other, and a claim's cost
     * grows far slower than its size (measured: 1,000 → 4,000 raised a flood of no-op tasks from
     * ~63,000–98,000 to ~104,000–176,000 tasks/s; see docs/benchmark.md). A queue of slow tasks claims
     * far fewer: the prefetch holds about a second of work ({@link ClaimSizer}).
     */
    public static final int DEFAULT_BATCH_SIZE = 4000;
    /** Twice it is {@code kafru.worker.prefetch}'s most ({@link #MAX_PREFETCH}). */
    public static final int MAX_BATCH_SIZE = 5000;
    /** The most tasks a worker may be set to hold claimed ahead: twice the largest claim. */
    public static final int MAX_PREFETCH = 2 * MAX_BATCH_SIZE;

    /** The settings when nothing is configured. */
    public static WorkerSettings defaults() {
        return builder().build();
    }

    /**
     * A builder that starts from the {@link #defaults()}, so that a caller names only what it
     * changes: {@code WorkerSettings.builder().lease(Duration.ofSeconds(10)).build()}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these settings (to change a few of them). */
    public Builder toBuilder() {
        return new Builder()
                .pollInterval(pollInterval)
                .lease(lease)
                .shutdownTimeout(shutdownTimeout)
                .retryBase(retryBase)
                .retryMax(retryMax)
                .batchSize(batchSize)
                .prefetch(prefetch)
                .abandonAfter(abandonAfter);
    }

    public WorkerSettings {
        positive(pollInterval, "kafru.worker.poll-interval");
        positive(lease, "kafru.worker.lease");
        positive(retryBase, "kafru.worker.retry-base");
        positive(retryMax, "kafru.worker.retry-max");
        positive(abandonAfter, "kafru.worker.abandon-after");
        if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("kafru.worker.shutdown-timeout must be zero or more");
        }
        if (lease.toMillis() < 300) {
            throw new IllegalArgumentException("kafru.worker.lease must be at least 300ms, not " + lease);
        }
        if (prefetch < -1 || prefetch > MAX_PREFETCH) {
            throw new IllegalArgumentException("kafru.worker.prefetch must be 0 to " + MAX_PREFETCH
                    + " (or unset for about a second of work), not " + prefetch);
        }
        if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("kafru.worker.batch-size must be 1 to " + MAX_BATCH_SIZE + ", not " + batchSize);
        }
    }

    public WorkerSettings withLease(Duration newLease) {
        return toBuilder().lease(newLease).build();
    }

    public WorkerSettings withRetryBase(Duration base) {
        return toBuilder().retryBase(base).build();
    }

    public WorkerSettings withPollInterval(Duration poll) {
        return toBuilder().pollInterval(poll).build();
    }

    public WorkerSettings withShutdownTimeout(Duration timeout) {
        return toBuilder().shutdownTimeout(timeout).build();
    }

    public WorkerSettings withPrefetch(int tasks) {
        return toBuilder().prefetch(tasks).build();
    }

    public WorkerSettings withAbandonAfter(Duration grace) {
        return toBuilder().abandonAfter(grace).build();
    }

    /**
     * The pause before attempt {@code failedAttempts + 1}: base × 2^(failed−1) ±25% jitter, never
     * more than retry-max (at the cap the jitter only shortens it); see {@link RetryPolicy.ExponentialBackoff}.
     */
    public Duration retryDelay(int failedAttempts) {
        return new RetryPolicy.ExponentialBackoff(retryBase, retryMax).pause(failedAttempts);
    }

    /**
     * Reads {@code kafru.queues}: {@code queue:threads} pairs, comma-separated, e.g.
     * {@code default:5,mail:2}.
     */
    public static Map<String, Integer> parseQueues(String text) {
        Map<String, Integer> queues = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return queues;
        }
        for (String part : text.split(",")) {
            String entry = part.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.lastIndexOf(':');
            String name = colon < 0 ? entry : entry.substring(0, colon).trim();
            int threads;
            try {
                threads = colon < 0 ? 5 : Integer.parseInt(entry.substring(colon + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("kafru.queues entry '" + entry + "' has no thread count: write queue:threads, e.g. default:5");
            }
            if (!TaskRequest.NAME_PATTERN.matcher(name).matches()) {
                throw new IllegalArgumentException("kafru.queues entry '" + entry + "': '" + name + "' is not a queue name (letters, digits, - _ . :)");
            }
            if (threads < 1 || threads > 1000) {
                throw new IllegalArgumentException("kafru.queues entry '" + entry + "': threads must be 1 to 1000");
            }
            if (queues.put(name, threads) != null) {
                throw new IllegalArgumentException("kafru.queues names queue '" + name + "' twice");
            }
        }
        return queues;
    }

    private static void positive(Duration value, String key) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(key + " must be a positive duration such as 15s");
        }
    }

    /**
     * Builds {@link WorkerSettings} by naming the settings that differ from the defaults; the
     * record's checks run in {@link #build()}, so a builder may hold a bad value until then.
     */
    public static final class Builder {

        private Duration pollInterval = Duration.ofSeconds(15);
        private Duration lease = Duration.ofSeconds(30);
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Duration retryBase = Duration.ofSeconds(1);
        private Duration retryMax = Duration.ofHours(1);
        private int batchSize = DEFAULT_BATCH_SIZE;
        /** -1: measured by {@link ClaimSizer}. */
        private int prefetch = -1;
        private Duration abandonAfter = Duration.ofSeconds(30);

        private Builder() {
        }

        /** How long a handler that timed out may go on after its interrupt before it is abandoned. */
        public Builder abandonAfter(Duration abandonAfter) {
            this.abandonAfter = abandonAfter;
            return this;
        }

        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = pollInterval;
            return this;
        }

        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        public Builder retryBase(Duration retryBase) {
            this.retryBase = retryBase;
            return this;
        }

        public Builder retryMax(Duration retryMax) {
            this.retryMax = retryMax;
            return this;
        }

        public Builder batchSize(int batchSize) {
            this.batchSize = batchSize;
            return this;
        }

        /** Tasks claimed ahead of free threads; -1 (the default) measures it, 0 claims only for free threads. */
        public Builder prefetch(int prefetch) {
            this.prefetch = prefetch;
            return this;
        }

        /** @throws IllegalArgumentException naming the configuration key of a value out of range */
        public WorkerSettings build() {
            return new WorkerSettings(pollInterval, lease, shutdownTimeout, retryBase, retryMax, batchSize, prefetch, abandonAfter);
        }
    }
}
