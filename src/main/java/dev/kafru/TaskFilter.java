package dev.kafru;

/**
 * Which tasks a list or a count covers; a null field matches any task.
 *
 * <pre>{@code
 * queue.list(new TaskFilter(TaskStatus.Error, "mail", null, null), 100, 0);
 * }</pre>
 *
 * @param name   the task's name, matched exactly
 * @param author who pushed it (a principal's name, or {@code schedule:<name>}), matched exactly
 */
public record TaskFilter(TaskStatus status, String queue, String handler, String name, String author) {

    /** Every task. */
    public static final TaskFilter ANY = new TaskFilter(null, null, null, null, null);

    /** A filter on status, queue, handler and name, any author. */
    public TaskFilter(TaskStatus status, String queue, String handler, String name) {
        this(status, queue, handler, name, null);
    }
}
