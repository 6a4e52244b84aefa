package dev.kafru;

/**
 * A CDI event: a task ended for good without completing — {@code Error} after its last attempt (or
 * {@link TaskFailedPermanently}, a time-out on the last attempt, a terminate) or {@code Cancelled} —
 * and that is stored. Fired once per task, on the server that ran it, after its last {@link TaskFailed}.
 *
 * @param task    the task as it ran
 * @param status  Error or Cancelled
 * @param message why
 */
public record TaskEnded(Task task, TaskStatus status, String message) {
}
