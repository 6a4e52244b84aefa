package dev.kafru.agent;

import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Task;
import dev.kafru.store.AgentRepository;
import dev.kafru.store.NewAgent;
import dev.kafru.worker.QueueDispatcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Task agents of one queue worker, written in batches: while tasks run, every
 * {@link #WRITE_DELAY} (and at each heartbeat) one request inserts the agents of tasks that have
 * run for at least that long and deletes those of tasks that ended since. It reads what runs from
 * the dispatcher itself, so a task costs nothing here as it starts and ends (a volatile read):
 * short tasks are never written, and a busy queue costs a few requests a second; a task that runs
 * longer is listed within about {@link #WRITE_DELAY}, and its agent goes within about as long
 * after it ends.
 */
final class TaskAgents implements QueueDispatcher.Observer {

    private static final Logger LOG = Logger.getLogger(TaskAgents.class.getName());
    static final Duration WRITE_DELAY = Duration.ofMillis(200);

    private final AgentRepository store;
    private final String server;
    private final String queueAgentKey;
    private final QueueDispatcher dispatcher;
    /** Written: task id → agent key. */
    private final Map<String, String> written = new HashMap<>();
    /** Agents of ended tasks to delete: gathered by a flush and sent at once, or kept when the write failed, for the next. */
    private final List<String> toDelete = new ArrayList<>();
    private final ScheduledExecutorService timer;
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    /** True while a pass is due every {@link #WRITE_DELAY}: from a task's start until nothing runs or is written. */
    private final AtomicBoolean passing = new AtomicBoolean();

    TaskAgents(AgentRepository store, String server, String queueAgentKey, QueueDispatcher dispatcher, ScheduledExecutorService timer) {
        this.store = store;
        this.server = server;
        this.queueAgentKey = queueAgentKey;
        this.dispatcher = dispatcher;
        this.timer = timer;
    }

    @Override
    public void started(Task task) {
        if (!passing.get() && passing.compareAndSet(false, true)) {
            schedulePass();
        }
    }

    private void schedulePass() {
        try {
            timer.schedule(this::pass, WRITE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            passing.set(false); // stopping: the last flush writes what is left
        }
    }

    /** A timed pass: writes, then comes back while anything runs or is listed (the dispatcher puts a task in its running set before it tells {@link #started}). */
    private void pass() {
        flush();
        passing.set(false);
        if (busy() && passing.compareAndSet(false, true)) {
            schedulePass();
        }
    }

    private boolean busy() {
        if (dispatcher.runningCount() > 0) {
            return true;
        }
        synchronized (this) {
            return !written.isEmpty() || !toDelete.isEmpty() || !inFlight.isDone();
        }
    }

    /** The agent a task that has run long enough is listed as. */
    private NewAgent agent(Task task) {
        String name = task.name() != null && !task.name().isBlank() ? task.name() : task.handler();
        return new NewAgent(UUID.randomUUID().toString(), name, AgentKind.Task, server, queueAgentKey,
                task.id(), AgentStatus.Running, false);
    }

    /** The agent key of a running task, once written. */
    synchronized String agentOf(String taskId) {
        return written.get(taskId);
    }

    /**
     * Sends what changed — the agents of tasks running for {@link #WRITE_DELAY} or more that have
     * none, the deletes of those whose task ended — unless the previous write is still under way
     * (then the next pass or heartbeat sends it: an insert and the delete of the same agent must
     * not race).
     */
    synchronized CompletableFuture<Void> flush() {
        if (!inFlight.isDone()) {
            return inFlight;
        }
        long youngest = System.nanoTime() - WRITE_DELAY.toNanos();
        Map<String, Task> running = new HashMap<>();
        Map<String, NewAgent> inserts = new LinkedHashMap<>();
        dispatcher.forEachRunning((task, startedNanos) -> {
            running.put(task.id(), task);
            if (startedNanos - youngest <= 0 && !written.containsKey(task.id())) {
                inserts.put(task.id(), agent(task));
            }
        });
        written.entrySet().removeIf(e -> {
            if (running.containsKey(e.getKey())) {
                return false;
            }
            toDelete.add(e.getValue());
            return true;
        });
        if (inserts.isEmpty() && toDelete.isEmpty()) {
            return inFlight;
        }
        inserts.forEach((task, agent) -> written.put(task, agent.key()));
        List<String> deletes = new ArrayList<>(toDelete);
        toDelete.clear();
        inFlight = store.writeTaskAgents(new ArrayList<>(inserts.values()), deletes).whenComplete((ok, error) -> {
            if (error != null) {
                // (a write conflict with a heartbeat, a lost connection): written again next time
                LOG.log(Level.FINE, "task agents not written yet", error);
                synchronized (this) {
                    toDelete.addAll(deletes);
                    inserts.forEach((task, agent) -> written.remove(task, agent.key()));
                }
            }
        }).exceptionally(e -> null);
        return inFlight;
    }
}
