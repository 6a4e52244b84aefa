package dev.kafru;

import dev.kafru.store.AgentStore;
import dev.kafru.store.MetricStore;
import dev.kafru.store.SurrealDatabase;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;

/**
 * The agents of every server — queue workers, schedulers, running tasks — and the commands
 * that stop them (the crate's {@code Agent} and {@code Command}):
 *
 * <pre>{@code
 * @Inject KafruAgents agents;
 *
 * Agent worker = agents.list(AgentFilter.all().kind(AgentKind.Queue).name("reports")).get(0);
 * agents.sendCommand(worker.id(), Command.QueueGracefulShutdown, "deploying", "ops");
 * agents.pauseQueue("reports");   // every server stops claiming on "reports"
 * }</pre>
 *
 * A command is written on the agent's record; the server that owns the agent carries it out
 * within about a second and sets {@code commandIsExecuted}.
 */
@ApplicationScoped
public class KafruAgents {

    /** Largest list returned. */
    public static final int MAX_LIST = 1000;

    @Inject
    SurrealDatabase database;

    @Inject
    Workers workers;

    /** Agents matching the filter (all given fields must match), by server, kind and name. */
    public List<Agent> list(AgentFilter filter) {
        return store().list(filter == null ? AgentFilter.all() : filter, MAX_LIST);
    }

    public List<Agent> list() {
        return list(AgentFilter.all());
    }

    /** One agent by id (the record key, with or without {@code kafru_agents:}). */
    public Optional<Agent> get(String id) {
        return store().get(id);
    }

    /**
     * Writes a command on an agent; its server carries it out.
     *
     * @throws IllegalArgumentException when there is no such agent, or the command is not for its kind
     */
    public Agent sendCommand(String id, Command command, String message, String author) {
        if (command == null) {
            throw new IllegalArgumentException("command is required: one of " + List.of(Command.values()));
        }
        Agent agent = get(id).orElseThrow(() -> new IllegalArgumentException("no agent '" + id + "'"));
        if (agent.kind() != command.target()) {
            throw new IllegalArgumentException(command + " is for a " + command.target() + " agent; '" + id + "' is a "
                    + agent.kind() + " agent");
        }
        return store().sendCommand(id, command, message, author)
                .orElseThrow(() -> new IllegalArgumentException("no agent '" + id + "'"));
    }

    /**
     * Stops claiming on a queue on every server (running tasks go on); a worker started later
     * for that queue starts paused while any server's worker of it is paused.
     *
     * @return how many servers' workers of that queue were told
     */
    public int pauseQueue(String queue) {
        return setPaused(queue, true);
    }

    /** Restarts claiming on a queue on every server. */
    public int resumeQueue(String queue) {
        return setPaused(queue, false);
    }

    private int setPaused(String queue, boolean paused) {
        QueueDispatcher local = workers.dispatcher(queue);
        if (local != null) {
            if (paused) {
                local.pause();
            } else {
                local.resume();
            }
        }
        return store().setQueuePaused(queue, paused);
    }

    /** The stored metric snapshots (one per worker and scheduler). */
    public List<MetricStore.Snapshot> metrics() {
        return new MetricStore(database.connection()).list();
    }

    private AgentStore store() {
        return new AgentStore(database.connection());
    }
}
