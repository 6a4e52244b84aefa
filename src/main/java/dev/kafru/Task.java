package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

/**
 * A task as stored in {@code kafru_queues}.
 *
 * @param id          the record key (without the table)
 * @param name        a label for people; defaults to the handler name
 * @param queue       the queue it waits in
 * @param handler     the {@link TaskName} of the bean that runs it
 * @param parameters  the handler's input, a JSON object
 * @param status      where it is in its life
 * @param message     why it failed, or what the last failed attempt said
 * @param priority    higher runs first among due tasks of a queue
 * @param runAt       not before this time
 * @param attempts    attempts started so far
 * @param maxAttempts attempts allowed before it ends Error
 * @param owner       the server holding it while InProgress
 * @param leaseUntil  when the owner's claim lapses unless renewed
 */
@Schema(name = "Task", description = "A task as stored in kafru_queues; times are ISO-8601 UTC")
public record Task(String id, String name, String queue, String handler, Map<String, Object> parameters,
                   TaskStatus status, String message, int priority, Instant runAt, int attempts, int maxAttempts,
                   String owner, Instant leaseUntil, Instant dateCreated, Instant dateModified,
                   Instant startedAt, Instant finishedAt) {
}
