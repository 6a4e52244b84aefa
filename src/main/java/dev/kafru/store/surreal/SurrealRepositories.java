package dev.kafru.store.surreal;

import dev.kafru.store.AgentRepository;
import dev.kafru.store.MetricRepository;
import dev.kafru.store.SurrealDatabase;
import dev.kafru.store.TaskRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

/**
 * The CDI producers of kafru's repositories on SurrealDB: components {@code @Inject} the
 * interfaces of {@code dev.kafru.store} and never build a store themselves.
 *
 * <p>Each repository reads {@link SurrealDatabase#connection()} at every call, as the components
 * did when each built its store on {@code database.connection()} where it needed one: the
 * connection is opened on first use, and nothing holds on to it past a call. Whether the schema
 * is applied is still the caller's to wait for ({@link SurrealDatabase#awaitSchema}).
 */
@ApplicationScoped
public class SurrealRepositories {

    @Inject
    SurrealDatabase database;

    // ------------------------------------------------------------------------------------------
    // tasks, agents, metrics (issue 15: the task/agent/metric half)
    // ------------------------------------------------------------------------------------------

    @Produces
    @ApplicationScoped
    TaskRepository tasks() {
        return new SurrealTaskRepository(database::connection);
    }

    @Produces
    @ApplicationScoped
    AgentRepository agents() {
        return new SurrealAgentRepository(database::connection);
    }

    @Produces
    @ApplicationScoped
    MetricRepository metrics() {
        return new SurrealMetricRepository(database::connection);
    }
}
