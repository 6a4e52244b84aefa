package dev.kafru.it;

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
import jakarta.ws.rs.core.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The test application's own resource: pushes with the injected KafruQueue, as a user's code does. */
@Path("push")
@ApplicationScoped
@Produces(MediaType.TEXT_PLAIN)
public class ClusterResource {

    @Inject
    KafruQueue queue;

    /**
     * One task with {@code push}, or {@code n} with {@code pushAll}; answers their ids, one per
     * line — or, when the push threw, 503 with the exception (what the caller was told: not stored).
     */
    @POST
    public Response push(@QueryParam("queue") String queueName, @QueryParam("n") int n, @QueryParam("sleepMillis") long sleep) {
        try {
            if (n <= 1) {
                return Response.ok(queue.push(TaskRequest.of("it-record").queue(queueName).parameters(Map.of("sleepMillis", sleep))).id()).build();
            }
            List<TaskRequest> requests = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                requests.add(TaskRequest.of("it-record").queue(queueName).parameters(Map.of("sleepMillis", sleep)));
            }
            return Response.ok(queue.pushAll(requests).stream().map(Task::id).collect(Collectors.joining("\n"))).build();
        } catch (RuntimeException e) {
            return Response.status(Response.Status.SERVICE_UNAVAILABLE).entity("exception: " + e).build();
        }
    }

    /**
     * A batch of {@code n} members of the recording task: every {@code failEvery}-th fails its first
     * attempt, every {@code chainEvery}-th has a task chained after it; its completion task is a
     * recording task too. Answers the batch id.
     */
    @POST
    @Path("batch")
    public Response batch(@QueryParam("queue") String queueName, @QueryParam("n") int n, @QueryParam("sleepMillis") long sleep,
                          @QueryParam("failEvery") int failEvery, @QueryParam("chainEvery") int chainEvery) {
        List<TaskRequest> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TaskRequest member = TaskRequest.of("it-record").queue(queueName).maxAttempts(3)
                    .parameters(Map.of("sleepMillis", sleep, "failOnce", i % failEvery == 0));
            if (i % chainEvery == 0) {
                member.then(TaskRequest.of("it-record").queue(queueName).parameters(Map.of("sleepMillis", sleep)));
            }
            members.add(member);
        }
        return Response.ok(queue.batch(members).onComplete(TaskRequest.of("it-record").queue(queueName)
                .parameters(Map.of("sleepMillis", 0L))).id()).build();
    }
}
