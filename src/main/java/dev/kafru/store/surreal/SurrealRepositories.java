package dev.kafru.store.surreal;

import dev.kafru.store.ScheduleRepository;
import dev.kafru.surrealdb.SurrealConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * The one place the container builds kafru's repositories on SurrealDB: components inject the
 * repository interfaces of {@code dev.kafru.store}, never a SurrealDB class. A second backend
 * would bring its own producer instead of this one.
 */
@ApplicationScoped
public class SurrealRepositories {

    /** How long a repository call waits for the schema on a server that is still starting. */
    private static final Duration SCHEMA_WAIT = Duration.ofSeconds(30);

    @Inject
    SurrealDatabase database;

    @Produces
    public ScheduleRepository schedules() {
        return new SurrealScheduleRepository(this::connection);
    }

    /**
     * The server's shared connection once the schema is applied, read on every repository call
     * rather than once, as the components did before they had repositories: SurrealDB 3 refuses
     * reads on tables that do not exist yet.
     */
    private SurrealConnection connection() {
        database.awaitSchema(SCHEMA_WAIT);
        return database.connection();
    }
}
