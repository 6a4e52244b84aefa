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
 * @param label  one of its {@link TaskRequest#labels labels}, matched exactly (read from an index: fast over any number of tasks)
 */
public record TaskFilter(TaskStatus status, String queue, String handler, String name, String author, String label) {

    /** Every task. */
    public static final TaskFilter ANY = new TaskFilter(null, null, null, null, null, null);

    /** A filter on status, queue, handler, name and author, any label. */
    public TaskFilter(TaskStatus status, String queue, String handler, String name, String author) {
        this(status, queue, handler, name, author, null);
    }

    /** A filter on status, queue, handler and name, any author. */
    public TaskFilter(TaskStatus status, String queue, String handler, String name) {
        this(status, queue, handler, name, null, null);
    }

    /** This filter, also on a label. */
    public TaskFilter withLabel(String label) {
        return new TaskFilter(status, queue, handler, name, author, label);
    }
}
