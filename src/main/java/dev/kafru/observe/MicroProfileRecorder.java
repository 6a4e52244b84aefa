package dev.kafru.observe;

import jakarta.enterprise.inject.Default;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/** The only class that names MicroProfile Metrics types; loaded only when the API is present. */
final class MicroProfileRecorder implements MetricsRecorder {

    private final MetricRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    /** Name → queue → counter: found without building a key (counted for every task that ends). */
    private final Map<String, Map<String, Counter>> queueCounters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    private MicroProfileRecorder(MetricRegistry registry) {
        this.registry = registry;
    }

    static MicroProfileRecorder create(Instance<Object> beans) {
        // MP Metrics 5: the default MetricRegistry bean is the application registry. Looked up through an
        // injected Instance (not CDI.current()): Payara's producer reads the injection point's annotations.
        return new MicroProfileRecorder(beans.select(MetricRegistry.class, Default.Literal.INSTANCE).get());
    }

    @Override
    public void count(String name, String queue, long n) {
        counter(name, queue).inc(n);
    }

    @Override
    public void declareCounter(String name, String queue) {
        counter(name, queue);
    }

    @Override
    public void countTagged(String name, String tag, String value, long n) {
        Counter counter = counters.computeIfAbsent(name + "\u0000" + tag + "\u0000" + value,
                k -> tag == null ? registry.counter(name) : registry.counter(name, new Tag(tag, value)));
        if (n > 0) {
            counter.inc(n);
        }
    }

    private Counter counter(String name, String queue) {
        Map<String, Counter> byQueue = queueCounters.get(name);
        Counter counter = byQueue == null ? null : byQueue.get(queue);
        return counter != null ? counter : queueCounters.computeIfAbsent(name, n -> new ConcurrentHashMap<>())
                .computeIfAbsent(queue, q -> registry.counter(name, new Tag("queue", q)));
    }

    @Override
    public void time(String handler, Duration took) {
        Timer timer = timers.get(handler);
        if (timer == null) {
            timer = timers.computeIfAbsent(handler, h -> registry.timer(Metadata.builder().withName(TaskMetrics.DURATION)
                    .withDescription("execution time of a task handler").build(), new Tag("handler", h)));
        }
        timer.update(took);
    }

    @Override
    public void gauge(String name, String queue, Supplier<Long> value) {
        registry.gauge(name, value, new Tag("queue", queue));
    }

    @Override
    public boolean isActive() {
        return true;
    }
}
