package dev.kafru.observe;

import dev.kafru.store.surreal.SurrealDatabase;
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
    SurrealDatabase database;

    @Override
    public HealthCheckResponse call() {
        boolean connected = database.isConnected();
        boolean schema = database.isSchemaApplied();
        return HealthCheckResponse.named("kafru-surrealdb").status(connected && schema)
                .withData("connected", connected).withData("schemaApplied", schema).build();
    }
}
