package dev.kafru.store.surreal;

import dev.kafru.surrealdb.SurrealConnection;

import java.util.function.Supplier;

/**
 * What the SurrealDB repositories share: the connection, read at each call (the CDI producer
 * passes {@code database::connection}, which opens it on first use), so that nothing holds on
 * to a connection past a call (see {@link SurrealRepositories}).
 */
abstract class SurrealRepository {

    private final Supplier<SurrealConnection> connection;

    SurrealRepository(Supplier<SurrealConnection> connection) {
        this.connection = connection;
    }

    /** The connection for this call. */
    final SurrealConnection db() {
        return connection.get();
    }
}
