package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.TaskName;
import dev.kafru.TaskRequest;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.ws.rs.GET;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import jakarta.transaction.UserTransaction;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The push-on-commit tests' own resource: pushes inside transactions the way a user's code does
 * (an EJB, a {@code @Transactional} CDI bean, a {@code UserTransaction}), unauthenticated, and
 * reports what the handler ran. {@link PushOnCommitChecks} drives it over HTTP on Payara Micro and
 * on WildFly alike.
 */
@Path("tx")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class TransactionResource {

    @Inject
    KafruQueue queue;

    /** The EJB where the server has EJBs (Payara), and the @Transactional CDI bean. */
    @Inject
    @Any
    Instance<TransactionalPushing> beans;

    @Inject
    TransactionalCdiPushes cdi;

    @Inject
    @TaskName("it-count")
    CountingTask counting;

    @Resource
    UserTransaction transaction;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private final Map<String, Held> held = new ConcurrentHashMap<>();

    private record Held(CountDownLatch commit, Future<String> done) {
    }

    private static TaskRequest task(String name) {
        return TaskRequest.of("it-count").name(name);
    }

    private static String ids(List<String> ids) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        ids.forEach(array::add);
        return array.build().toString();
    }

    private TransactionalPushing bean(String via) {
        return beans.stream().filter(b -> b.via().equals(via)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no bean pushes via " + via + " here"));
    }

    /** How beans push here: ["cdi", "ejb"] where the server has EJBs, else ["cdi"]. */
    @GET
    @Path("vias")
    public String vias() {
        return ids(beans.stream().map(TransactionalPushing::via).sorted().toList());
    }

    /** A bean pushes, then calls setRollbackOnly(). */
    @POST
    @Path("rollback")
    public String rollBack(@QueryParam("name") String name, @QueryParam("via") String via, @QueryParam("immediate") boolean immediate) {
        return ids(List.of(bean(via).pushThenRollBack(immediate ? task(name).immediate() : task(name))));
    }

    /** A @Transactional bean pushes n with pushAll, then throws. */
    @POST
    @Path("pushall-rollback")
    public String pushAllThenRollBack(@QueryParam("name") String name, @QueryParam("n") int n) {
        List<String> pushed = new ArrayList<>();
        try {
            cdi.pushAllThenFail(java.util.Collections.nCopies(n, task(name)), pushed::addAll);
        } catch (IllegalStateException expected) {
            // the transaction rolled back
        }
        return ids(pushed);
    }

    /** A @Transactional bean pushes n one by one; its transaction commits. */
    @POST
    @Path("each-commit")
    public String eachCommit(@QueryParam("name") String name, @QueryParam("n") int n) {
        return ids(cdi.pushEach(java.util.Collections.nCopies(n, task(name))));
    }

    /** A bean pushes on another thread and is held before its commit; answers once it pushed. */
    @POST
    @Path("hold")
    public String hold(@QueryParam("name") String name, @QueryParam("via") String via) throws Exception {
        TransactionalPushing bean = bean(via);
        CountDownLatch pushed = new CountDownLatch(1);
        CountDownLatch commit = new CountDownLatch(1);
        Future<String> done = executor.submit(() -> bean.pushAndHold(task(name), pushed, commit));
        if (!pushed.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the held bean never pushed: " + (done.isDone() ? done.get() : "still running"));
        }
        held.put(name, new Held(commit, done));
        return Json.createObjectBuilder().add("heldOnThread", !done.isDone()).build().toString();
    }

    /** Lets the held bean commit and answers the id its push gave. */
    @POST
    @Path("release")
    public String release(@QueryParam("name") String name) throws Exception {
        Held h = held.remove(name);
        h.commit().countDown();
        return ids(List.of(h.done().get(60, TimeUnit.SECONDS)));
    }

    /**
     * n UserTransactions of one push each, every other one rolled back. For each commit, how long
     * commit() took (kafru writes in afterCompletion, so this bounds the time from the commit to the
     * task being stored) and whether the task was readable as soon as commit() returned.
     */
    @POST
    @Path("alternate")
    public String alternate(@QueryParam("name") String name, @QueryParam("n") int n) throws Exception {
        List<String> committed = new ArrayList<>();
        List<String> rolledBack = new ArrayList<>();
        long[] commitNanos = new long[(n + 1) / 2];
        int notStoredAtReturn = 0;
        for (int i = 0; i < n; i++) {
            transaction.begin();
            String id = queue.push(task(name)).id();
            if (i % 2 == 1) {
                transaction.rollback();
                rolledBack.add(id);
                continue;
            }
            long start = System.nanoTime();
            transaction.commit();
            commitNanos[i / 2] = System.nanoTime() - start;
            committed.add(id);
            if (queue.get(id).isEmpty()) {
                notStoredAtReturn++;
            }
        }
        Arrays.sort(commitNanos);
        JsonObjectBuilder answer = Json.createObjectBuilder()
                .add("committed", Json.createArrayBuilder(committed))
                .add("rolledBack", Json.createArrayBuilder(rolledBack))
                .add("notStoredAtReturn", notStoredAtReturn)
                .add("commitMicrosP50", commitNanos[commitNanos.length / 2] / 1000)
                .add("commitMicrosP99", commitNanos[(int) (commitNanos.length * 0.99)] / 1000)
                .add("commitMicrosMax", commitNanos[commitNanos.length - 1] / 1000);
        return answer.build().toString();
    }

    /** How many times the handler ran each of these ids (a JSON array of ids in the body). */
    @POST
    @Path("runs")
    @jakarta.ws.rs.Consumes(MediaType.APPLICATION_JSON)
    public String runs(String body) {
        JsonArrayBuilder runs = Json.createArrayBuilder();
        Json.createReader(new java.io.StringReader(body)).readArray()
                .getValuesAs(jakarta.json.JsonString.class).forEach(id -> runs.add(counting.executionsOf(id.getString())));
        return runs.build().toString();
    }
}
