package dev.kafru.store;

/**
 * A store could not do what a repository was asked: unreachable, timed out, or refused the
 * statement. Repositories throw this instead of their backend's own exception, so that callers
 * (the admin API's 503, start-up retries, a worker's log level) never name a backend type.
 */
public class StoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean isTransient;

    public StoreException(String message, boolean isTransient, Throwable cause) {
        super(message, cause);
        this.isTransient = isTransient;
    }

    /** True when trying again later may succeed (the store was unreachable or slow), false for a refused request. */
    public boolean isTransient() {
        return isTransient;
    }
}
