package dev.kafru.it;

import dev.kafru.surrealdb.RpcSurrealConnection;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code /health/ready} while SurrealDB answers but kafru's schema cannot be applied: the database
 * holds two schedules with one name, so the unique name index cannot be built and kafru retries
 * every 2 s. Ready is DOWN (connected, schema not applied) until the duplicate is gone.
 */
@ExtendWith(ArquillianExtension.class)
class ReadinessIT {

    static final String DATABASE = "readiness_it";

    @Deployment(testable = false)
    static WebArchive deployment() {
        // written before kafru starts: the deployment is built (here) before it is deployed
        try (RpcSurrealConnection db = RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", DATABASE))) {
            db.query("CREATE kafru_schedules:first SET name = 'twice'; CREATE kafru_schedules:second SET name = 'twice';", Map.of());
        }
        return Deployments.kafru(DATABASE);
    }

    @ArquillianResource
    URL root;

    @Test
    void readyIsDownUntilTheSchemaIsAppliedAndUpOnceItIs() throws Exception {
        HttpResponse<String> down = get("/health/ready");
        assertEquals(503, down.statusCode(), down.body());
        assertEquals("DOWN", check(down, "status"), down.body());
        assertEquals("false", check(down, "schemaApplied"), down.body());
        assertEquals("true", check(down, "connected"), "SurrealDB itself answers: " + down.body());
        // /health/live does not depend on the database
        assertEquals(200, get("/health/live").statusCode());

        try (RpcSurrealConnection db = RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", DATABASE))) {
            db.query("DELETE kafru_schedules:second", Map.of());
        }
        HttpResponse<String> up = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> get("/health/ready"), r -> r.statusCode() == 200);
        assertEquals("UP", check(up, "status"), up.body());
        assertEquals("true", check(up, "schemaApplied"), up.body());
    }

    /** The status, or a data field as text (Payara writes them as strings), of the kafru-surrealdb check. */
    private static String check(HttpResponse<String> health, String field) {
        try (var reader = jakarta.json.Json.createReader(new java.io.StringReader(health.body()))) {
            jakarta.json.JsonObject check = reader.readObject().getJsonArray("checks").stream().map(jakarta.json.JsonValue::asJsonObject)
                    .filter(c -> c.getString("name").equals("kafru-surrealdb")).findFirst()
                    .orElseThrow(() -> new AssertionError("no kafru-surrealdb check in " + health.body()));
            jakarta.json.JsonValue value = field.equals("status") ? check.get("status") : check.getJsonObject("data").get(field);
            return value instanceof jakarta.json.JsonString s ? s.getString() : String.valueOf(value);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = new URI(root.getProtocol(), null, root.getHost(), root.getPort(), null, null, null).resolve(path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
