package dev.kafru.admin;

import dev.kafru.KafruAgents;
import dev.kafru.KafruQueue;
import dev.kafru.store.MetricSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.util.TreeSet;

/** {@code /handlers} and {@code /metrics}: what this server can run, and the stored metric snapshots. */
@Path("")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "observe", description = "Handlers and metric snapshots")
public class ObservedResources {

    @Inject
    KafruQueue queue;

    @Inject
    KafruAgents agents;

    @GET
    @Path("handlers")
    @Operation(summary = "Registered handlers", description = "The @TaskName of every TaskHandler bean of this application.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = String.class),
            examples = @ExampleObject(name = "handlers", value = "[\"hello\", \"send-invoice\"]")))
    public Response handlers(@Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(new TreeSet<>(queue.handlers()));
    }

    @GET
    @Path("metrics")
    @Operation(summary = "Metric snapshots", description = "One row per worker and scheduler of every server: running tasks and threads.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = MetricSnapshot.class),
            examples = @ExampleObject(name = "snapshots", value = """
                    [{"name": "node-1/default", "kind": "Worker", "numAliveTasks": 2, "numWorkers": 5,
                      "timestamp": "2026-11-28T18:00:00Z"}]""")))
    public Response metrics(@Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(agents.metrics());
    }
}
