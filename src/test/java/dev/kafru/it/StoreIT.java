package dev.kafru.it;

import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealDatabase;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** kafru.war on Payara Micro: it deploys, connects to SurrealDB with its MicroProfile Config and applies the schema. */
@ExtendWith(ArquillianExtension.class)
class StoreIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.kafru("store_it", StoreIT.class);
    }

    @Inject
    SurrealDatabase database;

    @Test
    void theDeployedWarConnectsAndAppliesTheSchema() {
        database.awaitSchema(Duration.ofSeconds(60));
        assertTrue(database.isConnected());
        assertTrue(database.isSchemaApplied());
        assertTrue(Schema.tables(database.connection()).containsAll(
                Set.of("kafru_queues", "kafru_schedules", "kafru_agents", "kafru_metrics")));
        // the connection uses the namespace and database from MicroProfile Config
        assertEquals(java.util.List.of("kafru_it", "store_it"),
                database.connection().query("RETURN [session::ns(), session::db()]", Map.of()).get(0));
    }
}
