package dev.kafru.store;

/**
 * A running watch on the store (a repository's {@code onChange}-style method); close it to stop
 * it. The store's own notion of a subscription stays behind it, so callers need no backend type.
 */
public interface Subscription extends AutoCloseable {

    /** Stops the watch; no exception, as there is nothing a caller could do about one. */
    @Override
    void close();
}
