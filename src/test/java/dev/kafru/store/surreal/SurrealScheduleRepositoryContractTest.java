package dev.kafru.store.surreal;

import dev.kafru.store.ScheduleRepository;
import dev.kafru.store.ScheduleRepositoryContract;
import dev.kafru.store.TaskRepository;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The schedule repository's contract on the real engine: a fresh database per test, one connection per server. */
class SurrealScheduleRepositoryContractTest extends ScheduleRepositoryContract {

    @RegisterExtension
    final FreshDatabase database = new FreshDatabase();

    @Override
    protected ScheduleRepository schedules() {
        return new SurrealScheduleRepository(database.connect());
    }

    @Override
    protected TaskRepository tasks() {
        return new SurrealTaskRepository(database.connect());
    }
}
