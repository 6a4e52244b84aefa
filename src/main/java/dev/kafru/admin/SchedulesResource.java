package dev.kafru.admin;

import dev.kafru.KafruSchedules;
import dev.kafru.Schedule;
import dev.kafru.ScheduleFilter;
import dev.kafru.ScheduleRequest;
import dev.kafru.ScheduleStatus;
import dev.kafru.Task;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /schedules}: cron and one-time schedules, and running one now. */
@Path("schedules")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "schedules", description = "Cron and one-time schedules that push tasks")
public class SchedulesResource {

    private static final Set<String> CRON_FIELDS = Bodies.fieldsOf(Bodies.CronInput.class);

    @Inject
    KafruSchedules schedules;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Create a schedule", description = "Its first fire time is the cron's next occurrence (or nextSchedule).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.ScheduleInput.class),
            examples = @ExampleObject(name = "nightly", value = Examples.SCHEDULE_INPUT)))
    @APIResponse(responseCode = "201", description = "created; Location names it", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Schedule.class),
            examples = @ExampleObject(name = "schedule", value = Examples.SCHEDULE)))
    @APIResponse(responseCode = "400", description = "invalid cron (with the parser's reason), until before start, unknown"
            + " handler or zone, a name that is taken, malformed JSON, a wrong type or an unknown field; nothing stored",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    public Response create(InputStream body, @Context UriInfo uri) {
        Query.of(uri);
        Schedule created = schedules.create(request(body));
        return Response.created(uri.getAbsolutePathBuilder().path(created.id()).build())
                .type(MediaType.APPLICATION_JSON).entity(JsonText.write(created)).build();
    }

    @GET
    @Operation(summary = "List schedules")
    @Parameter(name = "status", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING, enumeration = {"Enabled", "Disabled"}))
    @Parameter(name = "queue", in = ParameterIn.QUERY)
    @Parameter(name = "handler", in = ParameterIn.QUERY)
    @Parameter(name = "name", in = ParameterIn.QUERY)
    @Parameter(name = "oneTime", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.BOOLEAN))
    @Parameter(name = "upcoming", in = ParameterIn.QUERY, description = "true: only those that will fire, soonest first", schema = @Schema(type = SchemaType.BOOLEAN))
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "1 to 1000", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "100"))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = Schedule.class),
            examples = @ExampleObject(name = "schedules", value = "[" + Examples.SCHEDULE + "]")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_FILTER)
    public Response list(@Context UriInfo uri) {
        Query q = Query.of(uri, "status", "queue", "handler", "name", "oneTime", "upcoming", "limit");
        String name = q.text("name");
        if (name != null && name.length() > 200) {
            throw ProblemException.invalid("name", "name is longer than 200 characters");
        }
        ScheduleFilter filter = ScheduleFilter.builder()
                .status(q.enumeration("status", ScheduleStatus.class))
                .queue(q.name("queue"))
                .handler(q.name("handler"))
                .name(name)
                .oneTime(q.bool("oneTime"))
                .upcoming(q.bool("upcoming"))
                .limit(q.integer("limit", 1, ScheduleFilter.MAX_LIMIT, ScheduleFilter.DEFAULT_LIMIT))
                .build();
        return TasksResource.ok(schedules.list(filter));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Read a schedule")
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schedule.class), examples = @ExampleObject(name = "schedule", value = Examples.SCHEDULE)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_SCHEDULE)
    public Response get(@Parameter(description = "record key, with or without kafru_schedules:") @PathParam("id") String id,
                        @Context UriInfo uri) {
        Query.of(uri);
        return TasksResource.ok(schedules.get(Ids.check(id)).orElseThrow(() -> ProblemException.notFound("schedule", id)));
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Replace a schedule", description = "Every field is replaced; the next fire time is computed again from now.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.ScheduleInput.class),
            examples = @ExampleObject(name = "nightly", value = Examples.SCHEDULE_INPUT)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Schedule.class), examples = @ExampleObject(name = "schedule", value = Examples.SCHEDULE)))
    @APIResponse(responseCode = "400", description = "as for create; nothing changed", content = @Content(
            mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_SCHEDULE)
    public Response replace(@PathParam("id") String id, InputStream body, @Context UriInfo uri) {
        Query.of(uri);
        ScheduleRequest request = request(body);
        return TasksResource.ok(schedules.update(Ids.check(id), request).orElseThrow(() -> ProblemException.notFound("schedule", id)));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Remove a schedule", description = "Tasks it already pushed stay.")
    @APIResponse(responseCode = "204", description = "removed")
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_SCHEDULE)
    public Response remove(@PathParam("id") String id, @Context UriInfo uri) {
        Query.of(uri);
        if (!schedules.remove(Ids.check(id))) {
            throw ProblemException.notFound("schedule", id);
        }
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/run")
    @Operation(summary = "Run a schedule now", description = "Pushes one task for the schedule now, as an occurrence would"
            + " (named after it, with its handler, queue and parameters), enabled or not; its next fire time stays.")
    @APIResponse(responseCode = "201", description = "the task pushed; Location names it", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Task.class),
            examples = @ExampleObject(name = "task", value = Examples.TASK)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_SCHEDULE)
    @APIResponse(responseCode = "409", description = "this application has no handler of the schedule's name; nothing pushed",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response runNow(@Parameter(description = "record key, with or without kafru_schedules:") @PathParam("id") String id,
                           @Context UriInfo uri) {
        Query.of(uri);
        Task task = schedules.runNow(Ids.check(id)).orElseThrow(() -> ProblemException.notFound("schedule", id));
        return Response.created(uri.getBaseUriBuilder().path("tasks").path(task.id()).build())
                .type(MediaType.APPLICATION_JSON).entity(JsonText.write(task)).build();
    }

    @GET
    @Path("{id}/next")
    @Operation(summary = "The next fire times", description = "Inside the schedule's window; none when it will not fire again.")
    @Parameter(name = "count", in = ParameterIn.QUERY, description = "1 to 100", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "5"))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = Instant.class),
            examples = @ExampleObject(name = "times", value = "[\"2026-11-29T01:00:00Z\", \"2026-11-30T01:00:00Z\"]")))
    @APIResponse(responseCode = "400", description = "count out of range", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "404", ref = ProblemResponses.NO_SUCH_SCHEDULE)
    public Response next(@PathParam("id") String id, @Context UriInfo uri) {
        int count = Query.of(uri, "count").integer("count", 1, KafruSchedules.MAX_FIRE_TIMES, 5);
        List<Instant> times = schedules.nextFireTimes(Ids.check(id), count);
        return TasksResource.ok(times);
    }

    private static ScheduleRequest request(InputStream body) {
        Fields f = Fields.of(JsonText.readObject(body), Bodies.fieldsOf(Bodies.ScheduleInput.class));
        String name = f.string("name", 200);
        String handler = f.string("handler", 100);
        String queue = f.string("queue", 100);
        Map<String, Object> parameters = f.object("parameters");
        String timeZone = f.string("timeZone", 100);
        Boolean oneTime = f.bool("oneTime");
        Instant start = f.instant("startSchedule");
        Instant until = f.instant("untilSchedule");
        Instant next = f.instant("nextSchedule");
        String status = f.string("status", 20);
        ScheduleStatus parsedStatus = null;
        if (status != null) {
            try {
                parsedStatus = Enums.parse("status", ScheduleStatus.class, status);
            } catch (ProblemException e) {
                f.error("status", e.problem().detail());
            }
        }
        Object cron = f.raw("cron");
        String cronText = null;
        ScheduleRequest.CronFields cronFields = null;
        if (cron instanceof String s) {
            cronText = s.length() > 200 ? f.error("cron", "cron is longer than 200 characters") : s;
        } else if (cron instanceof Map<?, ?> m) {
            cronFields = cronFields(f, m);
        } else if (cron != null) {
            f.error("cron", "cron must be a string such as \"0 0 2 * * ?\" or an object of cron fields, not " + Fields.kind(cron));
        }
        if (name == null && !f.has("name")) {
            f.error("name", "name is required: 1 to 200 characters, unique among schedules");
        }
        if (handler == null && !f.has("handler")) {
            f.error("handler", "handler is required: give the @TaskName of the bean to run (GET /handlers lists them)");
        }
        f.done();
        ScheduleRequest request = ScheduleRequest.of(name, handler);
        if (queue != null) {
            request.queue(queue);
        }
        if (parameters != null) {
            request.parameters(parameters);
        }
        if (cronText != null) {
            request.cron(cronText);
        } else if (cronFields != null) {
            request.cron(cronFields);
        }
        if (timeZone != null) {
            request.timeZone(timeZone);
        }
        if (oneTime != null) {
            request.oneTime(oneTime);
        }
        request.startSchedule(start).untilSchedule(until).nextSchedule(next);
        if (parsedStatus != null) {
            request.status(parsedStatus);
        }
        return request;
    }

    private static ScheduleRequest.CronFields cronFields(Fields f, Map<?, ?> m) {
        String[] values = new String[CRON_FIELDS.size()];
        int i = 0;
        for (String field : CRON_FIELDS) {
            Object v = m.get(field);
            if (v != null && !(v instanceof String) && !(v instanceof Long)) {
                f.error("cron." + field, "cron." + field + " must be a string such as \"*/5\", not " + Fields.kind(v));
            } else if (v != null && String.valueOf(v).length() > 60) {
                f.error("cron." + field, "cron." + field + " is longer than 60 characters");
            } else {
                values[i] = v == null ? null : String.valueOf(v);
            }
            i++;
        }
        for (Object key : m.keySet()) {
            if (!CRON_FIELDS.contains(String.valueOf(key))) {
                f.error("cron." + key, "unknown cron field '" + JsonText.abbreviate(String.valueOf(key)) + "': the fields are "
                        + String.join(", ", CRON_FIELDS));
            }
        }
        return new ScheduleRequest.CronFields(values[0], values[1], values[2], values[3], values[4], values[5], values[6]);
    }
}
