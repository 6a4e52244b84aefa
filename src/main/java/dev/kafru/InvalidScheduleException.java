package dev.kafru;

/**
 * A schedule that kafru refuses — invalid cron, unknown handler or time zone, until before
 * start… — naming the field at fault. Nothing was stored. It is an {@link InvalidTaskException},
 * so code (and the admin API) that handles bad task input handles bad schedules the same way.
 */
public class InvalidScheduleException extends InvalidTaskException {

    private static final long serialVersionUID = 1L;

    public InvalidScheduleException(String field, String message) {
        super(field, message);
    }
}
