package dev.kafru.observe;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.config.ContainerExecutor;
import dev.kafru.config.StopsWithTheApplication;
import dev.kafru.store.Outcome;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.store.Subscription;
import dev.kafru.store.TaskRepository;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Workers;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * kafru's MicroProfile Metrics (application scope; Prometheus names in brackets):
 * <ul>
 * <li>{@code kafru.tasks.enqueued} [kafru_tasks_enqueued_total], tag queue — tasks created in
 * the queue, seen by this server's live query on push signals (so: cluster-wide, counted by
 * every server);</li>
 * <li>{@code kafru.tasks.completed}, {@code kafru.tasks.failed} (ended Error),
 * {@code kafru.tasks.retried} (failed, will run again), tag queue — attempts on this server;</li>
 * <li>{@code kafru.task.duration} [kafru_task_duration_count, _sum (seconds), _max, _mean], tag handler — execution time;</li>
 * <li>gauges {@code kafru.tasks.waiting} (Waiting tasks of the queue, read every
 * {@code kafru.metrics.interval}, counted up to 10,000) and {@code kafru.tasks.running} (running here now), tag queue.</li>
 * </ul>
 * Without MP Metrics (WildFly) it records nothing and costs nothing.
 */
@ApplicationScoped
public class TaskMetrics extends StopsWithTheApplication {

    static final String ENQUEUED = "kafru.tasks.enqueued";
    static final String COMPLETED = "kafru.tasks.completed";
    static final String FAILED = "kafru.tasks.failed";
    static final String RETRIED = "kafru.tasks.retried";
    static final String DURATION = "kafru.task.duration";
    static final String WAITING = "kafru.tasks.waiting";
    static final String RUNNING = "kafru.tasks.running";

    private static final Logger LOG = Logger.getLogger(TaskMetrics.class.getName());

    @Inject
    Config config;

    @Inject
    StoreLifecycle storage;

    @Inject
    TaskRepository tasks;

    @Inject
    Workers workers;

    @Inject
    @ContainerExecutor
    ManagedScheduledExecutorService timer;

    @Inject
    @ContainerExecutor
    ManagedExecutorService executor;

    /** For looking up the MetricRegistry without naming its type here (see {@link MetricsRecorder}). */
    @Inject
    @Any
    Instance<Object> beans;

    private final Map<String, Long> waiting = new ConcurrentHashMap<>();
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();
    private volatile MetricsRecorder recorder = MetricsRecorder.NONE;
    private volatile Subscription created;
    private volatile ScheduledFuture<?> refresh;
    private volatile boolean stopped;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        recorder = MetricsRecorder.detect(beans);
        if (!recorder.isActive()) {
            LOG.info("no MicroProfile Metrics here: kafru's task metrics are off (the snapshots in kafru_metrics are still written)");
            return;
        }
        workers.onWorkerStarted(this::follow);
        timer.execute(this::startWhenReady);
    }

    /** True when MP Metrics are recorded on this server. */
    public boolean isActive() {
        return recorder.isActive();
    }

    private void startWhenReady() {
        if (stopped) {
            return;
        }
        if (!storage.isReady()) {
            timer.schedule(this::startWhenReady, 250, TimeUnit.MILLISECONDS);
            return;
        }
        // the MSES may have a single thread (Payara Micro) that also times reconnects: never block it
        executor.execute(this::listen);
    }

    private void listen() {
        try {
            created = tasks.onSignal(signal -> {
                gaugeWaiting(signal.queue());
                if (signal.created() > 0) {
                    recorder.count(ENQUEUED, signal.queue(), signal.created());
                }
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "no live query for enqueued tasks; " + ENQUEUED + " stays 0", e);
        }
        long every = Durations.metricsInterval(config).toMillis();
        refresh = timer.scheduleWithFixedDelay(() -> executor.execute(() -> refreshWaiting(tasks)), 0, every, TimeUnit.MILLISECONDS);
    }

    /** Reads the Waiting count of every queue this server has seen (each counted up to {@link TaskRepository#COUNT_CAP}). */
    private void refreshWaiting(TaskRepository store) {
        for (String queue : waiting.keySet()) {
            try {
                waiting.put(queue, store.waiting(queue));
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "waiting count of " + queue + " not refreshed", e);
            }
        }
    }

    private void gaugeWaiting(String queue) {
        if (gauged.add("w:" + queue)) {
            waiting.putIfAbsent(queue, 0L);
            recorder.gauge(WAITING, queue, () -> waiting.getOrDefault(queue, 0L));
        }
    }

    private void follow(QueueDispatcher dispatcher) {
        String queue = dispatcher.queue();
        gaugeWaiting(queue);
        if (gauged.add("r:" + queue)) {
            recorder.gauge(RUNNING, queue, () -> {
                QueueDispatcher current = workers.dispatcher(queue);
                return current == null ? 0L : (long) current.runningCount();
            });
            // exported at 0 from the worker's start: "none failed yet" reads as 0, not as a missing series
            for (String counter : List.of(ENQUEUED, COMPLETED, FAILED, RETRIED)) {
                recorder.declareCounter(counter, queue);
            }
        }
        dispatcher.addObserver(new QueueDispatcher.Observer() {
            @Override
            public void finished(Task task, Outcome outcome, Duration took) {
                if (outcome == null) {
                    return;
                }
                recorder.time(task.handler(), took);
                String counter = outcome.status() == TaskStatus.Completed ? COMPLETED
                        : outcome.status() == TaskStatus.Waiting ? RETRIED : FAILED;
                recorder.count(counter, queue, 1);
            }
        });
    }

    @Override
    protected void stopWithTheApplication() {
        stopped = true;
        ScheduledFuture<?> r = refresh;
        if (r != null) {
            r.cancel(false);
        }
        Subscription live = created;
        if (live != null) {
            live.close();
        }
    }

    private static final class Durations {
        static Duration metricsInterval(Config config) {
            return dev.kafru.config.Durations.read(config, "kafru.metrics.interval", Duration.ofSeconds(10));
        }
    }
}
