package dev.kafru.store.surreal;

import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JUnit extension for a conformance test ({@code @RegisterExtension}): before each test a fresh
 * database with kafru's schema on the shared launcher; each {@link #connect()} is one more
 * server's connection, all closed after the test.
 */
final class FreshDatabase implements BeforeEachCallback, AfterEachCallback {

    private volatile SurrealSettings settings;
    private final List<RpcSurrealConnection> connections = new CopyOnWriteArrayList<>();

    @Override
    public void beforeEach(ExtensionContext context) {
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
    public void afterEach(ExtensionContext context) {
        connections.forEach(RpcSurrealConnection::close);
        connections.clear();
    }
}
