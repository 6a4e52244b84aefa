package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.store.Claimed;
import dev.kafru.store.Outcome;
import dev.kafru.store.StoreException;
import dev.kafru.store.TaskRepository;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>The cycle and the bookkeeping of threads stay here; the rest is delegated: when to look
 * again ({@link DueTimes}), how much to claim ({@link ClaimSizer}), keeping leases
 * ({@link LeaseKeeper}), writing outcomes ({@link OutcomeWriter}) and running one task
 * ({@link TaskExecution}, with a {@link RetryPolicy}). Times follow the package's clock rule
 * (see {@code package-info}).
 */
public final class QueueDispatcher {

    private static final Logger LOG = Logger.getLogger(QueueDispatcher.class.getName());

    private final String queue;
    private final int threads;
    private final WorkerSettings settings;
    private final TaskRepository store;
    private final TaskRegistry registry;
    private final ExecutorService executor;
    private final ScheduledExecutorService scheduler;
    private final String owner;
    private final Clock clock;
    private final RetryPolicy retryPolicy;

    private final List<Observer> observers = new CopyOnWriteArrayList<>();
    private final Map<String, TaskExecution> running = new ConcurrentHashMap<>();
    /** Claimed ahead of a free thread (prefetch): InProgress and leased, not started yet. */
    private final ConcurrentLinkedDeque<Task> claimedAhead = new ConcurrentLinkedDeque<>();
    /** How many tasks {@link #claimedAhead} holds (its size() walks the deque: measured at 5% of a busy server's CPU). */
    private final AtomicInteger claimedAheadCount = new AtomicInteger();
    /**
     * Runners on the executor, at most {@code threads}: each takes claimed tasks one after the
     * other until none is left. One submission per burst, not per task — on Payara every
     * submission to the ManagedExecutorService captures the application's context (a
     * ServiceLoader scan of the class path: measured ~100 µs, a core's worth at 4,000 tasks/s).
     */
    private final AtomicInteger runners = new AtomicInteger();
    private final AtomicBoolean cycling = new AtomicBoolean();
    private final Object idle = new Object();
    private volatile boolean wakeRequested;
    private volatile boolean paused;
    private volatile boolean stopping;
    private volatile boolean stopped;
    private volatile ScheduledFuture<?> timer;
    private volatile Instant lastCycleAt;
    private volatile int failures;
    /** How many tasks to claim ahead of free threads, from how fast this server finishes them. */
    private final ClaimSizer sizer;
    private final DueTimes dueTimes;
    private final LeaseKeeper leases;
    private final OutcomeWriter outcomes;
    /** The time-outs of running tasks that have one. */
    private final TimeoutWatch timeouts;
    /** Where handlers' progress reports go: this dispatcher's own writer unless the server shares one. */
    private volatile ProgressReports progress;
    /** True while the last claim came back full: more due tasks may be waiting. */
    private volatile boolean backlog = true;
    /** Threads promised to pushes being inserted already claimed (see {@link #tryHandOff()}). */
    private int handOffs;
    /** Set by {@link #wake()} (a push, a signal, the timer): due tasks may have arrived, so claim. */
    private volatile boolean newWork = true;

    /** A dispatcher on the system clock (UTC) with the {@link RetryPolicy#exponentialBackoff default retry policy}. */
    public QueueDispatcher(String queue, int threads, WorkerSettings settings, TaskRepository store, TaskRegistry registry,
                           ExecutorService executor, ScheduledExecutorService scheduler, String owner) {
        this(queue, threads, settings, store, registry, executor, scheduler, owner, Clock.systemUTC(),
                RetryPolicy.exponentialBackoff(settings));
    }

    /**
     * A dispatcher with its own clock (for its own timing; leases and claims' due times are the
     * database's, see {@code package-info}) and retry policy.
     */
    public QueueDispatcher(String queue, int threads, WorkerSettings settings, TaskRepository store, TaskRegistry registry,
                           ExecutorService executor, ScheduledExecutorService scheduler, String owner,
                           Clock clock, RetryPolicy retryPolicy) {
        this.queue = queue;
        this.threads = threads;
        this.settings = settings;
        this.store = store;
        this.registry = registry;
        this.executor = executor;
        this.scheduler = scheduler;
        this.owner = owner;
        this.clock = clock;
        this.retryPolicy = retryPolicy;
        this.lastCycleAt = clock.instant();
        this.sizer = new ClaimSizer(threads, settings);
        this.dueTimes = new DueTimes(settings.pollInterval(), () -> store.nextRunAt(queue), due -> store.waitingFrom(owner, due), clock);
        this.leases = new LeaseKeeper(store, owner, settings.lease(), this::heldTaskIds, clock);
        this.outcomes = new OutcomeWriter(queue, batch -> store.finish(owner, batch), dueTimes::rescanSoon, this::stored);
        this.timeouts = new TimeoutWatch(scheduler, settings.abandonAfter(), this::abandon);
        this.progress = new ProgressReports(store, executor, scheduler);
    }

    /** Sends this dispatcher's progress reports to the server's one writer (call before {@link #start()}). */
    public void reportProgressTo(ProgressReports reports) {
        this.progress = reports;
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
        // claims take only tasks whose handler this server has; the others wait for a server that has it
        store.offers(owner, registry.names());
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

        /**
         * A task's outcome is stored (after {@link #finished}); runs on whatever thread completed
         * the write — hand anything slow to another thread.
         */
        default void stored(Task task, Outcome outcome, Duration took) {
        }

        /**
         * True when {@link #stored} is overridden: only then does a finished task wait in a map for its
         * outcome's write (a put and a remove per task that no one else needs).
         */
        default boolean wantsStored() {
            return false;
        }
    }

    /** Tasks whose outcome is written but not yet stored, by id, with how long they ran: for {@link Observer#stored}. */
    private final Map<String, Map.Entry<Task, Duration>> unstored = new ConcurrentHashMap<>();

    private void stored(List<Outcome> batch) {
        if (!anyWantsStored) {
            return;
        }
        for (Outcome outcome : batch) {
            Map.Entry<Task, Duration> ran = unstored.remove(outcome.taskKey());
            if (ran == null) {
                continue;
            }
            for (Observer o : observers) {
                try {
                    o.stored(ran.getKey(), outcome, ran.getValue());
                } catch (RuntimeException e) {
                    LOG.log(Level.FINE, "queue " + queue + ": observer failed", e);
                }
            }
        }
    }

    public void addObserver(Observer observer) {
        observers.add(observer);
        if (observer.wantsStored()) {
            anyWantsStored = true;
        }
    }

    /** Whether an observer wants {@link Observer#stored}: finished tasks then wait in {@link #unstored}. */
    private volatile boolean anyWantsStored;

    /** Calls {@code action} with each task running now on this server and when it started ({@link System#nanoTime}). */
    public void forEachRunning(java.util.function.ObjLongConsumer<Task> action) {
        for (TaskExecution run : running.values()) {
            action.accept(run.task(), run.startedNanos());
        }
    }

    /** The tasks running now on this server (ids), for whoever reports on them. */
    public Set<String> runningTaskIds() {
        return Set.copyOf(running.keySet());
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
    public void noteDue(Instant runAt) {
        dueTimes.noteDue(runAt);
    }

    /** {@link #noteDue} (unless {@code dueAt} is null: due now), then {@link #wake()}. */
    public void wakeDueAt(Instant dueAt) {
        if (dueAt != null) {
            noteDue(dueAt);
        }
        wake();
    }

    /** Asks for a cycle now; cheap, and safe to call from any thread. */
    public void wake() {
        newWork = true;
        requestCycle();
    }

    /** Asks for a cycle that claims only if a backlog is known (no new work was announced). */
    private void requestCycle() {
        wakeRequested = true;
        if (!stopping && cycling.compareAndSet(false, true)) {
            try {
                executor.execute(this::cycle);
            } catch (RejectedExecutionException e) {
                cycling.set(false);
                LOG.fine("executor refused a cycle for queue " + queue + "; the timer will try again");
                schedule(Duration.ofMillis(200));
            }
        } else if (cycleLingering) {
            synchronized (wakes) {
                wakes.notifyAll();
            }
        }
    }

    /**
     * How long a cycle's thread waits for the next wake before it leaves, while tasks it claimed
     * run (their ends ask for the next claim within milliseconds during a flood): on Payara each
     * cycle handed to the managed executor costs a capture of the application's context.
     */
    static final long CYCLE_LINGER_MILLIS = 50;
    /** Notified when a cycle is asked for (or the dispatcher stops), for a cycle's thread that lingers. */
    private final Object wakes = new Object();
    private volatile boolean cycleLingering;

    /**
     * Waits up to {@link #CYCLE_LINGER_MILLIS} (no longer than {@code next}) for a wake, when tasks
     * of this dispatcher run or wait to; returns how long is left of {@code next}, or null when woken.
     */
    private Duration lingerForWake(Duration next) {
        if (stopping || (running.isEmpty() && claimedAhead.isEmpty())) {
            return next;
        }
        long start = System.nanoTime();
        long deadline = start + Math.min(TimeUnit.MILLISECONDS.toNanos(CYCLE_LINGER_MILLIS), next.toNanos());
        synchronized (wakes) {
            cycleLingering = true;
            try {
                long left;
                while (!wakeRequested && !stopping && (left = deadline - System.nanoTime()) > 0) {
                    TimeUnit.NANOSECONDS.timedWait(wakes, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return next;
            } finally {
                cycleLingering = false;
            }
        }
        if (wakeRequested && !stopping) {
            return null;
        }
        Duration left = next.minusNanos(System.nanoTime() - start);
        return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
    }

    private void cycle() {
        Duration next = settings.pollInterval();
        try {
            Duration after;
            do {
                do {
                    wakeRequested = false;
                    next = work();
                } while (wakeRequested && !stopping);
                after = lingerForWake(next);
            } while (after == null);
            next = after;
            failures = 0;
        } catch (RuntimeException e) {
            failures++;
            next = Duration.ofMillis(Math.min(settings.pollInterval().toMillis(), 100L << Math.min(failures, 6)));
            Level level = e instanceof StoreException s && s.isTransient() ? Level.FINE : Level.WARNING;
            LOG.log(level, "queue " + queue + ": cycle failed, next in " + next.toMillis() + " ms: " + e.getMessage(), e);
        } finally {
            cycling.set(false);
            synchronized (idle) {
                idle.notifyAll(); // a stop waits for the cycle: its claim may carry outcomes
            }
        }
        if (wakeRequested && !stopping) {
            requestCycle();
        } else if (!stopping) {
            schedule(next);
        }
    }

    private void schedule(Duration delay) {
        ScheduledFuture<?> previous = timer;
        if (previous != null && !previous.isDone() && previous.getDelay(TimeUnit.MILLISECONDS) <= delay.toMillis()) {
            // the armed timer fires no later than asked (at worst a cycle early, which arms it again): kept, because
            // on Payara every timer armed captures the application's context (a class-path scan), and during a flood
            // every cycle ended by arming one (3% of the server's profile samples)
            return;
        }
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
        lastCycleAt = clock.instant();
        leases.renewIfDue();
        if (paused || stopping) {
            giveBackClaimedAhead();
        }
        launchClaimedAhead();
        Duration next = settings.pollInterval();
        boolean announced = newWork;
        newWork = false;
        int prefetch = sizer.prefetch();
        int capacity;
        synchronized (this) {
            capacity = threads + prefetch - running.size() - claimedAheadCount.get() - handOffs;
        }
        // claim when due tasks may be there: new work was announced, or the last claim came back full;
        // a task that merely finished claims nothing more from a queue known to be drained
        if (!paused && !stopping && capacity > 0 && claimedAheadCount.get() <= prefetch / 2 && (backlog || announced)) {
            int wanted = Math.min(capacity, settings.batchSize());
            // outcomes go in their own writes (flush, below): when a few rode in the claim's request, a claim tried
            // again after a write conflict wrote them again, and a push unit's members were counted done twice
            Claimed claimed = store.claim(queue, owner, wanted, settings.lease(), List.of());
            backlog = claimed.tasks().size() == wanted || claimed.more();
            claimedAhead.addAll(claimed.tasks());
            claimedAheadCount.addAndGet(claimed.tasks().size());
            if (!claimed.tasks().isEmpty()) {
                announceClaimed();
            }
            launchClaimedAhead();
            if (backlog) {
                if (claimedAheadCount.get() <= prefetch / 2) {
                    wakeRequested = true; // more is due and there is room for it now
                }
            } else {
                next = dueTimes.untilNextDue(next);
            }
        } else if (!paused && !stopping) {
            boolean noRoom = capacity <= 0 || claimedAheadCount.get() > prefetch / 2;
            if (noRoom && (announced || dueTimes.knownDueHasPassed())) {
                // work is due but there is no room: room comes as this server's tasks end, and the task
                // whose end makes it asks for the cycle (taskEnded) — kept for it instead of a timer 5 ms
                // away, which during a flood was armed again and again (on Payara a context capture each)
                newWork = true;
            } else {
                // no claim this cycle (none announced, or no room): a retry or delayed task noted
                // before still arms the timer — a cycle run right after one that armed it for a
                // retry 20 ms away had put it back to the poll interval
                next = dueTimes.untilKnownDue(next);
            }
        }
        outcomes.flush();
        Duration renewIn = leases.renewEvery();
        if ((!running.isEmpty() || !claimedAhead.isEmpty()) && renewIn.compareTo(next) < 0) {
            next = renewIn;
        }
        if (!outcomes.isEmpty() && next.compareTo(OutcomeWriter.RETRY_AFTER) > 0) {
            next = OutcomeWriter.RETRY_AFTER; // a write that failed is tried again soon, not at the next poll
        }
        return next;
    }

    /** After a task ended: write outcomes, and claim more if a backlog or new work is known (its runner takes the next one). */
    private void taskEnded() {
        outcomes.flush();
        if ((backlog || newWork) && !paused && !stopping && claimedAheadCount.get() <= sizer.prefetch() / 2) {
            requestCycle();
        }
    }

    /** Makes sure claimed tasks have runners: one more per waiting task, up to the queue's threads. */
    private void launchClaimedAhead() {
        while (!stopping && !claimedAhead.isEmpty()) {
            int now = runners.get();
            if (now >= threads) {
                return;
            }
            if (runners.compareAndSet(now, now + 1)) {
                try {
                    executor.execute(inContext(tasksContext, this::runClaimed));
                } catch (RejectedExecutionException e) {
                    runners.decrementAndGet();
                    LOG.fine("executor refused a runner for queue " + queue + "; its claimed tasks wait for the next cycle");
                    return;
                }
            }
        }
    }

    /** Applied around each runner (the application's context in a container), or null. */
    private volatile java.util.concurrent.Executor tasksContext;

    /** {@code work} run through {@code context} (see {@link #runTasksIn}); itself when there is none. */
    static Runnable inContext(java.util.concurrent.Executor context, Runnable work) {
        return context == null ? work : () -> context.execute(work);
    }

    /**
     * Runs every runner (the tasks, their observers) through {@code context}: in a container, the
     * application's context captured once, so that a runner started from a thread without it (the
     * SurrealDB connection's, after a push) still gives handlers their {@code @Resource}s. Call
     * before {@link #start}.
     */
    public void runTasksIn(java.util.concurrent.Executor context) {
        this.tasksContext = context;
    }

    /** How long a runner that ran out of claimed tasks waits for the next claim or hand-off before it leaves. */
    static final long RUNNER_LINGER_MILLIS = 100;
    /** Notified when tasks are claimed ahead (or the dispatcher stops), for runners that wait. */
    private final Object moreClaimed = new Object();

    /** Claims announced so far (under {@link #moreClaimed}): a runner lingers while they keep coming, whoever takes them. */
    private long claimsAnnounced;

    private void announceClaimed() {
        synchronized (moreClaimed) {
            claimsAnnounced++;
            moreClaimed.notifyAll();
        }
    }

    /** The next task claimed ahead, or null. */
    private Task pollClaimed() {
        Task task = claimedAhead.poll();
        if (task != null) {
            claimedAheadCount.decrementAndGet();
        }
        return task;
    }

    /**
     * A runner: runs claimed tasks one after the other until none is left (or the dispatcher
     * stops), then waits for the next claim or hand-off, leaving once none came for
     * {@link #RUNNER_LINGER_MILLIS}: on Payara each runner submitted to the managed executor costs a capture
     * of the application's context (a class-path scan, ~100 µs), and a claim that comes back
     * short of a full batch during a flood is followed by another within milliseconds.
     */
    private void runClaimed() {
        try {
            while (true) {
                Task task;
                while (!stopping && (task = pollClaimed()) != null) {
                    execute(new TaskExecution(task, registry, retryPolicy, progress, store::get));
                }
                if (stopping) {
                    break;
                }
                // it leaves once no claim came for RUNNER_LINGER_MILLIS, not at the first notification nor when
                // others took a claim's tasks before it: a claim wakes every waiting runner, and the first to poll
                // may take all of it; runners that left so cost new ones for every claim (a context capture
                // each on Payara: 5% of the server's profile samples)
                boolean expired = false;
                synchronized (moreClaimed) {
                    long seen = claimsAnnounced;
                    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUNNER_LINGER_MILLIS);
                    while (claimedAheadCount.get() == 0 && !stopping) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            expired = true;
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(moreClaimed, left);
                        if (claimsAnnounced != seen) {
                            seen = claimsAnnounced;
                            deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUNNER_LINGER_MILLIS);
                        }
                    }
                }
                if (expired && claimedAheadCount.get() == 0) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            runners.decrementAndGet();
        }
        if (!stopping && !claimedAhead.isEmpty()) {
            launchClaimedAhead(); // one was added between the last poll and the decrement
        }
    }

    private void giveBackClaimedAhead() {
        List<String> keys = new ArrayList<>();
        Task task;
        while ((task = pollClaimed()) != null) {
            keys.add(task.id());
        }
        if (!keys.isEmpty()) {
            store.handBack(owner, keys, true);
        }
    }

    /** The tasks whose leases this dispatcher keeps: those running and those claimed ahead. */
    private List<String> heldTaskIds() {
        List<String> held = new ArrayList<>(running.keySet());
        claimedAhead.forEach(t -> held.add(t.id()));
        return held;
    }

    private void notifyFinished(Task task, Outcome outcome, long startedNanos) {
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        if (outcome != null && anyWantsStored) {
            unstored.put(task.id(), Map.entry(task, took));
        }
        for (Observer o : observers) {
            try {
                o.finished(task, outcome, took);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "queue " + queue + ": observer failed", e);
            }
        }
    }

    /** Runs a task claimed for this dispatcher before the others waiting (a hand-off). */
    private void launch(Task task) {
        claimedAhead.addFirst(task);
        claimedAheadCount.incrementAndGet();
        announceClaimed();
        launchClaimedAhead();
    }

    private void execute(TaskExecution run) {
        Task task = run.task();
        running.put(task.id(), run);
        for (Observer o : observers) {
            try {
                o.started(task);
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "queue " + queue + ": observer failed", e);
            }
        }
        Duration timeout = run.timeout();
        TimeoutWatch.Deadline deadline = timeout == null ? null : timeouts.watch(run, timeout);
        Outcome outcome = run.run();
        if (deadline != null) {
            timeouts.unwatch(deadline);
        }
        Outcome written = run.finish(outcome);
        if (written != null && written.status() == TaskStatus.Waiting) {
            // announced like a delayed push: a cycle that armed the timer before this due time was known re-arms it
            noteDue(clock.instant().plus(written.retryDelay()));
            wake();
        }
        sizer.finished(System.nanoTime() - run.startedNanos());
        if (written != null) {
            notifyFinished(task, written, run.startedNanos()); // first: its stored() must find the task
            outcomes.add(written);
        }
        run.ended();
        // only now is its thread free: an abandoned run kept its slot (and its task's lease) until here
        running.remove(task.id(), run);
        synchronized (idle) {
            idle.notifyAll();
        }
        taskEnded();
    }

    /**
     * A run ignored its time-out's interrupt for {@code kafru.worker.abandon-after}: its outcome is
     * decided and, when it ends the task, written now (see {@link TaskExecution#abandon()}). Called
     * on the scheduler's thread, so the work goes to the executor.
     */
    private void abandon(TaskExecution run) {
        try {
            executor.execute(() -> {
                Outcome outcome = run.abandon();
                if (outcome != null) {
                    notifyFinished(run.task(), outcome, run.startedNanos()); // first: its stored() must find the task
                    outcomes.add(outcome);
                    outcomes.flush();
                } else if (run.holdsRetry()) {
                    noteAbandoned(run);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.fine("executor refused to abandon task " + run.task().id() + " (stopping?); its thread settles it when it returns");
        }
    }

    /** The task says why it stays InProgress: an operator reading it sees the thread that has not returned. */
    private void noteAbandoned(TaskExecution run) {
        try {
            store.noteRunning(owner, run.task().id(), run.abandonedNote(owner));
        } catch (RuntimeException e) {
            LOG.log(java.util.logging.Level.FINE, "could not note on task " + run.task().id() + " that it was abandoned", e);
        }
    }

    /** How many deadlines the time-out watch holds (tests: a run without a time-out adds none). */
    int watchedDeadlines() {
        return timeouts.size();
    }

    /**
     * Promises a free thread to a push on this server, which then inserts its task already
     * claimed and hands it over with {@link #handedOff(Task)} (or gives the promise back with
     * {@link #handOffFailed()}). Refused while the queue may have due tasks waiting (the last
     * claim came back full), so a push never overtakes them, and while paused or stopping.
     */
    public synchronized boolean tryHandOff() {
        return tryHandOff(null);
    }

    /** {@link #tryHandOff()} for a task of {@code handler}: never one this server cannot run (null: not known). */
    public synchronized boolean tryHandOff(String handler) {
        if (handler != null && !registry.has(handler)) {
            return false;
        }
        if (paused || stopping || backlog || running.size() + claimedAheadCount.get() + handOffs >= threads) {
            return false;
        }
        handOffs++;
        return true;
    }

    /** Runs a task that was inserted already claimed for this dispatcher's owner. */
    public void handedOff(Task task) {
        synchronized (this) {
            handOffs--;
        }
        if (stopping) {
            store.handBack(owner, List.of(task.id()), true);
            return;
        }
        launch(task);
    }

    /** Gives back a thread promised by {@link #tryHandOff()}. */
    public synchronized void handOffFailed() {
        handOffs--;
    }

    /**
     * Interrupts a running task; it ends Error with "task has been terminated".
     *
     * @return false when the task is not running here
     */
    public boolean terminate(String taskId) {
        TaskExecution run = running.get(taskId);
        if (run == null) {
            return false;
        }
        run.terminate();
        return true;
    }

    /**
     * Cancels a task running here: the handler is asked to stop and interrupted, and the task ends
     * Cancelled with {@code message} (Completed if the handler finishes anyway).
     *
     * @return false when the task is not running here
     */
    public boolean cancel(String taskId, String message) {
        TaskExecution run = running.get(taskId);
        if (run == null) {
            return false;
        }
        run.cancelTask(message);
        return true;
    }

    /** Claims nothing more; running tasks go on. The first step of {@link #stop(Duration)}. */
    public void stopClaiming() {
        stopping = true;
        announceClaimed(); // runners waiting for a claim leave
        synchronized (wakes) {
            wakes.notifyAll(); // and a cycle waiting for a wake
        }
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /** How long a stop waits for a cycle under way to end. */
    static final Duration CYCLE_END_WAIT = Duration.ofSeconds(2);

    /** Waits on {@link #idle} until {@code done} holds or the {@code deadline} (nanoTime) passes. */
    private void awaitIdle(java.util.function.BooleanSupplier done, long deadline) {
        synchronized (idle) {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Stops claiming, lets running tasks finish for up to {@code timeout}, then interrupts the
     * rest and gives them back to the queue (Waiting), writes all outcomes and stops.
     */
    public void stop(Duration timeout) {
        stopClaiming();
        long deadline = System.nanoTime() + timeout.toNanos();
        awaitIdle(running::isEmpty, deadline);
        // a cycle under way may be writing outcomes in its claim's request: give it a moment to end (a claim takes
        // milliseconds; with SurrealDB unreachable it would wait its request timeout, and a stop must not)
        awaitIdle(() -> !cycling.get(), System.nanoTime() + CYCLE_END_WAIT.toNanos());
        List<String> unfinished = new ArrayList<>();
        for (TaskExecution run : running.values()) {
            if (run.settle()) {
                unfinished.add(run.task().id());
                notifyFinished(run.task(), null, run.startedNanos());
                run.cancel();
            } else {
                // abandoned, its thread still out: this server is leaving and can keep no lease, so its retry is written now
                Outcome held = run.takeHeldRetry();
                if (held != null) {
                    notifyFinished(run.task(), held, run.startedNanos()); // first: its stored() must find the task
                    outcomes.add(held);
                }
            }
        }
        try {
            outcomes.writeRest();
            progress.writeRest();
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
}
