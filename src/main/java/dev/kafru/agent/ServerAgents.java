package dev.kafru.agent;

import dev.kafru.Agent;
import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Command;
import dev.kafru.store.AgentRepository;
import dev.kafru.store.MetricRepository;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.store.MinuteCount;
import dev.kafru.store.NewAgent;
import dev.kafru.store.StoreException;
import dev.kafru.store.Subscription;
import dev.kafru.worker.QueueDispatcher;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This server's agents (the crate's {@code kafru_agents} rows): one per queue worker, one for the
 * scheduler, one per running task. It purges the server's old agents at start, renews their
 * heartbeat, marks other servers' agents whose heartbeat expired, carries out the commands
 * written on its agents (a live query tells within milliseconds; each heartbeat also looks, in
 * case a notification was lost), applies the cluster-wide pause flag of its queues, and writes
 * the metric snapshots.
 *
 * <p>Plain Java, driven by executors: the CDI bean {@link AgentService} runs one per server, and
 * tests run several in one JVM as several servers.
 */
public final class ServerAgents implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ServerAgents.class.getName());

    /** Stops a queue worker: gracefully, or now (running tasks interrupted and given back). */
    public interface QueueStopper {
        void stop(QueueDispatcher dispatcher, boolean force);
    }

    /** The scheduler as seen by its agent. */
    public interface SchedulerControl {
        boolean isRunning();

        void stop(boolean force);
    }

    private record QueueAgent(String key, QueueDispatcher dispatcher, TaskAgents tasks, MinuteCounter minutes) {
    }

    /** How long per-minute counts are kept: the dashboard charts the last hour. */
    static final Duration MINUTES_KEPT = Duration.ofHours(2);

    private final AgentRepository store;
    private final MetricRepository metrics;
    private final String server;
    private final ScheduledExecutorService timer;
    private final Executor executor;
    private final AgentSettings settings;
    private final QueueStopper stopper;
    private final Map<String, QueueAgent> queues = new ConcurrentHashMap<>();
    private final Set<String> handling = ConcurrentHashMap.newKeySet();
    private volatile SchedulerControl scheduler;
    private volatile String schedulerKey;
    private volatile Subscription commands;
    private volatile ScheduledFuture<?> beat;
    private volatile ScheduledFuture<?> snapshots;
    private volatile boolean closed;

    public ServerAgents(AgentRepository store, MetricRepository metrics, String server, ScheduledExecutorService timer, Executor executor,
                        AgentSettings settings, QueueStopper stopper) {
        this.store = store;
        this.metrics = metrics;
        this.server = server;
        this.timer = timer;
        this.executor = executor;
        this.settings = settings;
        this.stopper = stopper;
    }

    public String server() {
        return server;
    }

    /** Purges this server's old agents, listens for commands, and starts heartbeats and snapshots. */
    public void start() {
        int purged = store.purgeServer(server);
        if (purged > 0) {
            LOG.info("kafru purged " + purged + " old agent(s) of server " + server);
        }
        try {
            commands = store.onServerAgents(server, this::onAgent);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "no live query for agent commands; they are carried out at the next heartbeat ("
                    + settings.heartbeat().toMillis() + " ms)", e);
        }
        long every = settings.heartbeat().toMillis();
        beat = timer.scheduleWithFixedDelay(() -> executor.execute(this::heartbeat), every, every, TimeUnit.MILLISECONDS);
        long snap = settings.metricsInterval().toMillis();
        snapshots = timer.scheduleWithFixedDelay(() -> executor.execute(this::writeSnapshots), 0, snap, TimeUnit.MILLISECONDS);
    }

    /** Registers a queue worker's agent (paused if the queue is paused elsewhere) and follows its tasks. */
    public String registerQueue(QueueDispatcher dispatcher) {
        String key = UUID.randomUUID().toString();
        boolean paused = store.isQueuePaused(dispatcher.queue());
        store.create(new NewAgent(key, dispatcher.queue(), AgentKind.Queue, server, null, null, AgentStatus.Running, paused));
        if (paused) {
            dispatcher.pause();
        }
        TaskAgents tasks = new TaskAgents(store, server, key, dispatcher, timer);
        dispatcher.addObserver(tasks);
        MinuteCounter minutes = new MinuteCounter(dispatcher.queue(), Clock.systemUTC());
        dispatcher.addObserver(minutes);
        queues.put(dispatcher.queue(), new QueueAgent(key, dispatcher, tasks, minutes));
        return key;
    }

    /** Registers the scheduler's agent when it runs and has none, and ends it when it stopped. */
    public void followScheduler(String name, SchedulerControl control) {
        scheduler = control;
        String key = schedulerKey;
        if (control.isRunning() && key == null) {
            key = UUID.randomUUID().toString();
            store.create(new NewAgent(key, name, AgentKind.Scheduler, server, null, null, AgentStatus.Running, false));
            schedulerKey = key;
        } else if (!control.isRunning() && key != null) {
            schedulerKey = null;
            store.setStatus(key, AgentStatus.Terminated, null);
        }
    }

    /** The agent key of a queue's worker on this server. */
    public String queueAgent(String queue) {
        QueueAgent q = queues.get(queue);
        return q == null ? null : q.key();
    }

    /** The agent key of a task running here, once its agent is written. */
    public String taskAgent(String queue, String taskId) {
        QueueAgent q = queues.get(queue);
        return q == null ? null : q.tasks().agentOf(taskId);
    }

    public String schedulerAgent() {
        return schedulerKey;
    }

    /** Renews heartbeats, writes pending task agents, and acts on commands and pause flags. */
    public void heartbeat() {
        if (closed) {
            return;
        }
        try {
            queues.values().forEach(q -> q.tasks().flush());
            if (scheduler != null) {
                followScheduler("scheduler", scheduler);
            }
            store.heartbeat(server).forEach(this::onAgent);
            int expired = store.expire(server, settings.expiry(), settings.forget());
            if (expired > 0) {
                LOG.info("kafru marked " + expired + " agent(s) of silent servers as Error; their tasks come back when"
                        + " their leases expire");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "heartbeat failed; next time", e);
        }
    }

    /**
     * Writes one metric snapshot per worker and for the scheduler, this server's per-minute
     * counts of finished attempts, and deletes minute rows past {@link #MINUTES_KEPT} (an index
     * range with a limit; any server may prune any server's rows).
     */
    public void writeSnapshots() {
        if (closed) {
            return;
        }
        try {
            List<MetricSnapshot> rows = new ArrayList<>();
            Instant now = Instant.now();
            for (QueueAgent q : queues.values()) {
                QueueDispatcher d = q.dispatcher();
                rows.add(new MetricSnapshot(server + "/" + d.queue(), "Worker", d.runningCount(), d.threads(), now));
            }
            SchedulerControl s = scheduler;
            if (s != null) {
                rows.add(new MetricSnapshot(server + "/scheduler", "Scheduler", s.isRunning() ? 1 : 0, 1, now));
            }
            metrics.upsert(rows);
            List<MinuteCount> counts = new ArrayList<>();
            queues.values().forEach(q -> counts.addAll(q.minutes().drain()));
            metrics.countMinutes(server, counts);
            metrics.forgetMinutes(now.minus(MINUTES_KEPT), 1000);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "metric snapshots not written; next time", e);
        }
    }

    private void onAgent(Agent agent) {
        if (closed || !server.equals(agent.server())) {
            return;
        }
        if (agent.kind() == AgentKind.Queue) {
            QueueAgent q = queues.get(agent.name());
            if (q != null && q.key().equals(agent.id()) && q.dispatcher().isPaused() != agent.paused()) {
                if (agent.paused()) {
                    q.dispatcher().pause();
                } else {
                    q.dispatcher().resume();
                }
                LOG.info("kafru queue " + agent.name() + (agent.paused() ? " paused" : " resumed") + " on " + server);
            }
        }
        if (agent.command() != null && !agent.commandIsExecuted() && handling.add(agent.id())) {
            executor.execute(() -> {
                try {
                    carryOut(agent);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "command " + agent.command() + " on agent " + agent.id() + " failed", e);
                    try {
                        store.commandExecuted(agent.id(), AgentStatus.Error, "command failed: " + e.getMessage());
                    } catch (RuntimeException ignored) {
                        // the next heartbeat tries again
                    }
                } finally {
                    handling.remove(agent.id());
                }
            });
        }
    }

    private void carryOut(Agent agent) {
        Command command = agent.command();
        LOG.info("kafru carries out " + command + " on " + agent.kind() + " agent " + agent.name() + " (" + agent.id()
                + ")" + (agent.author() != null ? " from " + agent.author() : ""));
        if (command.target() != agent.kind()) {
            store.commandExecuted(agent.id(), agent.status(), command + " is not a command for a " + agent.kind() + " agent");
            return;
        }
        switch (command) {
            case QueueGracefulShutdown, QueueForceShutdown -> {
                QueueAgent q = queues.get(agent.name());
                if (q == null || !q.key().equals(agent.id())) {
                    store.commandExecuted(agent.id(), AgentStatus.Terminated, "the worker was not running");
                    return;
                }
                stopper.stop(q.dispatcher(), command == Command.QueueForceShutdown);
                q.tasks().flush().join();
                queues.remove(agent.name(), q);
                store.commandExecuted(agent.id(), AgentStatus.Terminated, null);
            }
            case SchedulerGracefulShutdown, SchedulerForceShutdown -> {
                SchedulerControl s = scheduler;
                if (s != null) {
                    s.stop(command == Command.SchedulerForceShutdown);
                }
                if (agent.id().equals(schedulerKey)) {
                    schedulerKey = null;
                }
                store.commandExecuted(agent.id(), AgentStatus.Terminated, null);
            }
            case TaskTerminate, TaskRemove, TaskCancel -> {
                QueueAgent q = queues.values().stream().filter(a -> a.key().equals(agent.parentId())).findFirst().orElse(null);
                boolean terminated = q != null && agent.queueId() != null && (command == Command.TaskCancel
                        ? q.dispatcher().cancel(agent.queueId(), agent.message() != null ? agent.message() : "cancelled")
                        : q.dispatcher().terminate(agent.queueId()));
                if (command == Command.TaskRemove) {
                    if (agent.queueId() != null) {
                        store.removeTask(agent.queueId());
                    }
                    store.commandExecuted(agent.id(), AgentStatus.Terminated, null);
                } else {
                    store.commandExecuted(agent.id(), terminated ? AgentStatus.Terminated : AgentStatus.Completed,
                            terminated ? null : "the task was no longer running");
                }
            }
            default -> throw new IllegalStateException("unknown command " + command);
        }
    }

    /** Stops heartbeats and listening; this server's live agents end Terminated. */
    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> b = beat;
        if (b != null) {
            b.cancel(false);
        }
        ScheduledFuture<?> s = snapshots;
        if (s != null) {
            s.cancel(false);
        }
        Subscription live = commands;
        if (live != null) {
            live.close();
        }
        try {
            queues.values().forEach(q -> q.tasks().flush().join());
            store.terminateServer(server);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "agents of " + server + " not marked Terminated; they expire", e);
        }
    }
}
