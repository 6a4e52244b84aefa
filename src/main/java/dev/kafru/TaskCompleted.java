package dev.kafru;

import java.time.Duration;

/**
 * A CDI event: a task's handler returned and its completion is stored. Fired on the server that
 * ran it, after the store has the outcome; an observer that throws changes nothing (it is logged).
 *
 * <pre>{@code
 * void onDone(@Observes TaskCompleted done) { audit.log(done.task().id() + " took " + done.took()); }
 * }</pre>
 *
 * @param task the task as it ran (status as it was claimed)
 * @param took how long the run took
 */
public record TaskCompleted(Task task, Duration took) {
}
