package dev.kafru.schedule;

import dev.kafru.config.Durations;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;

/**
 * How the scheduler behaves. From MicroProfile Config: {@code kafru.scheduler.enabled} (true),
 * {@code kafru.scheduler.poll-interval} (5s: it also wakes at the earliest next_schedule, and
 * at once when a schedule changes), {@code kafru.scheduler.missed-runs} ({@code fire-once} or
 * {@code skip}), {@code kafru.scheduler.missed-after} (60s: how late an occurrence may be before
 * it counts as missed), {@code kafru.scheduler.batch-size} (100 due schedules per query).
 */
public record SchedulerSettings(boolean enabled, Duration pollInterval, MissedRunPolicy missedRuns,
                                Duration missedAfter, int batchSize) {

    public SchedulerSettings {
        if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("kafru.scheduler.poll-interval must be a positive duration such as 5s");
        }
        if (missedAfter == null || missedAfter.isNegative()) {
            throw new IllegalArgumentException("kafru.scheduler.missed-after must be zero or more, such as 60s");
        }
        if (batchSize < 1 || batchSize > 1000) {
            throw new IllegalArgumentException("kafru.scheduler.batch-size must be 1 to 1000, not " + batchSize);
        }
    }

    public static SchedulerSettings defaults() {
        return new SchedulerSettings(true, Duration.ofSeconds(5), MissedRunPolicy.FIRE_ONCE, Duration.ofSeconds(60), 100);
    }

    public static SchedulerSettings read(Config config) {
        SchedulerSettings d = defaults();
        return new SchedulerSettings(
                config.getOptionalValue("kafru.scheduler.enabled", Boolean.class).orElse(d.enabled()),
                Durations.read(config, "kafru.scheduler.poll-interval", d.pollInterval()),
                config.getOptionalValue("kafru.scheduler.missed-runs", String.class).map(MissedRunPolicy::parse).orElse(d.missedRuns()),
                Durations.read(config, "kafru.scheduler.missed-after", d.missedAfter()),
                config.getOptionalValue("kafru.scheduler.batch-size", Integer.class).orElse(d.batchSize()));
    }
}
