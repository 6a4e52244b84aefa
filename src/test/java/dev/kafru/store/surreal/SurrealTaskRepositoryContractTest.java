package dev.kafru.store.surreal;

import dev.kafru.store.TaskRepository;
import dev.kafru.store.TaskRepositoryContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The task repository's contract on the real engine (RocksDB, started by the shared launcher):
 * a fresh database per test, and one connection per {@link #repository()}, as servers have.
 */
class SurrealTaskRepositoryContractTest extends TaskRepositoryContract {

    private FreshDatabase database;

    @BeforeEach
    void freshDatabase() {
        database = new FreshDatabase();
    }

    @AfterEach
    void closeConnections() {
        database.close();
    }

    @Override
    protected TaskRepository repository() {
        return new SurrealTaskRepository(database.connect());
    }
}
