package dev.kafru.observe;

import jakarta.enterprise.inject.Instance;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The one seam between kafru and MicroProfile Metrics. {@link #detect()} gives the MP Metrics
 * recorder when the API and a registry are there (Payara, Open Liberty), and a no-op otherwise
 * (WildFly 39 has no MP Metrics): nothing outside {@link MicroProfileRecorder} names an MP
 * Metrics type, so the WAR deploys either way.
 */
interface MetricsRecorder {

    MetricsRecorder NONE = new MetricsRecorder() {
    };

    /** Adds to a counter tagged with its queue. */
    default void count(String name, String queue, long n) {
    }

    /** Adds {@code n} (0 registers it) to a counter with one tag, or none when {@code tag} is null. */
    default void countTagged(String name, String tag, String value, long n) {
    }

    /** Registers a counter tagged with its queue, at 0 if it is new. */
    default void declareCounter(String name, String queue) {
    }

    /** Records one execution time of a handler. */
    default void time(String handler, Duration took) {
    }

    /** Registers a gauge tagged with its queue. */
    default void gauge(String name, String queue, Supplier<Long> value) {
    }

    default boolean isActive() {
        return false;
    }

    /** @param beans an {@code @Any Instance<Object>} injected into a bean, to look the registry up through */
    static MetricsRecorder detect(Instance<Object> beans) {
        try {
            Class.forName("org.eclipse.microprofile.metrics.MetricRegistry", false, MetricsRecorder.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return NONE;
        }
        try {
            return MicroProfileRecorder.create(beans);
        } catch (RuntimeException | LinkageError e) {
            Logger.getLogger(MetricsRecorder.class.getName())
                    .info("MicroProfile Metrics API present but no registry (" + e + "); kafru records no MP metrics");
            return NONE;
        }
    }
}
