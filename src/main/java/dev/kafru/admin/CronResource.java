package dev.kafru.admin;

import dev.kafru.KafruSchedules;
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
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code /cron/next}: checks a cron expression and time zone and gives the next fire times, so
 * that the dashboard's schedule form checks a cron as it is typed with kafru's own parser
 * (cron-utils) instead of a second cron implementation in the page.
 */
@Path("cron")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "schedules")
public class CronResource {

    @Inject
    KafruSchedules schedules;

    @GET
    @Path("next")
    @Operation(summary = "Check a cron expression", description = "Parses it as the scheduler does (Quartz 6-7 fields or Unix 5"
            + " fields) and gives its next fire times after now, computed in the time zone. Stores nothing.")
    @Parameter(name = "cron", in = ParameterIn.QUERY, required = true, example = "0 0 2 * * ?")
    @Parameter(name = "timeZone", in = ParameterIn.QUERY, description = "IANA zone", schema = @Schema(type = SchemaType.STRING, defaultValue = "UTC"))
    @Parameter(name = "count", in = ParameterIn.QUERY, description = "1 to 100", schema = @Schema(type = SchemaType.INTEGER, defaultValue = "5"))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.CronCheck.class),
            examples = @ExampleObject(name = "check", value = """
                    {"expression": "0 0 2 * * ?", "timeZone": "Europe/Berlin", "next": ["2026-11-29T01:00:00Z", "2026-11-30T01:00:00Z"]}""")))
    @APIResponse(responseCode = "400", description = "invalid cron (with the parser's reason), unknown time zone, count out of"
            + " range", content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
            examples = @ExampleObject(name = "invalid", value = """
                    {"type": "urn:kafru:problem:invalid-input", "title": "Invalid input", "status": 400,
                     "detail": "invalid cron expression '0 61 * * * ?': Value 61 not in range [0, 59]",
                     "invalidFields": [{"name": "cron", "reason": "invalid cron expression '0 61 * * * ?': Value 61 not in range [0, 59]"}]}""")))
    public Response next(@Context UriInfo uri) {
        Query query = Query.of(uri, "cron", "timeZone", "count");
        String cron = query.text("cron");
        if (cron != null && cron.length() > 200) {
            throw ProblemException.invalid("cron", "cron is longer than 200 characters");
        }
        String zone = query.text("timeZone") == null ? "UTC" : query.text("timeZone");
        if (zone.length() > 100) {
            throw ProblemException.invalid("timeZone", "timeZone is longer than 100 characters");
        }
        int count = query.integer("count", 1, KafruSchedules.MAX_FIRE_TIMES, 5);
        return TasksResource.ok(new Bodies.CronCheck(cron, zone, schedules.previewCron(cron, zone, count)));
    }
}
