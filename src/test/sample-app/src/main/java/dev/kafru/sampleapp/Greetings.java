package dev.kafru.sampleapp;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/** The application's own resource: pushes greetings through the injected {@link KafruQueue}. */
@Path("greetings")
@ApplicationScoped
public class Greetings {

    @Inject
    KafruQueue queue;

    /** Pushes {@code count} greetings and answers their task ids, one a line. */
    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public String greet(@QueryParam("count") int count) {
        List<TaskRequest> requests = IntStream.range(0, count)
                .mapToObj(i -> TaskRequest.of("sample-greeting").parameters(Map.of("name", "guest " + i)))
                .toList();
        return String.join("\n", queue.pushAll(requests).stream().map(Task::id).toList());
    }
}
