package dev.kafru.admin;

import dev.kafru.KafruAgents;
import dev.kafru.KafruQueue;
import dev.kafru.QueueInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** {@code /queues}: per-queue counts, workers, the cluster-wide pause, and retrying a queue's failed tasks. */
@Path("queues")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "queues", description = "Queues across the cluster")
public class QueuesResource {

    @Inject
    KafruQueue queue;

    @Inject
    KafruAgents agents;

    @GET
    @Operation(summary = "Every queue", description = "Every queue ever used: counts by status (each counted up to countCap; a count"
            + " equal to it means at least that many), threads and running tasks of its live workers, paused.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = QueueInfo.class),
            examples = @ExampleObject(name = "queues", value = """
                    [{"queue": "default", "counts": {"Waiting": 3, "InProgress": 2, "Completed": 1000, "Error": 1, "Cancelled": 0},
                      "countCap": 1000, "threads": 5, "running": 2, "paused": false, "servers": ["node-1"],
                      "unservedHandlers": {"send-sms": 12}}]""")))
    public Response list(@Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(queue.queues());
    }

    @GET
    @Path("throughput")
    @Operation(summary = "Throughput per minute", description = "Attempts that completed and that failed (retried or ended"
            + " Error), per queue and minute, summed over servers, for the last `minutes` minutes. Kept two hours; written"
            + " by each server with its metric snapshots (kafru.metrics.interval), so the current minute lags a little.")
    @Parameter(name = "minutes", in = ParameterIn.QUERY, description = "1 to 120", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "60"))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.Throughput.class),
            examples = @ExampleObject(name = "throughput", value = """
                    {"from": "2026-11-28T17:01:00Z", "to": "2026-11-28T18:00:00Z",
                     "minutes": [{"queue": "default", "minute": "2026-11-28T17:59:00Z", "completed": 5800, "failed": 3}]}""")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_FILTER)
    public Response throughput(@Context UriInfo uri) {
        int minutes = Query.of(uri, "minutes").integer("minutes", 1, 120, 60);
        Instant to = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Instant from = to.minus(minutes - 1L, ChronoUnit.MINUTES);
        return TasksResource.ok(new Bodies.Throughput(from, to, queue.throughputSince(from)));
    }

    @POST
    @Path("{queue}/pause")
    @Operation(summary = "Pause a queue", description = "Every server stops claiming on it (running tasks go on); it stays"
            + " paused while no worker of it runs, until resumed.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.PauseResult.class),
            examples = @ExampleObject(name = "result", value = "{\"queue\": \"mail\", \"paused\": true, \"workers\": 2}")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.NOT_A_QUEUE_NAME)
    public Response pause(@PathParam("queue") String name, @Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(new Bodies.PauseResult(name, true, agents.pauseQueue(Query.checkName("queue", name))));
    }

    @POST
    @Path("{queue}/retry-failed")
    @Operation(summary = "Retry every failed task of a queue", description = "Every task of the queue that ended Error before"
            + " the call goes back to Waiting, due now, attempts from 0 (POST /tasks/{id}/retry for each), 500 per transaction."
            + " GET /tasks/count?status=Error&queue= tells how many that will be.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.Retried.class),
            examples = @ExampleObject(name = "result", value = "{\"retried\": 17}")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.NOT_A_QUEUE_NAME)
    public Response retryFailed(@PathParam("queue") String name, @Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(new Bodies.Retried(queue.retryFailed(Query.checkName("queue", name))));
    }

    @POST
    @Path("{queue}/resume")
    @Operation(summary = "Resume a queue", description = "Every server claims on it again.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.PauseResult.class),
            examples = @ExampleObject(name = "result", value = "{\"queue\": \"mail\", \"paused\": false, \"workers\": 2}")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.NOT_A_QUEUE_NAME)
    public Response resume(@PathParam("queue") String name, @Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(new Bodies.PauseResult(name, false, agents.resumeQueue(Query.checkName("queue", name))));
    }
}
