package dev.kafru.agent;

import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Task;
import dev.kafru.store.AgentRepository;
import dev.kafru.store.NewAgent;
import dev.kafru.store.Outcome;
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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The Task agents of one queue worker, written in batches: at most every {@link #WRITE_DELAY}
 * (and at each heartbeat) one request inserts the agents of tasks that have run for at least
 * that long and deletes those of tasks that ended. A task that ends sooner is never written,
 * so short tasks cost nothing per task and a busy queue costs a few requests a second; a task
 * that runs longer is listed within about {@link #WRITE_DELAY}.
 */
final class TaskAgents implements QueueDispatcher.Observer {

    private static final Logger LOG = Logger.getLogger(TaskAgents.class.getName());
    static final Duration WRITE_DELAY = Duration.ofMillis(200);

    private final AgentRepository store;
    private final String server;
    private final String queueAgentKey;
    /** Started, not written yet: task id → the task (its agent is made when it is written: most tasks end sooner). */
    private final Map<String, Task> toInsert = new LinkedHashMap<>();
    /** Written: task id → agent key. */
    private final Map<String, String> written = new HashMap<>();
    private final List<String> toDelete = new ArrayList<>();
    private final Map<String, Long> startedAt = new HashMap<>();
    private final ScheduledExecutorService timer;
    private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
    private boolean writeScheduled;

    TaskAgents(AgentRepository store, String server, String queueAgentKey, ScheduledExecutorService timer) {
        this.store = store;
        this.server = server;
        this.queueAgentKey = queueAgentKey;
        this.timer = timer;
    }

    private void scheduleWrite() {
        if (!writeScheduled) {
            writeScheduled = true;
            try {
                timer.schedule(() -> {
                    synchronized (this) {
                        writeScheduled = false;
                    }
                    flush();
                }, WRITE_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                writeScheduled = false;
            }
        }
    }

    @Override
    public synchronized void started(Task task) {
        toInsert.put(task.id(), task);
        startedAt.put(task.id(), System.nanoTime());
        scheduleWrite();
    }

    /** The agent a task that has run long enough is listed as. */
    private NewAgent agent(Task task) {
        String name = task.name() != null && !task.name().isBlank() ? task.name() : task.handler();
        return new NewAgent(UUID.randomUUID().toString(), name, AgentKind.Task, server, queueAgentKey,
                task.id(), AgentStatus.Running, false);
    }

    @Override
    public synchronized void finished(Task task, Outcome outcome, Duration took) {
        startedAt.remove(task.id());
        if (toInsert.remove(task.id()) == null) {
            String key = written.remove(task.id());
            if (key != null) {
                toDelete.add(key);
                scheduleWrite();
            }
        }
    }

    /** The agent key of a running task, once written. */
    synchronized String agentOf(String taskId) {
        return written.get(taskId);
    }

    /**
     * Sends what was gathered, unless the previous write is still under way (then the next cycle
     * or heartbeat sends it: an insert and the delete of the same agent must not race).
     */
    synchronized CompletableFuture<Void> flush() {
        if (toInsert.isEmpty() && toDelete.isEmpty()) {
            return inFlight;
        }
        if (!inFlight.isDone()) {
            scheduleWrite();
            return inFlight;
        }
        long youngest = System.nanoTime() - WRITE_DELAY.toNanos();
        Map<String, NewAgent> inserts = new LinkedHashMap<>();
        Map<String, Task> pending = new HashMap<>();
        toInsert.entrySet().removeIf(e -> {
            if (startedAt.getOrDefault(e.getKey(), 0L) - youngest > 0) {
                return false; // too young to be worth a write yet
            }
            NewAgent agent = agent(e.getValue());
            pending.put(e.getKey(), e.getValue());
            inserts.put(e.getKey(), agent);
            written.put(e.getKey(), agent.key());
            return true;
        });
        if (!toInsert.isEmpty()) {
            scheduleWrite();
        }
        if (inserts.isEmpty() && toDelete.isEmpty()) {
            return inFlight;
        }
        List<String> deletes = new ArrayList<>(toDelete);
        toDelete.clear();
        inFlight = store.writeTaskAgents(new ArrayList<>(inserts.values()), deletes).whenComplete((ok, error) -> {
            if (error != null) {
                // (a write conflict with a heartbeat, a lost connection): written again next time
                LOG.log(Level.FINE, "task agents not written yet", error);
                synchronized (this) {
                    toDelete.addAll(deletes);
                    inserts.forEach((task, agent) -> {
                        if (written.remove(task) != null) {
                            toInsert.put(task, pending.get(task));
                        }
                    });
                }
            }
        }).exceptionally(e -> null);
        return inFlight;
    }
}
