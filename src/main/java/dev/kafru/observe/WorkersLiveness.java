package dev.kafru.observe;

import dev.kafru.schedule.Scheduler;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Live while every queue worker of this server cycles (a dispatcher that stopped without being
 * asked to, or whose last cycle is older than three poll intervals plus a minute, is dead) and
 * the scheduler's timer is armed when it runs. A worker or scheduler stopped on purpose (a
 * command, the manager) is not counted.
 */
@Liveness
@ApplicationScoped
public class WorkersLiveness implements HealthCheck {

    @Inject
    Workers workers;

    @Inject
    Scheduler scheduler;

    @Inject
    dev.kafru.store.TaskRepository tasks;

    /** The last count of unserved tasks per queue; read without waiting, refreshed in the background. */
    private final Map<String, Map<String, Long>> unserved = new ConcurrentHashMap<>();
    private final Map<String, Long> asked = new ConcurrentHashMap<>();
    private static final long REFRESH_NANOS = 5_000_000_000L;

    /**
     * The queue's unserved tasks as last counted: a health check never waits for the database (one
     * that is down must not make liveness hang); a count older than 5 s is asked for again.
     */
    private Map<String, Long> unserved(String queue) {
        long now = System.nanoTime();
        Long last = asked.get(queue);
        if (last == null || now - last > REFRESH_NANOS) {
            asked.put(queue, now);
            try {
                tasks.unservedAsync(queue).whenComplete((counts, failure) -> {
                    if (counts != null) {
                        unserved.put(queue, counts);
                    }
                });
            } catch (RuntimeException e) {
                // the store is unreachable: keep the last count
            }
        }
        return unserved.getOrDefault(queue, Map.of());
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kafru-workers");
        boolean up = true;
        Instant now = Instant.now();
        for (QueueDispatcher d : workers.dispatchers()) {
            Duration quiet = Duration.between(d.lastCycleAt(), now);
            boolean alive = !d.isStopped()
                    && quiet.compareTo(d.settings().pollInterval().multipliedBy(3).plusMinutes(1)) < 0;
            up &= alive;
            response.withData("queue." + d.queue(), alive ? "running " + d.runningCount() + "/" + d.threads()
                    + (d.isPaused() ? " (paused)" : "") : "dead: no cycle for " + quiet.toSeconds() + " s");
        }
        for (QueueDispatcher d : workers.dispatchers()) {
            // not this server's fault, so no DOWN: tasks no live server of the queue can run
            unserved(d.queue()).forEach((handler, n) -> response.withData("queue." + d.queue() + ".unserved." + handler,
                    n + " Waiting task(s) whose handler no server of this queue offers"));
        }
        response.withData("scheduler", scheduler.isRunning() ? "running" : "stopped");
        return response.status(up).build();
    }
}
