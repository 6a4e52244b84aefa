package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;

/**
 * A row of {@code kafru_agents}: a queue worker, a scheduler or a running task on one server.
 *
 * @param id               the record key
 * @param parentId         for a task, its worker's agent key
 * @param queueId          for a task, its {@code kafru_queues} record key
 * @param command          the last command sent to it, if any
 * @param commandIsExecuted true once the owning server carried the command out
 * @param paused           for a queue agent, whether claiming on that queue is paused (cluster-wide)
 */
@Schema(name = "Agent", description = "A queue worker, scheduler or running task on one server (kafru_agents)")
public record Agent(String id, String name, AgentKind kind, AgentStatus status, String server, String parentId,
                    String queueId, Command command, boolean commandIsExecuted, String author, String message,
                    boolean paused, Instant heartbeat, Instant dateCreated, Instant dateModified) {
}
