package dev.kafru.config;

import jakarta.interceptor.Interceptor;

/**
 * Fired once when the application is being stopped (undeploy, redeploy, server shutdown),
 * while its class loader still works. kafru's beans stop their work on it: workers hand their
 * tasks back, the scheduler and agents stop, and last the SurrealDB connection closes
 * ({@link jakarta.annotation.Priority} orders the observers).
 *
 * <p>Why not {@code @BeforeDestroyed(ApplicationScoped.class)} alone: on Payara the web
 * application's class loader is already stopped when CDI destroys the application's beans, so
 * a class first needed by a shutdown path cannot be loaded any more
 * ({@code IllegalStateException: This web container has not yet been started}, logged as
 * WELD-000019 on every redeploy). The servlet context is destroyed before that.
 */
public record ApplicationStopping() {

    /** Observers that release shared resources (the connection) run after the rest. */
    public static final int LAST = Interceptor.Priority.LIBRARY_AFTER + 1000;
}
