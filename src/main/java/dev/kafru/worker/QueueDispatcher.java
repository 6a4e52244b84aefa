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
    /** How soon to look again when a known due time passed without a claim. */
    private static final Duration RECHECK = Duration.ofMillis(5);

    private final String queue;
    private final int threads;
    private final WorkerSettings settings;
    private final TaskStore store;
    private final TaskRegistry registry;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final String owner;

    private final List<Observer> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Map<String, Running> running = new ConcurrentHashMap<>();
    /** Claimed ahead of a free thread (prefetch): InProgress and leased, not started yet. */
    private final ConcurrentLinkedQueue<Task> claimedAhead = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean cycling = new AtomicBoolean();
    private final Object idle = new Object();
    private volatile boolean wakeRequested;
    private volatile boolean paused;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> timer;
    private volatile Instant leasesRenewedAt = Instant.now();
    private volatile Instant lastCycleAt = Instant.now();
    private volatile int failures;
    /** The earliest run_at of a not-yet-due task this dispatcher knows of (null: none known). */
    private volatile Instant knownNextDue;
    /** When the store was last asked for the next run_at; the scan reads every waiting row, so it is rare. */
    private volatile Instant lastDueScan = Instant.EPOCH;

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

    /** When the last cycle began (a liveness check compares it with the poll interval). */
    public Instant lastCycleAt() {
        return lastCycleAt;
    }

    public WorkerSettings settings() {
        return settings;
    }

    public void start() {
        wake();
    }

    /**
     * Something that follows this dispatcher's tasks (task agents, metrics). Its methods run on
     * the dispatcher's threads and must return quickly: gather, and write in batches elsewhere.
     */
    public interface Observer {
        /** A claimed task is handed to a thread. */
        default void started(Task task) {
        }

        /**
         * A task left this dispatcher: {@code outcome} is what is written for it, or null when it
         * was interrupted by a stop and given back to the queue.
         */
        default void finished(Task task, Outcome outcome, Duration took) {
        }
    }

    public void addObserver(Observer observer) {
        observers.add(observer);
    }

    /** The tasks running now on this server (ids), for whoever reports on them. */
    public java.util.Set<String> runningTaskIds() {
        return java.util.Set.copyOf(running.keySet());
    }

    /** Stops claiming; running tasks go on. */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
        wake();
    }

    /**
     * Tells the dispatcher that a task of its queue becomes due at {@code runAt} (a delayed push,
     * a retry), so that its timer fires then rather than at the next poll.
     */
    public synchronized void noteDue(Instant runAt) {
        Instant known = knownNextDue;
        if (runAt != null && (known == null || runAt.isBefore(known) || !known.isAfter(Instant.now()))) {
            knownNextDue = runAt;
        }
    }

    /** Drops a hint that has passed, unless a newer one replaced it meanwhile. */
    private synchronized void forgetDue(Instant passed) {
        if (knownNextDue == passed) {
            knownNextDue = null;
        }
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
        lastCycleAt = Instant.now();
        CompletableFuture<Void> written = writeOutcomes();
        renewLeasesIfDue();
        if (paused || stopping) {
            giveBackClaimedAhead();
        }
        launchClaimedAhead();
        Duration next = settings.pollInterval();
        int capacity = threads + settings.prefetchFor(threads) - running.size() - claimedAhead.size();
        if (!paused && !stopping && capacity > 0 && claimedAhead.size() <= settings.prefetchFor(threads) / 2) {
            int wanted = Math.min(capacity, settings.batchSize());
            List<Task> claimed = store.claim(queue, owner, wanted, settings.lease());
            claimedAhead.addAll(claimed);
            launchClaimedAhead();
            if (claimed.size() == wanted) {
                wakeRequested = true;
            } else {
                Instant now = Instant.now();
                if (Duration.between(lastDueScan, now).compareTo(settings.pollInterval()) >= 0) {
                    lastDueScan = now;
                    store.nextRunAt(queue).ifPresent(this::noteDue);
                }
                Instant due = knownNextDue;
                if (due != null) {
                    Duration until = Duration.between(now, due);
                    if (until.isNegative() || until.isZero()) {
                        // the time we were told has passed but nothing was claimed: the stored run_at
                        // is a little later (computed by the database after us), or the task came due
                        // between the claim and the scan — look again shortly, reading the store
                        forgetDue(due);
                        lastDueScan = Instant.EPOCH;
                        if (RECHECK.compareTo(next) < 0) {
                            next = RECHECK;
                        }
                    } else if (until.compareTo(next) < 0) {
                        next = until.plusMillis(2);
                    }
                }
            }
        }
        Duration renewIn = settings.lease().dividedBy(3);
        if ((!running.isEmpty() || !claimedAhead.isEmpty()) && renewIn.compareTo(next) < 0) {
            next = renewIn;
        }
        written.join();
        return next;
    }

    private void launchClaimedAhead() {
        while (running.size() < threads && !stopping) {
            Task task = claimedAhead.poll();
            if (task == null) {
                return;
            }
            launch(task);
        }
    }

    private void giveBackClaimedAhead() {
        List<String> keys = new ArrayList<>();
        Task task;
        while ((task = claimedAhead.poll()) != null) {
            keys.add(task.id());
        }
        if (!keys.isEmpty()) {
            store.handBack(owner, keys, true);
        }
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
                // a retried task is Waiting again with a run_at the database computed: read it from
                // the store on the next cycle (a scan before this write completed could not see it)
                lastDueScan = Instant.EPOCH;
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
        if ((running.isEmpty() && claimedAhead.isEmpty())
                || Duration.between(leasesRenewedAt, Instant.now()).compareTo(settings.lease().dividedBy(3)) < 0) {
            return;
        }
        List<String> held = new ArrayList<>(running.keySet());
        claimedAhead.forEach(t -> held.add(t.id()));
        store.renewLeases(owner, held, settings.lease());
        leasesRenewedAt = Instant.now();
    }

    private void notifyFinished(Task task, Outcome outcome, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        for (Observer o : observers) {
            try {
                o.finished(task, outcome, took);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "queue " + queue + ": observer failed", e);
            }
        }
    }

    private void launch(Task task) {
        Running run = new Running(task);
        running.put(task.id(), run);
        for (Observer o : observers) {
            try {
                o.started(task);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "queue " + queue + ": observer failed", e);
            }
        }
        try {
            run.future = executor.submit(() -> execute(run));
        } catch (RejectedExecutionException e) {
            running.remove(task.id());
            run.settled.set(true);
            notifyFinished(task, null, run.startedNanos);
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
                Duration delay = settings.retryDelay(task.attempts());
                outcome = Outcome.retry(task.id(), message, delay);
                noteDue(Instant.now().plus(delay));
            } else {
                outcome = Outcome.failed(task.id(), message);
            }
            if (e instanceof Error error && !(e instanceof AssertionError)) {
                LOG.log(Level.SEVERE, "task " + task.id() + " (" + task.handler() + ") threw " + error, error);
            }
        }
        if (run.settled.compareAndSet(false, true)) {
            outcomes.add(outcome);
            notifyFinished(task, outcome, run.startedNanos);
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

    /** Claims nothing more; running tasks go on. The first step of {@link #stop(Duration)}. */
    public void stopClaiming() {
        stopping = true;
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * Stops claiming, lets running tasks finish for up to {@code timeout}, then interrupts the
     * rest and gives them back to the queue (Waiting), writes all outcomes and stops.
     */
    public void stop(Duration timeout) {
        stopClaiming();
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
                notifyFinished(run.task, null, run.startedNanos);
                Future<?> future = run.future;
                if (future != null) {
                    future.cancel(true);
                }
            }
        }
        try {
            writeOutcomes().join();
            giveBackClaimedAhead();
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
        final long startedNanos = System.nanoTime();
        volatile Future<?> future;
        volatile boolean cancelled;
        volatile boolean terminated;

        Running(Task task) {
            this.task = task;
        }
    }
}
