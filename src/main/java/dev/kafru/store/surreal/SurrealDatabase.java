package dev.kafru.store.surreal;

import dev.kafru.config.ApplicationStopping;
import dev.kafru.config.ContainerExecutor;
import dev.kafru.config.Durations;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.surrealdb.SurrealException;
import dev.kafru.surrealdb.SurrealSettings;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Priority;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one SurrealDB connection of this server, opened when the application starts and closed
 * when it stops. The schema is applied as soon as the connection is first signed in; until
 * then {@link #isSchemaApplied()} is false and the readiness check says so.
 *
 * <p>Configuration (MicroProfile Config; environment variables as MP Config maps them, so the
 * crate's {@code KAFRU_DB_*} variables work): {@code kafru.db.url} (default
 * {@code ws://HOST:PORT/rpc} from {@code kafru.db.host} / {@code kafru.db.port}),
 * {@code kafru.db.username}, {@code kafru.db.password}, {@code kafru.db.namespace},
 * {@code kafru.db.name}, {@code kafru.db.request-timeout}.
 */
@ApplicationScoped
public class SurrealDatabase implements StoreLifecycle {

    private static final Logger LOG = Logger.getLogger(SurrealDatabase.class.getName());

    @Inject
    Config config;

    @Inject
    @ContainerExecutor
    ManagedScheduledExecutorService scheduler;

    @Inject
    @ContainerExecutor
    ManagedExecutorService executor;

    private volatile RpcSurrealConnection connection;
    private final CompletableFuture<Void> schemaApplied = new CompletableFuture<>();
    private volatile boolean stopped;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        connection();
    }

    /** The shared connection; opened on first use. */
    public SurrealConnection connection() {
        RpcSurrealConnection open = connection;
        if (open == null) {
            synchronized (this) {
                if (connection == null) {
                    SurrealSettings settings = settings(config);
                    LOG.info("kafru connects to SurrealDB at " + settings.url() + " as '" + settings.username()
                            + "', namespace '" + settings.namespace() + "', database '" + settings.database() + "'");
                    connection = RpcSurrealConnection.connect(settings, scheduler, executor);
                    scheduler.execute(this::applySchema);
                }
                open = connection;
            }
        }
        return open;
    }

    @Override
    public void open() {
        connection();
    }

    @Override
    public void awaitReady(Duration timeout) {
        try {
            awaitSchema(timeout);
        } catch (SurrealException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public boolean isReady() {
        return isSchemaApplied();
    }

    /** True once the schema has been applied on this server's connection. */
    public boolean isSchemaApplied() {
        return schemaApplied.isDone() && !schemaApplied.isCompletedExceptionally();
    }

    /** True while the connection is open and signed in. */
    @Override
    public boolean isConnected() {
        RpcSurrealConnection open = connection;
        return open != null && open.isConnected();
    }

    /** Waits until the schema is applied, so that reads and live queries can start. */
    public void awaitSchema(Duration timeout) {
        if (isSchemaApplied()) {
            return; // the common case, on every push: no future to copy and time
        }
        connection();
        // a copy times out, never the shared future: a caller that gives up must not make the
        // schema look failed to every later caller (and to /health/ready) once it is applied
        SurrealConnection.await(schemaApplied.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(
                        new SurrealException(SurrealException.Kind.TIMEOUT,
                                "kafru's schema was not applied within " + timeout.toMillis() + " ms: SurrealDB at "
                                        + connection.settings().url() + " is not reachable or refuses kafru's user"))));
    }

    private void applySchema() {
        if (stopped) {
            return;
        }
        try {
            connection.awaitReady(connection.settings().requestTimeout());
            Schema.apply(connection);
            schemaApplied.complete(null);
            LOG.info("kafru schema applied on " + connection.settings().url());
        } catch (SurrealException e) {
            if (e.kind() == SurrealException.Kind.AUTH) {
                LOG.severe("kafru cannot use SurrealDB: " + e.getMessage());
                return;
            }
            LOG.log(Level.WARNING, "kafru could not apply its schema yet (" + e.getMessage() + "); retrying in 2 s");
            if (!stopped) {
                scheduler.schedule(this::applySchema, 2, TimeUnit.SECONDS);
            }
        }
    }

    /** Closes the connection after every other observer has stopped using it. */
    void onStopping(@Observes @Priority(ApplicationStopping.LAST) ApplicationStopping event) {
        stop();
    }

    @PreDestroy
    void stop() {
        stopped = true;
        RpcSurrealConnection open = connection;
        if (open != null) {
            open.close();
        }
    }

    /** Reads the {@code kafru.db.*} keys, with the crate's defaults. */
    public static SurrealSettings settings(Config config) {
        String host = config.getOptionalValue("kafru.db.host", String.class).orElse(SurrealSettings.DEFAULT_HOST);
        int port = config.getOptionalValue("kafru.db.port", Integer.class).orElse(SurrealSettings.DEFAULT_PORT);
        URI url = config.getOptionalValue("kafru.db.url", String.class)
                .map(String::trim).filter(s -> !s.isEmpty())
                .map(SurrealDatabase::parseUrl)
                .orElseGet(() -> SurrealSettings.urlFor(host, port));
        Duration timeout = Durations.read(config, "kafru.db.request-timeout", null);
        return new SurrealSettings(url,
                config.getOptionalValue("kafru.db.username", String.class).orElse(SurrealSettings.DEFAULT_USERNAME),
                config.getOptionalValue("kafru.db.password", String.class).orElse(SurrealSettings.DEFAULT_PASSWORD),
                config.getOptionalValue("kafru.db.namespace", String.class).orElse(SurrealSettings.DEFAULT_NAMESPACE),
                config.getOptionalValue("kafru.db.name", String.class).orElse(SurrealSettings.DEFAULT_DATABASE),
                timeout, null, null);
    }

    private static URI parseUrl(String text) {
        try {
            URI url = URI.create(text);
            if (url.getPath() == null || url.getPath().isEmpty() || "/".equals(url.getPath())) {
                url = url.resolve("/rpc");
            }
            return url;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kafru.db.url '" + text + "' is not a URL; give ws://host:port/rpc", e);
        }
    }
}
