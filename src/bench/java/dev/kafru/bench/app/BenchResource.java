package dev.kafru.bench.app;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.surrealdb.ConflictRetry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the benchmark asks the application: push with the injected KafruQueue, and count. */
@Path("bench")
@ApplicationScoped
@Produces(MediaType.TEXT_PLAIN)
public class BenchResource {

    @Inject
    KafruQueue queue;

    /** The requests {@code prepare} built for the next {@code push}. */
    private volatile List<TaskRequest> prepared;

    /**
     * Builds the next push's {@code n} requests, so that the timed push is kafru's work only (the
     * plain benchmark builds its requests statement by statement while the engine writes).
     */
    @POST
    @Path("prepare")
    public String prepare(@QueryParam("n") int n) {
        prepared = requests(n);
        return String.valueOf(n);
    }

    /** Pushes {@code n} tasks with one pushAll (the prepared ones, if prepared); answers how long pushAll took, in nanoseconds. */
    @POST
    @Path("push")
    public String push(@QueryParam("n") int n) {
        List<TaskRequest> requests = prepared;
        prepared = null;
        if (requests == null || requests.size() != n) {
            requests = requests(n);
        }
        long start = System.nanoTime();
        queue.pushAll(requests);
        return String.valueOf(System.nanoTime() - start);
    }

    private static List<TaskRequest> requests(int n) {
        List<TaskRequest> requests = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("bench-noop").queue("bench"));
        }
        return requests;
    }

    /**
     * Answers the runs counted on this server once they reach {@code n} (or after {@code seconds}):
     * one request that waits, looking every millisecond, so that the benchmark learns the end of a
     * flood as the plain benchmark does, without asking the server it measures again and again.
     */
    @GET
    @Path("await")
    public String await(@QueryParam("n") long n, @QueryParam("seconds") int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long runs;
        while ((runs = BenchTask.RUNS.get()) < n && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return String.valueOf(runs);
    }

    /** Runs counted on this server. */
    @GET
    @Path("count")
    public String count() {
        return String.valueOf(BenchTask.RUNS.get());
    }

    /** Write conflicts kafru retried in this server so far (claims that met another server's). */
    @GET
    @Path("conflicts")
    public String conflicts() {
        return String.valueOf(ConflictRetry.retried());
    }

    /**
     * Pushes one "mark" task and answers "id push-epoch-nanos start-epoch-nanos" — the start as
     * this server saw it, or 0 when it ran elsewhere (then ask that server's {@code started}).
     */
    @POST
    @Path("mark")
    public String mark(@QueryParam("wait") boolean wait, @QueryParam("queue") String queueName) throws InterruptedException {
        Instant pushed = Instant.now();
        Task task = queue.push(TaskRequest.of("bench-noop").queue(queueName == null ? "bench" : queueName).parameters(Map.of("mark", true)));
        Instant started = wait ? awaitStart(task.id()) : null;
        return task.id() + " " + nanos(pushed) + " " + (started == null ? 0 : nanos(started));
    }

    /**
     * When a task started on this server (epoch nanos), once it has; 0 if not within 30 s. One
     * request that waits, so that the benchmark does not load the server it measures with a
     * request every few milliseconds.
     */
    @GET
    @Path("started")
    public String started(@QueryParam("id") String id) throws InterruptedException {
        Instant started = awaitStart(id);
        return String.valueOf(started == null ? 0 : nanos(started));
    }

    private static Instant awaitStart(String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Instant started;
        synchronized (BenchTask.STARTED) {
            while ((started = BenchTask.STARTED.get(id)) == null && System.nanoTime() < deadline) {
                BenchTask.STARTED.wait(100);
            }
        }
        return started;
    }

    private static long nanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
