package dev.kafru.it;

import dev.kafru.testing.SurrealLauncher;
import jakarta.json.JsonObject;

import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checks that prove {@code target/kafru.war} works on an application server other than Payara
 * Micro (WildFly, Payara Server): one set, so that every server is held to the same behaviour.
 * The server runs kafru with {@link #environment(int)}: the test's SurrealDB launcher, a fixed admin
 * password and a viewer.
 */
final class ServerSmoke {

    static final String ADMIN_PASSWORD = "server-smoke-admin";
    static final String VIEWER = "viewer";
    static final String VIEWER_PASSWORD = "server-smoke-viewer";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final AdminClient admin;
    private final URI health;

    /**
     * @param application the root kafru's paths hang under ({@code …/kafru/api}, {@code …/kafru/})
     * @param health      the server's {@code /health/ready}
     */
    ServerSmoke(URL application, URI health) {
        this.admin = AdminClient.of(application, "admin", ADMIN_PASSWORD);
        this.health = health;
    }

    /**
     * kafru's configuration as environment variables, named as MicroProfile Config maps them — the
     * way a server that cannot be handed a properties file (a container image) configures it.
     */
    static Map<String, String> environment(int launcherPort) {
        return Map.of(
                "KAFRU_DB_HOST", "127.0.0.1",
                "KAFRU_DB_PORT", String.valueOf(launcherPort),
                "KAFRU_DB_USERNAME", SurrealLauncher.USER,
                "KAFRU_DB_PASSWORD", SurrealLauncher.PASSWORD,
                "KAFRU_DB_NAMESPACE", "kafru_it",
                "KAFRU_DB_NAME", "server_smoke_" + System.nanoTime(),
                "KAFRU_METRICS_INTERVAL", "1s",
                "KAFRU_ADMIN_PASSWORD", ADMIN_PASSWORD,
                "KAFRU_USERS", VIEWER + ":kafru-viewer:" + VIEWER_PASSWORD);
    }

    /** The admin API refuses the anonymous (401) and a viewer's write (403), and takes the admin's. */
    void adminApiIsClosedToAllButItsRoles() {
        AdminClient.Answer anonymous = admin.anonymous().get("kafru/api/handlers");
        assertEquals(401, anonymous.status(), anonymous.toString());
        assertTrue(anonymous.isProblem(), anonymous.toString());
        AdminClient viewer = admin.as(VIEWER, VIEWER_PASSWORD);
        AdminClient.Answer read = viewer.get("kafru/api/handlers");
        assertEquals(200, read.status(), read.toString());
        assertTrue(read.body().contains("\"hello\""), read.toString());
        AdminClient.Answer write = viewer.post("kafru/api/tasks", "{\"handler\": \"hello\"}");
        assertEquals(403, write.status(), write.toString());
        assertTrue(write.isProblem(), write.toString());
    }

    /** A task pushed through the admin API runs to Completed on the server's executor. */
    void aPushedTaskRuns() {
        // kafru.war's sample pushes a hello task for "kafru" at start, only with kafru.sample.enabled=true
        assertTrue(admin.get("kafru/api/tasks?handler=hello").array().stream()
                .noneMatch(t -> t.asJsonObject().getJsonObject("parameters").getString("name", "").equals("kafru")),
                "kafru.war pushed its sample task unasked");
        AdminClient.Answer pushed = admin.post("kafru/api/tasks", "{\"handler\": \"hello\", \"parameters\": {\"name\": \"smoke\"}}");
        assertEquals(201, pushed.status(), pushed.toString());
        String id = pushed.object().getString("id");
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> admin.get("kafru/api/tasks/" + AdminClient.segment(id)).object(), t -> "Completed".equals(t.getString("status")));
    }

    /** An every-second schedule fires on the server's scheduled executor, and its task completes. */
    void aScheduleFires() {
        String name = "smoke-every-second";
        AdminClient.Answer created = admin.post("kafru/api/schedules",
                "{\"name\": \"" + name + "\", \"handler\": \"hello\", \"cron\": \"* * * * * ?\"}");
        assertEquals(201, created.status(), created.toString());
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.get("kafru/api/tasks?status=Completed&limit=1000").array().stream()
                        .map(t -> (JsonObject) t).anyMatch(t -> name.equals(t.getString("name", ""))));
        String id = created.object().getString("id");
        assertEquals(204, admin.delete("kafru/api/schedules/" + AdminClient.segment(id)).status());
    }

    /** The dashboard is served beside the API. */
    void dashboardIsServed() {
        AdminClient.Answer page = admin.anonymous().get("kafru/");
        assertEquals(200, page.status(), page.toString());
        assertTrue(page.body().contains("app.mjs"), page.toString());
    }

    /** {@code /health/ready} is UP with kafru's SurrealDB check in it. */
    void readinessReportsSurrealDbUp() {
        AdminClient.Answer ready = AdminClient.getAnonymously(health);
        assertEquals(200, ready.status(), ready.toString());
        JsonObject check = ready.object().getJsonArray("checks").stream().map(c -> (JsonObject) c)
                .filter(c -> "kafru-surrealdb".equals(c.getString("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no kafru-surrealdb check in " + ready));
        assertEquals("UP", check.getString("status"), ready.toString());
    }

    /** kafru's own metric snapshots (stored in SurrealDB, served by the admin API) exist on any server. */
    void storedMetricsAreServed() {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.get("kafru/api/metrics").array().size() > 0);
    }
}
