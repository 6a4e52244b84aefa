package dev.kafru.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /me}: who is logged in and whether they may change anything — so that the dashboard
 * shows a viewer no write controls instead of buttons that answer 403.
 */
@Path("me")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "session", description = "The caller")
public class MeResource {

    @GET
    @Operation(summary = "The caller", description = "The user name and whether they have role kafru-admin (may write).")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.Me.class),
            examples = @ExampleObject(name = "admin", value = "{\"user\": \"admin\", \"admin\": true}")))
    public Response me(@Context UriInfo uri, @Context SecurityContext security) {
        Query.of(uri);
        return TasksResource.ok(new Bodies.Me(Ids.user(security), security.isUserInRole(KafruUsers.ADMIN)));
    }
}
