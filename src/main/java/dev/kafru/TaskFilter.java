package dev.kafru;

/**
 * Which tasks a list or a count covers; a null field matches any task.
 *
 * <pre>{@code
 * queue.list(new TaskFilter(TaskStatus.Error, "mail", null, null), 100, 0);
 * }</pre>
 *
 * @param name the task's name, matched exactly
 */
public record TaskFilter(TaskStatus status, String queue, String handler, String name) {

    /** Every task. */
    public static final TaskFilter ANY = new TaskFilter(null, null, null, null);
}
