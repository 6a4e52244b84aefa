package dev.kafru;

/**
 * Thrown by a handler when trying again cannot help (bad input, a record that is gone): the task
 * ends Error at once, whatever attempts it had left.
 *
 * <pre>{@code
 * if (invoice == null) {
 *     throw new TaskFailedPermanently("invoice " + id + " does not exist");
 * }
 * }</pre>
 */
public class TaskFailedPermanently extends RuntimeException {

    public TaskFailedPermanently(String message) {
        super(message);
    }

    public TaskFailedPermanently(String message, Throwable cause) {
        super(message, cause);
    }
}
