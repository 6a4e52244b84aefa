package dev.kafru.admin;

import jakarta.annotation.security.DeclareRoles;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.Components;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.info.License;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

import java.util.Set;

/**
 * kafru's admin API at {@code /kafru/api}. It lists its classes itself, so that it serves
 * kafru's resources only, and kafru's exception mappers apply to nothing else. Its OpenAPI
 * components hold the problem responses that several operations share ({@link ProblemResponses}).
 */
@ApplicationPath("kafru/api")
@DeclareRoles({KafruUsers.ADMIN, KafruUsers.VIEWER})
@OpenAPIDefinition(
        info = @Info(title = "kafru admin API", version = "0.1.0",
                description = "Tasks, queues, schedules, agents and metrics of kafru, a task queue and cron scheduler for"
                        + " Jakarta EE. Reads need role kafru-viewer or kafru-admin, writes kafru-admin (HTTP Basic)."
                        + " Every error is application/problem+json.",
                license = @License(name = "MIT")),
        security = @SecurityRequirement(name = "basic"),
        components = @Components(responses = {
                @APIResponse(name = ProblemResponses.NO_SUCH_TASK, description = "no such task",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA),
                                examples = @ExampleObject(name = "missing", value = Examples.NOT_FOUND))),
                @APIResponse(name = ProblemResponses.NO_SUCH_SCHEDULE, description = "no such schedule",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA))),
                @APIResponse(name = ProblemResponses.NOT_A_QUEUE_NAME, description = "not a queue name",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA))),
                @APIResponse(name = ProblemResponses.INVALID_FILTER, description = "a filter that is not valid",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA))),
                @APIResponse(name = ProblemResponses.BODY_TOO_LARGE, description = "body over 1 MiB",
                        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(ref = ProblemResponses.PROBLEM_SCHEMA)))}))
@SecurityScheme(securitySchemeName = "basic", type = SecuritySchemeType.HTTP, scheme = "basic")
public class KafruApi extends Application {

    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(TasksResource.class, BatchesResource.class, QueuesResource.class, SchedulesResource.class, CronResource.class, MeResource.class, AgentsResource.class,
                ObservedResources.class, ProblemMappers.Rest.class, ProblemMappers.Unexpected.class);
    }
}
