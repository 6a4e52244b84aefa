package dev.kafru.store.surreal;

import dev.kafru.store.AgentRepository;
import dev.kafru.store.MetricRepository;
import dev.kafru.store.ScheduleRepository;
import dev.kafru.store.TaskRepository;
import dev.kafru.surrealdb.SurrealConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * The one place the container builds kafru's repositories on SurrealDB: components
 * {@code @Inject} the interfaces of {@code dev.kafru.store} and never build a store or touch a
 * SurrealDB class themselves. A second backend would bring its own producer instead of this one.
 *
 * <p>Each repository reads {@link SurrealDatabase#connection()} at every call, as the components
 * did when each built its store on {@code database.connection()} where it needed one: the
 * connection is opened on first use, and nothing holds on to it past a call. Task, agent and
 * metric callers wait for the schema themselves ({@link SurrealDatabase#awaitReady}) where
 * they start; schedule calls wait for it on every call. Every repository fails with the SPI's
 * {@code StoreException}, never the client's ({@link StoreErrors}).
 */
@ApplicationScoped
public class SurrealRepositories {

    /** How long a schedule repository call waits for the schema on a server that is still starting. */
    private static final Duration SCHEMA_WAIT = Duration.ofSeconds(30);

    @Inject
    SurrealDatabase database;

    @Produces
    @ApplicationScoped
    TaskRepository tasks() {
        return StoreErrors.translating(TaskRepository.class, new SurrealTaskRepository(database::connection));
    }

    @Produces
    @ApplicationScoped
    AgentRepository agents() {
        return StoreErrors.translating(AgentRepository.class, new SurrealAgentRepository(database::connection));
    }

    @Produces
    @ApplicationScoped
    MetricRepository metrics() {
        return StoreErrors.translating(MetricRepository.class, new SurrealMetricRepository(database::connection));
    }

    @Produces
    public ScheduleRepository schedules() {
        return StoreErrors.translating(ScheduleRepository.class, new SurrealScheduleRepository(this::schemaReadyConnection));
    }

    /**
     * The server's shared connection once the schema is applied, read on every call rather than
     * once: SurrealDB 3 refuses reads on tables that do not exist yet.
     */
    private SurrealConnection schemaReadyConnection() {
        database.awaitSchema(SCHEMA_WAIT);
        return database.connection();
    }
}
