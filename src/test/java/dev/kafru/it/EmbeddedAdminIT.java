package dev.kafru.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ArchivePath;
import org.jboss.shrinkwrap.api.Node;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.File;
import java.net.URL;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafru-classes.jar embedded in another application's WAR, which has its own JAX-RS application
 * with an empty getClasses() (so it picks up every resource it finds, kafru's too): the host's
 * paths get no authentication from kafru, and kafru's resources stay closed wherever they show up.
 */
@ExtendWith(ArquillianExtension.class)
class EmbeddedAdminIT {

    static final String PASSWORD = "embedded-pw";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return host("embedded_it", List.of());
    }

    /** A host WAR: its own JAX-RS application and resource, kafru-classes.jar and its jars, the given classes. */
    static WebArchive host(String name, List<String> moreConfig, Class<?>... classes) {
        WebArchive host = ShrinkWrap.create(WebArchive.class, name + ".war")
                .addClasses(HostApi.class, HostResource.class, CountingTask.class)
                .addClasses(classes)
                .addAsLibrary(new File("target/kafru-classes.jar"))
                .addAsWebInfResource(new StringAsset("<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\""
                        + " bean-discovery-mode=\"annotated\"/>"), "beans.xml");
        WebArchive kafru = ShrinkWrap.createFromZipFile(WebArchive.class, new File(System.getProperty("kafru.war", "target/kafru.war")));
        for (Map.Entry<ArchivePath, Node> entry : kafru.getContent().entrySet()) {
            String path = entry.getKey().get();
            if (path.startsWith("/WEB-INF/lib/") && path.endsWith(".jar")) {
                host.add(entry.getValue().getAsset(), path);
            }
        }
        host.addAsResource(new StringAsset(String.join("\n",
                Deployments.databaseConfig(name),
                "kafru.admin.password=" + PASSWORD,
                String.join("\n", moreConfig),
                "")), "META-INF/microprofile-config.properties");
        return host;
    }

    @ArquillianResource
    URL root;

    @Test
    void theHostsPathsAreLeftAloneAndKafrusStayClosedWhereverTheyAreServed() {
        AdminClient admin = AdminClient.of(root, "admin", PASSWORD);

        AdminClient.Answer hello = admin.anonymous().get("api/hello");
        assertEquals(200, hello.status(), hello.toString());
        assertEquals("hello from the host", hello.body());
        AdminClient.Answer helloWithBadCredentials = admin.as("admin", "wrong").get("api/hello");
        assertEquals(200, helloWithBadCredentials.status(), "kafru's Basic mechanism does not act on the host's paths");
        AdminClient.Answer missing = admin.anonymous().get("api/nowhere");
        assertEquals(404, missing.status());
        assertFalse(missing.isProblem(), "the host's own errors are not turned into kafru problems: " + missing);

        AdminClient.Answer refused = admin.anonymous().get("kafru/api/handlers");
        assertEquals(401, refused.status(), refused.toString());
        assertTrue(refused.isProblem());
        AdminClient.Answer handlers = admin.get("kafru/api/handlers");
        assertEquals(200, handlers.status(), handlers.toString());
        assertTrue(handlers.body().contains("it-count"), handlers.toString());

        // the host's application (an empty getClasses()) picks kafru's resources up under its own path and
        // serves them there (seen on Payara Micro 6.2025.10): they answer, closed, with kafru's 401 problem —
        // to kafru's own users too, since kafru's Basic mechanism logs nobody in outside /kafru/
        int tasksBefore = admin.get("kafru/api/tasks?limit=1000").array().size();
        for (AdminClient client : List.of(admin.anonymous(), admin)) {
            AdminClient.Answer read = client.get("api/tasks");
            AdminClient.Answer write = client.post("api/tasks", "{\"handler\": \"it-count\"}");
            for (AdminClient.Answer answer : List.of(read, write)) {
                assertEquals(401, answer.status(), "kafru's resource served by the host's application, and closed: " + answer);
                assertTrue(answer.isProblem(), "the refusal is kafru's own problem, so the resource itself answered: " + answer);
                assertEquals(401, answer.object().getInt("status"), answer.toString());
                assertFalse(answer.body().contains("dateCreated"), answer.toString());
            }
        }
        assertEquals(tasksBefore, admin.get("kafru/api/tasks?limit=1000").array().size(), "nothing stored through the host's path");

        AdminClient.Answer pushed = admin.post("kafru/api/tasks", "{\"handler\": \"it-count\"}");
        assertEquals(201, pushed.status(), pushed.toString());

        // the dashboard comes from the jar's META-INF/resources, its modules typed by the jar's web-fragment
        AdminClient.Answer page = admin.anonymous().get("kafru/");
        assertEquals(200, page.status(), page.toString());
        assertTrue(page.body().contains("app.mjs"), page.toString());
        AdminClient.Answer script = admin.anonymous().get("kafru/app.mjs");
        assertEquals(200, script.status());
        assertTrue(script.contentType().startsWith("text/javascript"), script.contentType());
    }
}
