package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * A task chained after another ({@link TaskRequest#then}, {@link TaskRequest#onFailure}).
 *
 * @param id       the key its task has, once pushed
 * @param handler  its handler
 * @param queue    its queue
 * @param on       {@code Completed} (pushed when the parent completes) or {@code Failed} (when it ends Error or Cancelled)
 * @param pushedAt when it was pushed, or null while it waits for its parent
 */
@Schema(name = "TaskLink", description = "A task chained after another")
public record TaskLink(String id, String handler, String queue, String on, Instant pushedAt) {
}
