package dev.kafru.store.surreal;

import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A fresh database with kafru's schema on the shared launcher, for a conformance test: each
 * {@link #connect()} is one more server's connection, all closed by {@link #close()}.
 */
final class FreshDatabase implements AutoCloseable {

    private final SurrealSettings settings;
    private final List<RpcSurrealConnection> connections = new CopyOnWriteArrayList<>();

    FreshDatabase() {
        settings = SurrealLauncher.shared().freshDatabase();
        try (RpcSurrealConnection setup = RpcSurrealConnection.open(settings)) {
            Schema.apply(setup);
        }
    }

    RpcSurrealConnection connect() {
        RpcSurrealConnection connection = RpcSurrealConnection.open(settings);
        connections.add(connection);
        return connection;
    }

    @Override
    public void close() {
        connections.forEach(RpcSurrealConnection::close);
        connections.clear();
    }
}
