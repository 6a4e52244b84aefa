package dev.kafru;

import dev.kafru.store.AgentRepository;
import dev.kafru.store.MetricRepository;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.store.NewAgent;
import dev.kafru.store.TaskRepository;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The agents of every server — queue workers, schedulers, running tasks — and the commands
 * that stop them (the crate's {@code Agent} and {@code Command}):
 *
 * <pre>{@code
 * @Inject KafruAgents agents;
 *
 * Agent worker = agents.list(AgentFilter.builder().kind(AgentKind.Queue).name("reports").build()).get(0);
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
    AgentRepository store;

    @Inject
    TaskRepository tasks;

    @Inject
    MetricRepository metrics;

    @Inject
    Workers workers;

    /** Agents matching the filter (all given fields must match), by server, kind and name. */
    public List<Agent> list(AgentFilter filter) {
        return store.list(filter == null ? AgentFilter.all() : filter, MAX_LIST);
    }

    public List<Agent> list() {
        return list(AgentFilter.all());
    }

    /** One agent by id (the record key, with or without {@code kafru_agents:}). */
    public Optional<Agent> get(String id) {
        return store.get(id);
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
        return store.sendCommand(id, command, message, author)
                .orElseThrow(() -> new IllegalArgumentException("no agent '" + id + "'"));
    }

    /**
     * Stops claiming on a queue on every server (running tasks go on); a worker started later
     * for that queue starts paused while any server's worker of it is paused.
     *
     * @return how many live workers of that queue (one per server) were told
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
        return store.setQueuePaused(queue, paused);
    }

    /**
     * Stops a running task wherever it runs: at once when it runs on this server, else through a
     * TaskTerminate command on its task agent (written now if its server has not written it yet).
     * It then ends Error with "task has been terminated".
     *
     * @return the task as it was when the command went out; empty when there is no such task
     * @throws IllegalStateException when the task is not running (nothing changes)
     */
    public Optional<Task> terminateTask(String taskId, String message, String author) {
        Optional<Task> found = tasks.get(taskId);
        if (found.isEmpty()) {
            return found;
        }
        Task task = found.get();
        if (task.status() != TaskStatus.InProgress) {
            throw new IllegalStateException("task '" + taskId + "' is " + task.status() + "; only a running task can be terminated");
        }
        tell(task, Command.TaskTerminate, message, author);
        return found;
    }

    /**
     * Asks the server running {@code task} to carry out {@code command} on it (TaskTerminate or
     * TaskCancel): at once when it runs here, else through its task agent.
     *
     * @throws IllegalStateException when no live worker holds it (its lease lapses and it comes back)
     */
    void tell(Task task, Command command, String message, String author) {
        String taskId = task.id();
        QueueDispatcher local = workers.dispatcher(task.queue());
        if (local != null && local.owner().equals(task.owner())
                && (command == Command.TaskCancel ? local.cancel(task.id(), message) : local.terminate(task.id()))) {
            return;
        }
        // a worker's owner name is "server/queue"
        String suffix = "/" + task.queue();
        String server = task.owner() != null && task.owner().endsWith(suffix)
                ? task.owner().substring(0, task.owner().length() - suffix.length()) : task.owner();
        List<Agent> agents = store.list(AgentFilter.builder().kind(AgentKind.Task).queueId(task.id()).build(), 1);
        String agentKey;
        if (!agents.isEmpty()) {
            agentKey = agents.get(0).id();
        } else {
            List<Agent> parents = store.list(AgentFilter.builder().kind(AgentKind.Queue).server(server).name(task.queue())
                    .statuses(List.of(AgentStatus.Initialized, AgentStatus.Running)).build(), 1);
            if (parents.isEmpty()) {
                throw new IllegalStateException("task '" + taskId + "' is held by '" + task.owner()
                        + "', which has no live worker for queue '" + task.queue() + "'; its lease expires and it comes back");
            }
            agentKey = UUID.randomUUID().toString();
            store.create(new NewAgent(agentKey, task.name(), AgentKind.Task, server, parents.get(0).id(),
                    task.id(), AgentStatus.Running, false));
        }
        store.sendCommand(agentKey, command, message, author);
    }

    /** The stored metric snapshots (one per worker and scheduler). */
    public List<MetricSnapshot> metrics() {
        return metrics.list();
    }
}
