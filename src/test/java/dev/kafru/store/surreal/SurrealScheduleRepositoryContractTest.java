package dev.kafru.store.surreal;

import dev.kafru.store.ScheduleRepository;
import dev.kafru.store.ScheduleRepositoryContract;
import dev.kafru.store.TaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The schedule repository's contract on the real engine: a fresh database per test, one connection per server. */
class SurrealScheduleRepositoryContractTest extends ScheduleRepositoryContract {

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

    private RpcSurrealConnection connection() {
        RpcSurrealConnection connection = RpcSurrealConnection.open(database);
        connections.add(connection);
        return connection;
    }

    @Override
    protected ScheduleRepository schedules() {
        return new SurrealScheduleRepository(connection());
    }

    @Override
    protected TaskRepository tasks() {
        return new SurrealTaskRepository(connection());
    }
}
