package dev.kafru.agent;

import dev.kafru.config.Durations;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;

/**
 * How often this server's agents send a heartbeat ({@code kafru.agent.heartbeat}, 5 s), after
 * how long without one another server's agents are marked Error ({@code kafru.agent.expiry},
 * 30 s; they are deleted after three times that), and how often metric snapshots are written
 * ({@code kafru.metrics.interval}, 10 s).
 */
public record AgentSettings(Duration heartbeat, Duration expiry, Duration metricsInterval) {

    public static AgentSettings defaults() {
        return new AgentSettings(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    public Duration forget() {
        return expiry.multipliedBy(3);
    }

    public static AgentSettings read(Config config) {
        AgentSettings d = defaults();
        return new AgentSettings(Durations.read(config, "kafru.agent.heartbeat", d.heartbeat()),
                Durations.read(config, "kafru.agent.expiry", d.expiry()),
                Durations.read(config, "kafru.metrics.interval", d.metricsInterval()));
    }
}
