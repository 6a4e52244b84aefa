package dev.kafru.store;

import dev.kafru.Agent;
import dev.kafru.AgentFilter;
import dev.kafru.AgentStatus;
import dev.kafru.Command;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where agents live — queue workers, schedulers and running tasks of every server — with the
 * commands written on them and the cluster-wide pause flags of queues. Components
 * {@code @Inject} it.
 */
public interface AgentRepository {

    /** Removes every agent of a server (its old agents, at start); returns how many. */
    int purgeServer(String server);

    /** Ends a stopping server's live agents (Terminated). */
    void terminateServer(String server);

    /** Creates one agent. */
    void create(NewAgent agent);

    /** True when the queue is paused cluster-wide: a worker started for it starts paused. */
    boolean isQueuePaused(String queue);

    /** The queues paused cluster-wide. */
    Set<String> pausedQueues();

    /**
     * Records the pause flag of a queue (it outlives the queue's workers) and sets it on every
     * server's agent of that queue; returns how many of those agents are live.
     */
    int setQueuePaused(String queue, boolean paused);

    /**
     * Inserts the task agents of tasks that started and deletes those of tasks that ended, in
     * one request. An ended agent that received a command stays (it records the command's outcome).
     */
    CompletableFuture<Void> writeTaskAgents(List<NewAgent> started, List<String> endedKeys);

    /**
     * Renews the heartbeat of a server's live agents, and returns what that server must act on:
     * its agents with a command not yet carried out, and its queue agents.
     */
    List<Agent> heartbeat(String server);

    /**
     * Marks the live agents of other servers whose heartbeat is older than {@code expiry} as
     * Error, and deletes agents (and metric snapshots) not heard of for {@code forget}.
     *
     * @return how many agents were marked
     */
    int expire(String server, Duration expiry, Duration forget);

    /** Agents matching the filter, by server, kind and name, at most {@code limit}. */
    List<Agent> list(AgentFilter filter, int limit);

    Optional<Agent> get(String key);

    /** Writes a command on an agent (not yet executed); empty when there is no such agent. */
    Optional<Agent> sendCommand(String key, Command command, String message, String author);

    /** Records that an agent's command was carried out, with the agent's new status. */
    void commandExecuted(String key, AgentStatus status, String message);

    void setStatus(String key, AgentStatus status, String message);

    /** Removes a task from the queue (the TaskRemove command). */
    boolean removeTask(String taskKey);

    /**
     * Calls {@code listener} with a server's agents that have a command not yet carried out, or
     * that are queue agents (whose pause flag may change), whenever one is written.
     */
    Subscription onServerAgents(String server, Consumer<Agent> listener);
}
