package dev.kafru;

/**
 * A CDI event: an attempt failed and its outcome is stored — one per failed attempt. When
 * {@code willRetry} is false this was the last one and a {@link TaskEnded} follows.
 *
 * @param task      the task as it ran ({@code task.attempts()} is this attempt)
 * @param failure   what it threw (class, message, bounded stack trace), as the task's history keeps it
 * @param willRetry whether the task runs again
 */
public record TaskFailed(Task task, TaskFailure failure, boolean willRetry) {
}
