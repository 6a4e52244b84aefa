package dev.kafru.observe;

import dev.kafru.store.StoreLifecycle;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when SurrealDB is reachable (the connection is open and signed in) and kafru's schema is applied. */
@Readiness
@ApplicationScoped
public class SurrealReadiness implements HealthCheck {

    @Inject
    StoreLifecycle storage;

    @Override
    public HealthCheckResponse call() {
        boolean connected = storage.isConnected();
        boolean schema = storage.isReady();
        return HealthCheckResponse.named("kafru-surrealdb").status(connected && schema)
                .withData("connected", connected).withData("schemaApplied", schema).build();
    }
}
