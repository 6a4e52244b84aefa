package dev.kafru.it;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Payara Micro servers sharing one SurrealDB, as a user's cluster runs kafru.war: a push wakes
 * the workers of the pushing server and of the other one long before the poll interval, and when
 * one server is killed with SIGKILL mid-run every task still ends Completed, no task's runs
 * overlap, and exactly the tasks the killed server had started and not yet reported ran again.
 */
@Tag("alone")
class ClusterIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** kafru.war with the recording handler and the push resource, for one server of a cluster. */
    static File war(String database, String server, String queues, Path executions, String... moreConfig) {
        List<String> config = new ArrayList<>(List.of("kafru.queues=" + queues, "kafru.server.name=" + server,
                "kafru.worker.poll-interval=60s", "kafru.worker.lease=3s", "it.executions.dir=" + executions));
        config.addAll(List.of(moreConfig));
        WebArchive archive = Deployments.kafru(database, config, RecordingTask.class, ClusterResource.class, ClusterApi.class);
        File file = new File(System.getProperty("java.io.tmpdir"), "cluster-" + database + "-" + server + ".war");
        archive.as(ZipExporter.class).exportTo(file, true);
        return file;
    }

    @Test
    void pushesWakeBothServersAndAServerKilledMidRunLosesNothing() throws Exception {
        String database = "cluster_it";
        Path executions = Executions.directory();
        try (RpcSurrealConnection db = RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", database));
             PayaraProcess a = PayaraProcess.start(war(database, "server-a", "cluster:4", executions).toPath());
             PayaraProcess b = PayaraProcess.start(war(database, "server-b", "cluster:4,remote:2", executions).toPath())) {
            a.awaitReady();
            b.awaitReady();
            Schema.apply(db);
            SurrealTaskRepository tasks = new SurrealTaskRepository(db);

            // a push on a server whose worker is idle: stored already claimed, started at once (no claim round trip)
            String local = push(a, "cluster", 1, 0).get(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> status(tasks, local) == TaskStatus.Completed);
            Task handedOff = tasks.get(local).orElseThrow();
            assertEquals(handedOff.dateCreated(), handedOff.startedAt(), "handed straight to a free thread");
            assertEquals("server-a/cluster", handedOff.owner());

            // a push on A for a queue only B serves: B's worker hears of it through the signal (the poll is 60 s)
            String remote = push(a, "remote", 1, 0).get(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> status(tasks, remote) == TaskStatus.Completed);
            assertEquals("server-b/remote", tasks.get(remote).orElseThrow().owner());

            // a batch of 1,000 tasks of 5 ms (50 failing once, 50 with a task chained after them) pushed on B, then
            // 1,200 tasks of 40 ms on A, on 4 + 4 threads; B is killed with SIGKILL once it has started 100: mid-batch
            String batch = post(b, "cluster/push/batch?queue=cluster&n=1000&sleepMillis=5&failEvery=20&chainEvery=20");
            List<String> ids = push(a, "cluster", 1200, 40);
            assertEquals(1200, new HashSet<>(ids).size());
            // ... and holds tasks at that moment (on a loaded machine A may have claimed the rest of the queue by then)
            await().atMost(Duration.ofSeconds(60)).until(() -> Executions.read(executions).count("server-b") >= 100
                    && !Executions.heldBy(tasks, "cluster", "server-b/cluster").isEmpty());
            b.kill();
            Instant killed = Instant.now();
            // what B held when it died — read before its leases (3 s) lapse and A's reaper takes them back
            Set<String> held = Executions.heldBy(tasks, "cluster", "server-b/cluster");
            await().atMost(Duration.ofSeconds(120)).until(() -> drained(tasks, "cluster"));

            Executions runs = Executions.read(executions);
            assertNothingLostAndNoneRanTwiceAtOnce(tasks, runs, "cluster", ids, "server-b", held, killed);
            assertFalse(held.isEmpty(), "B was killed mid-run: it must have held tasks");
            assertBatchEndedOnceAfterItsMembers(tasks, runs, batch, 1000, 20);
            // the kept counts survive the kill: every task of the queue Completed (1 + 1,200 + the batch's 1,000, its
            // completion task and the 50 chained tasks), none left anywhere else
            assertEquals(Map.of(TaskStatus.Waiting, 0L, TaskStatus.InProgress, 0L, TaskStatus.Completed, 1201L + 1000 + 1 + 50,
                    TaskStatus.Error, 0L, TaskStatus.Cancelled, 0L), tasks.counts("cluster", 0));
            assertTrue(a.errors().isEmpty(), "server A logged errors:\n" + String.join("\n", a.errors()));
        }
    }

    /**
     * The cluster's guarantees, on the data the handler and the store kept: every task ran and is
     * Completed; no two runs of a task overlapped (a run cut by the kill lasted until the kill);
     * the tasks that ran more than once are exactly those the killed server had started and still
     * held at its death, each run first there and once more elsewhere; their attempts are 2 (the
     * lapsed lease counts one), every other task's 1 — nothing else was re-run or retried, and a
     * task given back by a graceful stop did not count an attempt.
     */
    static void assertNothingLostAndNoneRanTwiceAtOnce(SurrealTaskRepository tasks, Executions runs, String queue,
                                                       List<String> ids, String killedServer, Set<String> heldAtKill,
                                                       Instant killed) {
        Map<String, Task> stored = Executions.all(tasks, queue);
        List<String> notCompleted = ids.stream().filter(id -> stored.get(id) == null
                || stored.get(id).status() != TaskStatus.Completed).limit(10).toList();
        assertEquals(List.of(), notCompleted, "tasks not Completed (first 10)");
        List<String> neverRan = ids.stream().filter(id -> runs.runs(id).isEmpty()).limit(10).toList();
        assertEquals(List.of(), neverRan, "tasks that never ran (first 10)");

        Executions.Overlap overlap = runs.largestOverlap(killed);
        assertEquals(0, overlap.micros(), "runs of task " + overlap.task() + " overlapped: " + overlap.runs());
        List<String> cutShort = runs.unended().stream().filter(r -> !r.endsWith(" on " + killedServer)).toList();
        assertEquals(List.of(), cutShort, "runs that never ended on a server that was not killed");

        Set<String> inFlight = heldAtKill.stream().filter(runs.ranOn(killedServer)::contains).filter(new HashSet<>(ids)::contains)
                .collect(Collectors.toSet());
        Set<String> repeated = runs.repeated().stream().filter(new HashSet<>(ids)::contains).collect(Collectors.toSet());
        assertEquals(inFlight, repeated, "the tasks run again must be those the killed server had started and held ("
                + inFlight.size() + " of its " + heldAtKill.size() + " held)");
        List<String> notTwice = repeated.stream().filter(id -> runs.runs(id).size() != 2
                || !runs.runs(id).get(0).server().equals(killedServer)
                || runs.runs(id).get(1).server().equals(killedServer)).map(id -> id + " " + runs.runs(id)).toList();
        assertEquals(List.of(), notTwice, "a re-run task runs once on the killed server, then once elsewhere");

        List<String> wrongAttempts = ids.stream().filter(id -> stored.get(id).attempts() != (heldAtKill.contains(id) ? 2 : 1))
                .map(id -> id + " attempts " + stored.get(id).attempts() + (heldAtKill.contains(id) ? " (held at the kill)" : ""))
                .limit(10).toList();
        assertEquals(List.of(), wrongAttempts, "attempts: 2 for the killed server's tasks, 1 for every other (first 10)");
        System.out.println(killedServer + " killed: " + ids.size() + " tasks; it held " + heldAtKill.size() + ", had started "
                + inFlight.size() + " of them; re-run " + repeated.size());
    }

    /**
     * A batch whose members ran on two servers, one killed: every member Completed (those failing
     * once after a retry, or after the lease the killed server held lapsed), its count exact, its completion task pushed once and run once, after the
     * last member's end; each chained task pushed once, run after its parent's last run.
     */
    static void assertBatchEndedOnceAfterItsMembers(SurrealTaskRepository tasks, Executions runs, String batchId, int n,
                                                    int every) {
        await().atMost(Duration.ofSeconds(60)).until(() -> tasks.batch(batchId).map(dev.kafru.Batch::finished).orElse(false));
        dev.kafru.Batch batch = tasks.batch(batchId).orElseThrow();
        assertEquals(n, batch.total());
        assertEquals(n, batch.completed(), "every member completed, counted once: " + batch);
        assertEquals(0, batch.failed() + batch.cancelled(), batch.toString());
        long lastMemberEnd = 0;
        for (int i = 0; i < n; i++) {
            String member = dev.kafru.Batch.memberKey(batchId, i);
            assertEquals(TaskStatus.Completed, status(tasks, member), member);
            List<Executions.Run> memberRuns = runs.runs(member);
            assertFalse(memberRuns.isEmpty(), member + " never ran");
            long end = memberRuns.stream().mapToLong(Executions.Run::end).max().orElseThrow();
            lastMemberEnd = Math.max(lastMemberEnd, end);
            if (i % every == 0) {
                // its first attempt failed and it ran again — or the killed server had claimed it, and its lapsed lease
                // counted that attempt: either way attempt 1 is spent, and the task says how
                Task stored = tasks.get(member).orElseThrow();
                assertTrue(stored.attempts() >= 2, member + " spent its first attempt: " + stored);
                dev.kafru.TaskFailure first = stored.failures().get(0);
                assertEquals(1, first.attempt(), member + " " + stored.failures());
                if (memberRuns.size() == 1) {
                    assertEquals("LeaseLapsed", first.exception(), member + " ran once: its first attempt was the killed server's "
                            + stored.failures());
                } else {
                    assertTrue(first.exception().endsWith("IllegalStateException") || first.exception().equals("LeaseLapsed"),
                            member + " " + stored.failures());
                }
                List<dev.kafru.TaskLink> children = tasks.children(member);
                assertEquals(1, children.size(), member + " has one chained task");
                String child = children.get(0).id();
                assertEquals(TaskStatus.Completed, status(tasks, child), "chained after " + member);
                assertEquals(member, tasks.get(child).orElseThrow().parent());
                List<Executions.Run> childRuns = runs.runs(child);
                assertFalse(childRuns.isEmpty(), "the task chained after " + member + " never ran");
                assertTrue(childRuns.get(0).start() >= end, "the task chained after " + member + " started after its parent's end");
            }
        }
        List<Executions.Run> callback = runs.runs(batchId);
        assertEquals(1, callback.size(), "the completion task ran once: " + callback);
        assertTrue(callback.get(0).start() >= lastMemberEnd, "the completion task started after every member's end");
        assertEquals(batchId, tasks.get(batchId).orElseThrow().batch());
    }

    static String post(PayaraProcess server, String path) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(server.root() + path))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(2)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), () -> answer.body() + "\nthe server's log:\n" + String.join("\n", server.lines()));
        return answer.body().trim();
    }

    /** True when the queue has nothing left to run: no task Waiting or InProgress (the kept counts). */
    static boolean drained(SurrealTaskRepository tasks, String queue) {
        Map<TaskStatus, Long> counts = tasks.counts(queue, 0);
        return counts.get(TaskStatus.Waiting) + counts.get(TaskStatus.InProgress) == 0;
    }

    static TaskStatus status(SurrealTaskRepository tasks, String id) {
        return tasks.get(id).map(Task::status).orElse(null);
    }

    static List<String> push(PayaraProcess server, String queue, int n, long sleepMillis) throws Exception {
        return Stream.of(post(server, "cluster/push?queue=" + queue + "&n=" + n + "&sleepMillis=" + sleepMillis).split("\n")).toList();
    }
}
