package dev.kafru.surrealdb;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * A connection to SurrealDB, shared by all of kafru's threads. {@link RpcSurrealConnection}
 * speaks SurrealDB's RPC protocol over a WebSocket; another implementation (the JNI SDK where
 * it is available) can take its place.
 *
 * <p>Values are always bound as parameters: {@code query("SELECT * FROM kafru_queues WHERE
 * queue = $q", Map.of("q", name))}. Never build SurrealQL from values.
 */
public interface SurrealConnection extends AutoCloseable {

    /**
     * Runs one or more statements and returns each statement's result, in order.
     *
     * @throws SurrealException with SurrealDB's message when a statement fails;
     *                          {@link SurrealException#isConflict()} tells a retryable write conflict
     */
    default List<Object> query(String surql, Map<String, ?> vars) {
        return await(queryAsync(surql, vars));
    }

    /** {@link #query} without waiting; many may be in flight at once. */
    CompletableFuture<List<Object>> queryAsync(String surql, Map<String, ?> vars);

    /**
     * Starts a live query on a table. The listener runs on the connection's listener executor,
     * one notification at a time per subscription, so it should return quickly (hand real work
     * to an executor). The subscription survives reconnects: it is started again on the new
     * connection.
     */
    LiveSubscription live(String table, Consumer<LiveNotification> listener);

    /**
     * Starts a {@code LIVE SELECT …} statement (with bound variables), for notifications about
     * only the records that match its WHERE clause. Like {@link #live}, it survives reconnects.
     */
    LiveSubscription liveQuery(String liveSelect, Map<String, ?> vars, Consumer<LiveNotification> listener);

    /** True while a signed-in WebSocket is open. */
    boolean isConnected();

    /** Round trip to the server; throws when it cannot be reached. */
    void ping();

    @Override
    void close();

    /** A running live query; close it to stop it. */
    interface LiveSubscription extends AutoCloseable {
        @Override
        void close();
    }

    /** Waits for a future of this connection, unwrapping its {@link SurrealException}. */
    static <T> T await(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SurrealException surreal) {
                // a fresh exception, so the caller's stack shows where it waited
                throw new SurrealException(surreal.kind(), surreal.getMessage(), surreal.code(), surreal);
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new SurrealException(SurrealException.Kind.PROTOCOL, String.valueOf(cause), null, cause);
        }
    }
}
