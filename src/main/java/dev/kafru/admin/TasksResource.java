package dev.kafru.admin;

import dev.kafru.KafruAgents;
import dev.kafru.KafruQueue;
import dev.kafru.Pushed;
import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.TaskRepository;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
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
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.util.Map;

/** {@code /tasks}: enqueue, list, read, remove, retry, terminate and purge tasks. */
@Path("tasks")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "tasks", description = "Tasks in the queues")
public class TasksResource {

    /** Says whether a push stored a new task (true) or answered the task holding its unique key (false). */
    static final String CREATED_HEADER = "Kafru-Created";


    static final int DEFAULT_LIMIT = 100;
    static final int MAX_OFFSET = 10_000_000;

    @Inject
    KafruQueue queue;

    @Inject
    KafruAgents agents;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Enqueue a task", description = "Stores a Waiting task; the queue's workers start it when it is due.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.TaskInput.class),
            examples = @ExampleObject(name = "invoice", value = Examples.TASK_INPUT)))
    @APIResponse(responseCode = "200", description = "its uniqueKey is taken: the task holding it, nothing stored (Kafru-Created: false)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Task.class),
                    examples = @ExampleObject(name = "task", value = Examples.TASK)),
            headers = @Header(name = CREATED_HEADER, description = "false: nothing was stored", schema = @Schema(type = SchemaType.BOOLEAN)))
    @APIResponse(responseCode = "201", description = "stored; Location names it (Kafru-Created: true)",
            headers = @Header(name = CREATED_HEADER, description = "true: a new task was stored", schema = @Schema(type = SchemaType.BOOLEAN)),
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Task.class),
                    examples = @ExampleObject(name = "task", value = Examples.TASK)))
    @APIResponse(responseCode = "400", description = "malformed JSON, a wrong type, an unknown field or handler; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    @APIResponse(responseCode = "413", ref = ProblemResponses.BODY_TOO_LARGE)
    public Response enqueue(InputStream body, @Context UriInfo uri, @Context SecurityContext security) {
        Query.of(uri);
        Fields f = Fields.of(JsonText.readObject(body), Bodies.fieldsOf(Bodies.TaskInput.class));
        TaskRequest request = request(f, Ids.user(security));
        f.done();
        Pushed pushed = queue.pushIfAbsent(request);
        Task task = pushed.task();
        java.net.URI location = uri.getAbsolutePathBuilder().path(task.id()).build();
        Response.ResponseBuilder answer = pushed.created() ? Response.created(location)
                : Response.ok().header("Content-Location", location);
        return answer.header(CREATED_HEADER, String.valueOf(pushed.created()))
                .type(MediaType.APPLICATION_JSON).entity(JsonText.write(task)).build();
    }

    /** Tasks a body may chain after its task ({@code then}, {@code onFailure}), at each level. */
    static final int FOLLOWERS_PER_BODY = 20;

    /**
     * The request a task body describes (see {@link Bodies.TaskInput}), with the tasks chained after
     * it; problems are collected in {@code f}, named by their path ({@code then[0].handler}).
     */
    static TaskRequest request(Fields f, String author) {
        String handler = f.string("handler", 100);
        TaskRequest request = TaskRequest.of(handler).author(author);
        String q = f.string("queue", 100);
        if (q != null) {
            request.queue(q);
        }
        String name = f.string("name", 200);
        if (name != null) {
            request.name(name);
        }
        Map<String, Object> parameters = f.object("parameters");
        if (parameters != null) {
            request.parameters(parameters);
        }
        Integer priority = f.integer("priority", -TaskRequest.PRIORITY_LIMIT, TaskRequest.PRIORITY_LIMIT);
        if (priority != null) {
            request.priority(priority);
        }
        request.runAt(f.instant("runAt"));
        Integer maxAttempts = f.integer("maxAttempts", 1, TaskRequest.MAX_ATTEMPTS_LIMIT);
        if (maxAttempts != null) {
            request.maxAttempts(maxAttempts);
        }
        java.time.Duration timeout = f.duration("timeout", TaskRequest.TIMEOUT_LIMIT);
        if (timeout != null) {
            request.timeout(timeout);
        }
        request.uniqueKey(f.string("uniqueKey", TaskRequest.UNIQUE_KEY_LIMIT));
        request.uniqueFor(f.duration("uniqueFor", TaskRequest.UNIQUE_FOR_LIMIT));
        java.util.List<String> labels = f.strings("labels");
        if (labels != null) {
            try {
                TaskRequest.checkLabels(request.labels(labels).labels());
            } catch (dev.kafru.InvalidTaskException e) {
                f.error("labels", e.getMessage());
            }
        }
        if (handler == null && !f.has("handler")) {
            f.error("handler", "handler is required: give the @TaskName of the bean to run (GET /handlers lists them)");
        }
        java.util.Set<String> fields = Bodies.fieldsOf(Bodies.TaskInput.class);
        java.util.List<Fields> then = f.objects("then", fields, FOLLOWERS_PER_BODY);
        if (then != null) {
            then.forEach(next -> request.then(request(next, author)));
        }
        java.util.List<Fields> onFailure = f.objects("onFailure", fields, FOLLOWERS_PER_BODY);
        if (onFailure != null) {
            onFailure.forEach(next -> request.onFailure(request(next, author)));
        }
        return request;
    }

    @POST
    @Path("{id}/then")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Chain a task after a task", description = "The task in the body (same fields as POST /tasks) is pushed"
            + " once when this one completes, or at once when it has completed already.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.TaskInput.class), examples = @ExampleObject(name = "publish", value = Examples.FOLLOWER_INPUT)))
    @APIResponse(responseCode = "201", description = "chained (pushedAt set when it was pushed at once)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = dev.kafru.TaskLink.class),
                    examples = @ExampleObject(name = "follower", value = Examples.FOLLOWER)))
    @APIResponse(responseCode = "400", description = "the body is not a valid task; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    @APIResponse(responseCode = "409", description = "the task ended otherwise, or runs inside its push unit (the detail says which)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "conflict", value = Examples.CONFLICT)))
    @APIResponse(responseCode = "413", ref = ProblemResponses.BODY_TOO_LARGE)
    public Response then(@PathParam("id") String id, InputStream body, @Context UriInfo uri, @Context SecurityContext security) {
        return chain(id, body, uri, security, false);
    }

    @POST
    @Path("{id}/on-failure")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Chain a task after a task's failure", description = "The task in the body is pushed once when this one"
            + " ends Error or is cancelled, or at once when it has already.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.TaskInput.class), examples = @ExampleObject(name = "alert", value = Examples.FOLLOWER_INPUT)))
    @APIResponse(responseCode = "201", description = "chained (pushedAt set when it was pushed at once)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = dev.kafru.TaskLink.class),
                    examples = @ExampleObject(name = "follower", value = Examples.FOLLOWER)))
    @APIResponse(responseCode = "400", description = "the body is not a valid task; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    @APIResponse(responseCode = "409", description = "the task completed, or runs inside its push unit (the detail says which)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "conflict", value = Examples.CONFLICT)))
    @APIResponse(responseCode = "413", ref = ProblemResponses.BODY_TOO_LARGE)
    public Response onFailure(@PathParam("id") String id, InputStream body, @Context UriInfo uri, @Context SecurityContext security) {
        return chain(id, body, uri, security, true);
    }

    private Response chain(String id, InputStream body, UriInfo uri, SecurityContext security, boolean onFailure) {
        Query.of(uri);
        String key = Ids.check(id);
        Fields f = Fields.of(JsonText.readObject(body), Bodies.fieldsOf(Bodies.TaskInput.class));
        TaskRequest next = request(f, Ids.user(security));
        f.done();
        dev.kafru.TaskLink link = (onFailure ? queue.onFailure(key, next) : queue.then(key, next))
                .orElseThrow(() -> ProblemException.notFound("task", id));
        return Response.status(Response.Status.CREATED).type(MediaType.APPLICATION_JSON).entity(JsonText.write(link)).build();
    }

    @GET
    @Path("{id}/children")
    @Operation(summary = "Tasks chained after a task", description = "Each with when it is pushed (on: Completed or Failed) and when it was; "
            + "a child's own task is GET /tasks/{childId} once pushed.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = dev.kafru.TaskLink.class),
            examples = @ExampleObject(name = "children", value = Examples.CHILDREN)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    public Response children(@PathParam("id") String id, @Context UriInfo uri) {
        Query.of(uri);
        String key = Ids.check(id);
        if (queue.get(key).isEmpty()) {
            throw ProblemException.notFound("task", id);
        }
        return Response.ok(JsonText.write(queue.children(key))).type(MediaType.APPLICATION_JSON).build();
    }

    @GET
    @Operation(summary = "List tasks", description = "Oldest first, filtered by status, queue, handler, name, author and label.")
    @Parameter(name = "status", in = ParameterIn.QUERY, description = "Waiting, InProgress, Completed, Error or Cancelled", schema = @Schema(type = SchemaType.STRING, enumeration = {"Waiting", "InProgress", "Completed", "Error", "Cancelled"}))
    @Parameter(name = "queue", in = ParameterIn.QUERY, description = "queue name")
    @Parameter(name = "handler", in = ParameterIn.QUERY, description = "the @TaskName")
    @Parameter(name = "name", in = ParameterIn.QUERY, description = "the task's name, exactly")
    @Parameter(name = "author", in = ParameterIn.QUERY, description = "who pushed it, exactly: a user's name, or schedule:<name> (1 to 256 characters)")
    @Parameter(name = "label", in = ParameterIn.QUERY, description = "one of its labels, exactly (read from an index: fast on any number of tasks)")
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "1 to 1000", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "100"))
    @Parameter(name = "offset", in = ParameterIn.QUERY, description = "0 or more", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "0"))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = Task.class),
            examples = @ExampleObject(name = "tasks", value = "[" + Examples.TASK + "]")))
    @APIResponse(responseCode = "400", description = "unknown status, limit or offset out of range, unknown parameter",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    public Response list(@Context UriInfo uri) {
        Query query = Query.of(uri, "status", "queue", "handler", "name", "author", "label", "limit", "offset");
        TaskFilter filter = filter(query);
        int limit = query.integer("limit", 1, TaskRepository.MAX_LIMIT, DEFAULT_LIMIT);
        int offset = query.integer("offset", 0, MAX_OFFSET, 0);
        return ok(queue.list(filter, limit, offset));
    }

    @GET
    @Path("count")
    @Operation(summary = "Count tasks", description = "How many tasks match the filters of GET /tasks, counted up to cap: a count"
            + " equal to cap means at least that many (a count reads at most cap tasks, so it stays cheap on any table).")
    @Parameter(name = "status", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING, enumeration = {"Waiting", "InProgress", "Completed", "Error", "Cancelled"}))
    @Parameter(name = "queue", in = ParameterIn.QUERY)
    @Parameter(name = "handler", in = ParameterIn.QUERY)
    @Parameter(name = "name", in = ParameterIn.QUERY)
    @Parameter(name = "author", in = ParameterIn.QUERY, description = "who pushed it, exactly")
    @Parameter(name = "label", in = ParameterIn.QUERY, description = "one of its labels, exactly")
    @Parameter(name = "cap", in = ParameterIn.QUERY, description = "1 to 10000", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "10000"))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.Count.class),
            examples = @ExampleObject(name = "count", value = "{\"count\": 250, \"cap\": 10000, \"capped\": false}")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_FILTER)
    public Response count(@Context UriInfo uri) {
        Query query = Query.of(uri, "status", "queue", "handler", "name", "author", "label", "cap");
        TaskFilter filter = filter(query);
        int cap = query.integer("cap", 1, TaskRepository.COUNT_CAP, TaskRepository.COUNT_CAP);
        long count = queue.count(filter, cap);
        return ok(new Bodies.Count(count, cap, count >= cap));
    }

    private static TaskFilter filter(Query query) {
        String name = query.text("name");
        if (name != null && name.length() > 200) {
            throw ProblemException.invalid("name", "name is longer than 200 characters");
        }
        String author = query.text("author");
        if (author != null && author.length() > TaskRequest.AUTHOR_LIMIT) {
            throw ProblemException.invalid("author", "author is longer than " + TaskRequest.AUTHOR_LIMIT
                    + " characters: give a user's name or schedule:<name>, exactly as tasks show it");
        }
        String label = query.text("label");
        if (label != null && !TaskRequest.isLabel(label)) {
            throw ProblemException.invalid("label", "label '" + JsonText.abbreviate(label) + "' is not a label: use 1 to "
                    + TaskRequest.LABEL_LIMIT + " letters, digits, - _ . : /, e.g. tenant-7");
        }
        return new TaskFilter(query.enumeration("status", TaskStatus.class), query.name("queue"), query.name("handler"), name, author, label);
    }

    @DELETE
    @Writes
    @Operation(summary = "Purge tasks", description = "Removes every task with that status and queue (any when left out).")
    @Parameter(name = "status", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING, enumeration = {"Waiting", "InProgress", "Completed", "Error", "Cancelled"}))
    @Parameter(name = "queue", in = ParameterIn.QUERY)
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.Deleted.class), examples = @ExampleObject(name = "deleted", value = "{\"deleted\": 42}")))
    @APIResponse(responseCode = "400", description = "unknown status or parameter", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Response purge(@Context UriInfo uri) {
        Query query = Query.of(uri, "status", "queue");
        TaskStatus status = query.enumeration("status", TaskStatus.class);
        String q = query.name("queue");
        return ok(new Bodies.Deleted(queue.purge(status, q)));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Read a task")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Task.class), examples = @ExampleObject(name = "task", value = Examples.TASK)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    public Response get(@Parameter(description = "record key, with or without kafru_queues:") @PathParam("id") String id,
                        @Context UriInfo uri) {
        Query.of(uri);
        return ok(queue.get(Ids.check(id)).orElseThrow(() -> ProblemException.notFound("task", id)));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Remove a task", description = "A running task is not removed: terminate it first.")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    @APIResponse(responseCode = "409", description = "the task is running", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Response remove(@PathParam("id") String id, @Context UriInfo uri) {
        Query.of(uri);
        if (!queue.removeIdle(Ids.check(id))) {
            throw ProblemException.notFound("task", id);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/retry")
    @Operation(summary = "Retry a failed task", description = "An Error task goes back to Waiting, due now, attempts from 0.")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Task.class), examples = @ExampleObject(name = "task", value = Examples.TASK)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    @APIResponse(responseCode = "409", description = "the task is not in Error", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class), examples = @ExampleObject(name = "conflict", value = Examples.CONFLICT)))
    public Response retry(@PathParam("id") String id, @Context UriInfo uri) {
        Query.of(uri);
        return ok(queue.retry(Ids.check(id)).orElseThrow(() -> ProblemException.notFound("task", id)));
    }

    @POST
    @Path("{id}/terminate")
    @Operation(summary = "Terminate a running task", description = "Interrupts it wherever it runs; it ends Error with"
            + " \"task has been terminated\" within about a second.")
    @APIResponse(responseCode = "202", description = "the termination is under way; the task as it was",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Task.class),
                    examples = @ExampleObject(name = "task", value = Examples.TASK)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    @APIResponse(responseCode = "409", description = "the task is not running", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Response terminate(@PathParam("id") String id, @Context UriInfo uri, @Context SecurityContext security) {
        Query.of(uri);
        Task task = agents.terminateTask(Ids.check(id), "terminated through the admin API", Ids.user(security))
                .orElseThrow(() -> ProblemException.notFound("task", id));
        return Response.accepted(JsonText.write(task)).type(MediaType.APPLICATION_JSON).build();
    }

    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a task", description = "A Waiting task never runs and ends Cancelled at once (200); a running one"
            + " is interrupted wherever it runs and ends Cancelled within about a second (202, the task as it was).")
    @APIResponse(responseCode = "200", description = "cancelled", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Task.class), examples = @ExampleObject(name = "cancelled", value = Examples.TASK_CANCELLED)))
    @APIResponse(responseCode = "202", description = "the task runs; its cancel is under way", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Task.class),
            examples = @ExampleObject(name = "running", value = Examples.TASK_RUNNING)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_TASK)
    @APIResponse(responseCode = "409", description = "the task has finished (the detail names its status)",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response cancel(@PathParam("id") String id, @Context UriInfo uri, @Context SecurityContext security) {
        Query.of(uri);
        Task task = queue.cancel(Ids.check(id), Ids.user(security)).orElseThrow(() -> ProblemException.notFound("task", id));
        return (task.status() == dev.kafru.TaskStatus.Cancelled ? Response.ok() : Response.accepted())
                .entity(JsonText.write(task)).type(MediaType.APPLICATION_JSON).build();
    }

    static Response ok(Object value) {
        return Response.ok(JsonText.write(value), MediaType.APPLICATION_JSON).build();
    }
}
