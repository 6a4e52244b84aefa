package dev.kafru.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An embedding application with its own authentication mechanism and
 * {@code kafru.admin.authentication=container}: its mechanism logs kafru's admin callers in,
 * kafru checks their roles, and kafru's own Basic users are off.
 */
@ExtendWith(ArquillianExtension.class)
class HostAuthenticationIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return EmbeddedAdminIT.host("host_auth_it", List.of("kafru.admin.authentication=container"), HostMechanism.class);
    }

    @ArquillianResource
    URL root;

    private AdminClient.Answer as(String user, String groups, String method, String path, String body) {
        AdminClient client = AdminClient.of(root, "unused", "unused").anonymous();
        return client.withHeaders(user == null ? java.util.Map.of() : java.util.Map.of("X-Host-User", user, "X-Host-Groups", groups))
                .send(method, path, body);
    }

    @Test
    void theApplicationsMechanismAuthenticatesAndKafruChecksTheRoles() {
        assertEquals(200, as(null, null, "GET", "api/hello", null).status(), "the host's own path");

        AdminClient.Answer ops = as("ops", "kafru-admin", "POST", "kafru/api/tasks", "{\"handler\": \"it-count\"}");
        assertEquals(201, ops.status(), ops.toString());
        AdminClient.Answer reader = as("reader", "kafru-viewer", "GET", "kafru/api/tasks", null);
        assertEquals(200, reader.status(), reader.toString());
        AdminClient.Answer readerWrites = as("reader", "kafru-viewer", "POST", "kafru/api/tasks", "{\"handler\": \"it-count\"}");
        assertEquals(403, readerWrites.status(), readerWrites.toString());
        assertTrue(readerWrites.isProblem());
        AdminClient.Answer stranger = as("guest", "staff", "GET", "kafru/api/tasks", null);
        assertEquals(403, stranger.status(), "a caller without a kafru role: " + stranger);
        AdminClient.Answer nobody = as(null, null, "GET", "kafru/api/tasks", null);
        assertEquals(401, nobody.status(), nobody.toString());
        assertTrue(nobody.isProblem());
        assertTrue(nobody.headers().firstValue("WWW-Authenticate").isEmpty(), "no Basic challenge kafru would not honour");

        AdminClient.Answer basic = AdminClient.of(root, "admin", EmbeddedAdminIT.PASSWORD).get("kafru/api/tasks");
        assertEquals(401, basic.status(), "kafru's own Basic users are off in container mode: " + basic);
    }
}
