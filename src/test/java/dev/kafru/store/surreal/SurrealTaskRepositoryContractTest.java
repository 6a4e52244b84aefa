package dev.kafru.store.surreal;

import dev.kafru.store.TaskRepository;
import dev.kafru.store.TaskRepositoryContract;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The task repository's contract on the real engine (RocksDB, started by the shared launcher):
 * a fresh database per test, and one connection per {@link #repository()}, as servers have.
 */
class SurrealTaskRepositoryContractTest extends TaskRepositoryContract {

    private SurrealSettings database;
    private final List<RpcSurrealConnection> connections = new CopyOnWriteArrayList<>();

    @BeforeEach
    void freshDatabase() {
        database = SurrealLauncher.shared().freshDatabase();
        try (RpcSurrealConnection setup = RpcSurrealConnection.open(database)) {
            Schema.apply(setup);
        }
    }

    @AfterEach
    void closeConnections() {
        connections.forEach(RpcSurrealConnection::close);
        connections.clear();
    }

    @Override
    protected TaskRepository repository() {
        RpcSurrealConnection connection = RpcSurrealConnection.open(database);
        connections.add(connection);
        return new SurrealTaskRepository(connection);
    }
}
