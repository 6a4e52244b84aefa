package dev.kafru.admin;

import dev.kafru.Batch;
import dev.kafru.KafruQueue;
import dev.kafru.TaskRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /batches}: push tasks whose end is awaited as one, and follow their progress. */
@Path("batches")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "batches", description = "Tasks pushed together, with a task pushed when the last ends")
public class BatchesResource {

    @Inject
    KafruQueue queue;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Push a batch", description = "Stores every member and the completion task in one transaction (all or none); "
            + "the completion task is pushed once, when the last member ends.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.BatchInput.class), examples = @ExampleObject(name = "import", value = Examples.BATCH_INPUT)))
    @APIResponse(responseCode = "201", description = "stored; Location names it", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Batch.class), examples = @ExampleObject(name = "batch", value = Examples.BATCH)))
    @APIResponse(responseCode = "400", description = "no members, too many, or a member or onComplete that is not a valid task; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    @APIResponse(responseCode = "413", ref = ProblemResponses.BODY_TOO_LARGE)
    public Response push(InputStream body, @Context UriInfo uri, @Context SecurityContext security) {
        Query.of(uri);
        Fields f = Fields.of(JsonText.readObject(body), Set.of("members", "onComplete"));
        String author = Ids.user(security);
        Set<String> taskFields = Bodies.fieldsOf(Bodies.TaskInput.class);
        List<Fields> members = f.objects("members", taskFields, Batch.LIMIT);
        List<TaskRequest> requests = new ArrayList<>();
        if (members == null && !f.has("members")) {
            f.error("members", "members is required: give the tasks of the batch, e.g. [{\"handler\": \"import\"}]");
        } else if (members != null && members.isEmpty() && f.raw("members") instanceof List<?> given && given.isEmpty()) {
            f.error("members", "a batch needs at least one member: give the tasks of the batch");
        } else if (members != null) {
            members.forEach(m -> requests.add(TasksResource.request(m, author)));
        }
        Fields onComplete = f.nested("onComplete", taskFields);
        TaskRequest callback = onComplete == null ? null : TasksResource.request(onComplete, author);
        f.done();
        KafruQueue.BatchPush push = queue.batch(requests);
        Batch batch = callback == null ? push.push() : push.onComplete(callback);
        return Response.created(uri.getAbsolutePathBuilder().path(batch.id()).build())
                .type(MediaType.APPLICATION_JSON).entity(JsonText.write(batch)).build();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Read a batch", description = "How many members ended and how (done of total), and when the last ended.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Batch.class),
            examples = @ExampleObject(name = "batch", value = Examples.BATCH)))
    @APIResponse(responseCode = "404", description = "no such batch", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "not found", value = Examples.NO_SUCH_BATCH)))
    public Response get(@PathParam("id") String id, @Context UriInfo uri) {
        Query.of(uri);
        Batch batch = queue.getBatch(Ids.check(id)).orElseThrow(() -> ProblemException.notFound("batch", id));
        return Response.ok(JsonText.write(batch)).type(MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Path("{id}/tasks")
    @Operation(summary = "A batch's members", description = "In the order pushed; limit 1 to 1000 (default 100), offset 0 or more.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = dev.kafru.Task.class),
            examples = @ExampleObject(name = "members", value = "[" + Examples.TASK + "]")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_FILTER)
    @APIResponse(responseCode = "404", description = "no such batch", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "not found", value = Examples.NO_SUCH_BATCH)))
    public Response members(@PathParam("id") String id, @Context UriInfo uri) {
        Query query = Query.of(uri, "limit", "offset");
        int limit = query.integer("limit", 1, dev.kafru.store.TaskRepository.MAX_LIMIT, TasksResource.DEFAULT_LIMIT);
        int offset = query.integer("offset", 0, Batch.LIMIT, 0);
        String key = Ids.check(id);
        if (queue.getBatch(key).isEmpty()) {
            throw ProblemException.notFound("batch", id);
        }
        return Response.ok(JsonText.write(queue.batchMembers(key, limit, offset))).type(MediaType.APPLICATION_JSON).build();
    }
}
