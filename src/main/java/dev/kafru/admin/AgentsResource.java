package dev.kafru.admin;

import dev.kafru.Agent;
import dev.kafru.AgentFilter;
import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Command;
import dev.kafru.KafruAgents;
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
import java.util.List;

/** {@code /agents}: workers, schedulers and running tasks of every server, and commands to them. */
@Path("agents")
@ApplicationScoped
@Guarded
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "agents", description = "Workers, schedulers and running tasks, per server")
public class AgentsResource {

    @Inject
    KafruAgents agents;

    @GET
    @Operation(summary = "List agents", description = "By server, kind and name.")
    @Parameter(name = "kind", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING, enumeration = {"Queue", "Scheduler", "Task"}))
    @Parameter(name = "status", in = ParameterIn.QUERY, schema = @Schema(type = SchemaType.STRING, enumeration = {"Initialized", "Running", "Terminated", "Error", "Completed"}))
    @Parameter(name = "server", in = ParameterIn.QUERY)
    @Parameter(name = "name", in = ParameterIn.QUERY)
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = Agent.class),
            examples = @ExampleObject(name = "agents", value = "[" + Examples.AGENT + "]")))
    @APIResponse(responseCode = "400", ref = ProblemResponses.INVALID_FILTER)
    public Response list(@Context UriInfo uri) {
        Query q = Query.of(uri, "kind", "status", "server", "name");
        String server = q.text("server");
        String name = q.text("name");
        if (server != null && server.length() > 200 || name != null && name.length() > 200) {
            throw ProblemException.invalid(server != null && server.length() > 200 ? "server" : "name", "filters are at most 200 characters");
        }
        AgentFilter filter = AgentFilter.builder().kind(q.enumeration("kind", AgentKind.class))
                .status(q.enumeration("status", AgentStatus.class)).server(server).name(name).build();
        return TasksResource.ok(agents.list(filter));
    }

    @POST
    @Path("{id}/commands")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Send a command to an agent", description = "The server that owns the agent carries it out within"
            + " about a second and sets commandIsExecuted.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Bodies.CommandInput.class),
            examples = @ExampleObject(name = "shutdown", value = Examples.COMMAND_INPUT)))
    @APIResponse(responseCode = "202", description = "written on the agent", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = Agent.class), examples = @ExampleObject(name = "agent", value = Examples.AGENT)))
    @APIResponse(responseCode = "400", description = "unknown command, or a command for another kind of agent",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class),
                    examples = @ExampleObject(name = "invalid", value = Examples.INVALID)))
    @APIResponse(responseCode = "404", description = "no such agent", content = @Content(mediaType = Problem.MEDIA_TYPE,
            schema = @Schema(implementation = Problem.class)))
    public Response command(@PathParam("id") String id, InputStream body, @Context UriInfo uri,
                            @Context SecurityContext security) {
        Query.of(uri);
        Fields f = Fields.of(JsonText.readObject(body), Bodies.fieldsOf(Bodies.CommandInput.class));
        String command = f.string("command", 60);
        String message = f.string("message", 1000);
        String author = f.string("author", 200);
        Command parsed = null;
        if (command == null && !f.has("command")) {
            f.error("command", "command is required: one of " + List.of(Command.values()));
        } else if (command != null) {
            try {
                parsed = Enums.parse("command", Command.class, command);
            } catch (ProblemException e) {
                f.error("command", e.problem().detail());
            }
        }
        f.done();
        Agent agent = agents.get(Ids.check(id)).orElseThrow(() -> ProblemException.notFound("agent", id));
        if (agent.kind() != parsed.target()) {
            throw ProblemException.invalid("command", parsed + " is for a " + parsed.target() + " agent; '" + id + "' is a "
                    + agent.kind() + " agent");
        }
        Agent sent = agents.sendCommand(agent.id(), parsed, message, author != null ? author : Ids.user(security));
        return Response.accepted(JsonText.write(sent)).type(MediaType.APPLICATION_JSON).build();
    }
}
