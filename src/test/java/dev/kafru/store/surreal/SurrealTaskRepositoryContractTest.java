package dev.kafru.store.surreal;

import dev.kafru.store.TaskRepository;
import dev.kafru.store.TaskRepositoryContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The task repository's contract on the real engine (RocksDB, started by the shared launcher):
 * a fresh database per test, and one connection per {@link #repository()}, as servers have.
 */
class SurrealTaskRepositoryContractTest extends TaskRepositoryContract {

    @RegisterExtension
    final FreshDatabase database = new FreshDatabase();

    @Override
    protected TaskRepository repository() {
        return new SurrealTaskRepository(database.connect());
    }
}
