package dev.kafru.store;

import java.time.Duration;

/**
 * The store's readiness, as kafru's components see it while they start and as the readiness
 * check reports it: backend-neutral, so that no component outside the backend's package names
 * it. The backend's bean implements it (on SurrealDB: {@code SurrealDatabase}).
 */
public interface StoreLifecycle {

    /** Opens the connection to the store if that has not happened yet; returns at once. */
    void open();

    /**
     * Waits until the store is ready for kafru (connected, schema applied).
     *
     * @throws StoreException when it is not ready within {@code timeout}
     */
    void awaitReady(Duration timeout);

    /** True once the store is ready for kafru (its schema applied). */
    boolean isReady();

    /** True while the connection to the store is open. */
    boolean isConnected();
}
