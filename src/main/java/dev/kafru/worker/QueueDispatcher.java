package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.store.SurrealException;
import dev.kafru.store.TaskStore;
import dev.kafru.store.TaskStore.Outcome;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Claims and runs the tasks of one queue on this server, never more than {@code threads} at once.
 *
 * <p>It has no thread of its own: a <em>cycle</em> (write finished outcomes, renew leases,
 * claim as many due tasks as there are free threads, hand them to the executor) runs on the
 * executor whenever something wakes it — a push on this server, a live-query notification
 * from another, a task finishing — or when its timer fires (the poll interval, or sooner when a
 * delayed task comes due). Outcomes of finished tasks are written in one request per cycle.
 */
public final class QueueDispatcher {

    private static final Logger LOG = Logger.getLogger(QueueDispatcher.class.getName());

    private final String queue;
    private final int threads;
    private final WorkerSettings settings;
    private final TaskStore store;
    private final TaskRegistry registry;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final String owner;

    private final Map<String, Running> running = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean cycling = new AtomicBoolean();
    private final Object idle = new Object();
    private volatile boolean wakeRequested;
    private volatile boolean paused;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> timer;
    private volatile Instant leasesRenewedAt = Instant.now();
    private volatile int failures;

    public QueueDispatcher(String queue, int threads, WorkerSettings settings, TaskStore store, TaskRegistry registry,
                           ExecutorService executor, ScheduledExecutorService scheduler, String owner) {
        this.queue = queue;
        this.threads = threads;
        this.settings = settings;
        this.store = store;
        this.registry = registry;
        this.executor = executor;
        this.scheduler = scheduler;
        this.owner = owner;
    }

    public String queue() {
        return queue;
    }

    public int threads() {
        return threads;
    }

    public String owner() {
        return owner;
    }

    /** Tasks running now on this server. */
    public int runningCount() {
        return running.size();
    }

    public boolean isPaused() {
        return paused;
    }

    public boolean isStopped() {
        return stopped;
    }

    public void start() {
        wake();
    }

    /** Stops claiming; running tasks go on. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        wake();
    }

    /** Asks for a cycle now; cheap, and safe to call from any thread. */
    public void wake() {
        wakeRequested = true;
        if (!stopping && cycling.compareAndSet(false, true)) {
            try {
                executor.execute(this::cycle);
            } catch (RejectedExecutionException e) {
                cycling.set(false);
                LOG.fine("executor refused a cycle for queue " + queue + "; the timer will try again");
                schedule(Duration.ofMillis(200));
            }
        }
    }

    private void cycle() {
        Duration next = settings.pollInterval();
        try {
            do {
                wakeRequested = false;
                next = work();
            } while (wakeRequested && !stopping);
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            next = Duration.ofMillis(Math.min(settings.pollInterval().toMillis(), 100L << Math.min(failures, 6)));
            Level level = e instanceof SurrealException s && s.isTransient() ? Level.FINE : Level.WARNING;
            LOG.log(level, "queue " + queue + ": cycle failed, next in " + next.toMillis() + " ms: " + e.getMessage(), e);
        } finally {
            cycling.set(false);
        }
        if (wakeRequested && !stopping) {
            wake();
        } else if (!stopping) {
            schedule(next);
        }
    }

    private void schedule(Duration delay) {
        ScheduledFuture<?> previous = timer;
        if (previous != null) {
            previous.cancel(false);
        }
        try {
            timer = scheduler.schedule(this::wake, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.fine("scheduler refused the timer of queue " + queue);
        }
    }

    /** One cycle; returns when the next one is due if nothing wakes it sooner. */
    private Duration work() {
        CompletableFuture<Void> written = writeOutcomes();
        renewLeasesIfDue();
        Duration next = settings.pollInterval();
        int free = threads - running.size();
        if (!paused && !stopping && free > 0) {
            int wanted = Math.min(free, settings.batchSize());
            List<Task> claimed = store.claim(queue, owner, wanted, settings.lease());
            for (Task task : claimed) {
                launch(task);
            }
            if (claimed.size() == wanted) {
                wakeRequested = true;
            } else {
                Instant due = store.nextRunAt(queue).orElse(null);
                if (due != null) {
                    Duration until = Duration.between(Instant.now(), due);
                    if (until.compareTo(next) < 0) {
                        next = until.isNegative() ? Duration.ofMillis(1) : until.plusMillis(2);
                    }
                }
            }
        }
        Duration renewIn = settings.lease().dividedBy(3);
        if (!running.isEmpty() && renewIn.compareTo(next) < 0) {
            next = renewIn;
        }
        written.join();
        return next;
    }

    private CompletableFuture<Void> writeOutcomes() {
        List<Outcome> batch = new ArrayList<>();
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            batch.add(outcome);
        }
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        boolean retries = batch.stream().anyMatch(o -> o.status() == dev.kafru.TaskStatus.Waiting);
        return store.finish(owner, batch).whenComplete((ok, error) -> {
            if (error == null && retries) {
                // a retried task is Waiting again: look again, so its run_at sets the timer
                wakeRequested = true;
            }
            if (error != null) {
                // keep them: written on the next cycle (if the lease lapses first, the task runs again)
                outcomes.addAll(batch);
                wakeRequested = true;
            }
        });
    }

    private void renewLeasesIfDue() {
        if (running.isEmpty() || Duration.between(leasesRenewedAt, Instant.now()).compareTo(settings.lease().dividedBy(3)) < 0) {
            return;
        }
        store.renewLeases(owner, List.copyOf(running.keySet()), settings.lease());
        leasesRenewedAt = Instant.now();
    }

    private void launch(Task task) {
        Running run = new Running(task);
        running.put(task.id(), run);
        try {
            run.future = executor.submit(() -> execute(run));
        } catch (RejectedExecutionException e) {
            running.remove(task.id());
            run.settled.set(true);
            store.handBack(owner, List.of(task.id()), true);
        }
    }

    private void execute(Running run) {
        Task task = run.task;
        Outcome outcome;
        try {
            if (!registry.has(task.handler())) {
                outcome = Outcome.failed(task.id(), registry.unknown(task.handler()));
            } else {
                registry.run(task.handler(), new TaskContext(task, () -> run.cancelled));
                outcome = Outcome.completed(task.id());
            }
        } catch (Throwable e) {
            String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
            if (run.terminated) {
                outcome = Outcome.failed(task.id(), "task has been terminated");
            } else if (task.attempts() < task.maxAttempts()) {
                outcome = Outcome.retry(task.id(), message, settings.retryDelay(task.attempts()));
            } else {
                outcome = Outcome.failed(task.id(), message);
            }
            if (e instanceof Error error && !(e instanceof AssertionError)) {
                LOG.log(Level.SEVERE, "task " + task.id() + " (" + task.handler() + ") threw " + error, error);
            }
        }
        if (run.settled.compareAndSet(false, true)) {
            outcomes.add(outcome);
        }
        running.remove(task.id());
        synchronized (idle) {
            idle.notifyAll();
        }
        wake();
    }

    /**
     * Interrupts a running task; it ends Error with "task has been terminated".
     *
     * @return false when the task is not running here
     */
    public boolean terminate(String taskId) {
        Running run = running.get(taskId);
        if (run == null) {
            return false;
        }
        run.terminated = true;
        run.cancelled = true;
        Future<?> future = run.future;
        if (future != null) {
            future.cancel(true);
        }
        return true;
    }

    /**
     * Stops claiming, lets running tasks finish for up to {@code timeout}, then interrupts the
     * rest and gives them back to the queue (Waiting), writes all outcomes and stops.
     */
    public void stop(Duration timeout) {
        stopping = true;
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (!running.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        List<String> unfinished = new ArrayList<>();
        for (Running run : running.values()) {
            if (run.settled.compareAndSet(false, true)) {
                run.cancelled = true;
                unfinished.add(run.task.id());
                Future<?> future = run.future;
                if (future != null) {
                    future.cancel(true);
                }
            }
        }
        try {
            writeOutcomes().join();
            if (!unfinished.isEmpty()) {
                store.handBack(owner, unfinished, false);
                LOG.info("queue " + queue + ": gave " + unfinished.size() + " unfinished task(s) back to the queue");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "queue " + queue + ": could not write the last outcomes; their leases will expire and"
                    + " the tasks run again", e);
        }
        stopped = true;
    }

    /** A task on its way through this dispatcher. */
    private static final class Running {
        final Task task;
        final AtomicBoolean settled = new AtomicBoolean();
        volatile Future<?> future;
        volatile boolean cancelled;
        volatile boolean terminated;

        Running(Task task) {
            this.task = task;
        }
    }
}
