package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskProgress;
import dev.kafru.store.TaskRepository;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The progress handlers report on this server ({@link dev.kafru.TaskContext#progress}), written
 * together about once a second: each task's furthest report since the last write, all tasks in
 * one request. A handler that reports a thousand times a second costs one write a second; a task
 * that never reports costs nothing (no timer runs while nothing waits). A write that fails keeps
 * its reports for the next one, unless a further report of the same task came meanwhile.
 */
public final class ProgressReports implements BiConsumer<Task, TaskProgress> {

    private static final Logger LOG = Logger.getLogger(ProgressReports.class.getName());
    /** How often a task's progress is stored, at most. */
    static final Duration EVERY = Duration.ofSeconds(1);

    private final TaskRepository store;
    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final Map<String, TaskProgress> waiting = new ConcurrentHashMap<>();
    /** True while a write is timed or in flight: reports meanwhile go in it or in the next one. */
    private final AtomicBoolean timed = new AtomicBoolean();

    /** Writes through {@code store}: the timer runs on {@code scheduler}, the writes on {@code executor}. */
    public ProgressReports(TaskRepository store, Executor executor, ScheduledExecutorService scheduler) {
        this.store = store;
        this.executor = executor;
        this.scheduler = scheduler;
    }

    /** A handler's report: kept (unless behind the one waiting) and written within about a second. */
    @Override
    public void accept(Task task, TaskProgress progress) {
        waiting.merge(task.id(), progress, (was, now) -> now.isBehind(was) ? was : now);
        if (timed.compareAndSet(false, true)) {
            time();
        }
    }

    private void time() {
        try {
            scheduler.schedule(() -> {
                try {
                    executor.execute(this::writeTimed);
                } catch (RejectedExecutionException e) {
                    timed.set(false);
                    LOG.fine("executor refused a progress write (stopping?); what waits goes at the stop");
                }
            }, EVERY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            timed.set(false);
            LOG.fine("scheduler refused the progress timer (stopping?); what waits goes at the stop");
        }
    }

    private void writeTimed() {
        try {
            write();
        } finally {
            timed.set(false);
            // reports that came while this write was in flight: the next write, a second later
            if (!waiting.isEmpty() && timed.compareAndSet(false, true)) {
                time();
            }
        }
    }

    /** Writes what waits now, on the caller's thread (a stop: nothing is lost that was reported). */
    public void writeRest() {
        write();
    }

    private void write() {
        Map<String, TaskProgress> batch = new HashMap<>();
        for (String key : waiting.keySet()) {
            TaskProgress p = waiting.remove(key);
            if (p != null) {
                batch.put(key, p);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            store.saveProgress(batch);
        } catch (RuntimeException e) {
            batch.forEach((key, p) -> waiting.merge(key, p, (now, was) -> now.isBehind(was) ? was : now));
            LOG.log(Level.FINE, "could not store the progress of " + batch.size() + " task(s); tried again in a second", e);
        }
    }

    /** How many tasks' reports wait to be written (tests). */
    int waiting() {
        return waiting.size();
    }
}
