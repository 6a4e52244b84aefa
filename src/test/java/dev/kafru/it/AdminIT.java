package dev.kafru.it;

import dev.kafru.admin.PasswordHash;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin REST API on the standalone WAR in a real Payara Micro, seen from an HTTP client. */
@ExtendWith(ArquillianExtension.class)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class AdminIT {

    static final String ADMIN = "root";
    static final String ADMIN_PASSWORD = "admin-pw";
    static final String VIEWER_PASSWORD = "viewer-pw";
    static final String OPS_PASSWORD = "ops:pw";

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.kafru("admin_it", List.of(
                        "kafru.admin.username=" + ADMIN,
                        "kafru.admin.password=" + ADMIN_PASSWORD,
                        "kafru.users=viewer:kafru-viewer:" + PasswordHash.of(VIEWER_PASSWORD) + ",ops:kafru-admin:" + OPS_PASSWORD,
                        "kafru.db.request-timeout=3s",
                        "kafru.admin.allowed-origins=https://ops.example"),
                CountingTask.class, FailingTask.class, BlockingTask.class);
    }

    @ArquillianResource
    URL root;

    AdminClient api;

    @BeforeEach
    void client() {
        api = AdminClient.of(root, ADMIN, ADMIN_PASSWORD);
    }

    // ---------------------------------------------------------------------------------------
    // helpers

    private JsonObject created(String path, String body) {
        AdminClient.Answer answer = api.post(path, body);
        assertEquals(201, answer.status(), answer.toString());
        assertTrue(answer.contentType().startsWith("application/json"), answer.toString());
        String location = answer.headers().firstValue("Location").orElseThrow();
        assertTrue(location.endsWith("/" + answer.object().getString("id")), location);
        return answer.object();
    }

    private JsonObject task(String id) {
        AdminClient.Answer answer = api.get("kafru/api/tasks/" + id);
        assertEquals(200, answer.status(), answer.toString());
        return answer.object();
    }

    private JsonObject awaitTask(String id, Predicate<JsonObject> condition) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> task(id), condition);
    }

    private static Predicate<JsonObject> status(String status) {
        return t -> status.equals(t.getString("status"));
    }

    private static void assertProblem(AdminClient.Answer answer, int status, String field) {
        assertEquals(status, answer.status(), answer.toString());
        assertTrue(answer.isProblem(), answer.toString());
        JsonObject problem = answer.object();
        assertEquals(status, problem.getInt("status"), answer.toString());
        assertFalse(problem.getString("title").isBlank());
        assertFalse(problem.getString("detail").isBlank());
        if (field != null) {
            assertTrue(problem.getJsonArray("invalidFields").stream()
                    .anyMatch(f -> field.equals(f.asJsonObject().getString("name"))), answer.toString());
        }
    }

    private static boolean hasProgress(JsonObject task) {
        return task.containsKey("progress") && !task.isNull("progress");
    }

    private static void assertProgress(JsonObject progress, long done, double percent) {
        assertEquals(done, progress.getJsonNumber("done").longValue(), progress.toString());
        assertEquals(100, progress.getJsonNumber("total").longValue(), progress.toString());
        assertEquals(percent, progress.getJsonNumber("percent").doubleValue(), progress.toString());
        assertEquals("blocking", progress.getString("note"), progress.toString());
        assertTrue(progress.getString("at").endsWith("Z"), progress.toString());
    }

    private JsonObject queueInfo(String queue) {
        return api.get("kafru/api/queues").array().stream().map(JsonValue::asJsonObject)
                .filter(q -> q.getString("queue").equals(queue)).findFirst().orElseThrow(() -> new AssertionError("no queue " + queue));
    }

    private int count(String path) {
        AdminClient.Answer answer = api.get(path);
        assertEquals(200, answer.status(), answer.toString());
        return answer.array().size();
    }

    // ---------------------------------------------------------------------------------------

    @Test
    void tasksCanBeEnqueuedListedReadRetriedTerminatedRemovedAndPurged() {
        AdminClient.Answer handlers = api.get("kafru/api/handlers");
        assertEquals(200, handlers.status(), handlers.toString());
        assertTrue(handlers.array().stream().map(v -> ((jakarta.json.JsonString) v).getString()).toList()
                .containsAll(List.of("it-count", "it-fail", "it-block")), handlers.toString());

        Instant beforePush = Instant.now();
        JsonObject pushed = created("kafru/api/tasks", """
                {"handler": "it-count", "queue": "second", "name": "admin one", "parameters": {"n": 1, "tags": ["a"]},
                 "priority": 5, "maxAttempts": 2}""");
        String id = pushed.getString("id");
        assertEquals("admin one", pushed.getString("name"));
        assertEquals(5, pushed.getInt("priority"));
        assertEquals(2, pushed.getInt("maxAttempts"));
        assertEquals(List.of("a"), pushed.getJsonObject("parameters").getJsonArray("tags").getValuesAs(jakarta.json.JsonString::getString));
        assertTrue(pushed.getString("dateCreated").endsWith("Z"), "times are ISO-8601 UTC: " + pushed);
        Instant runAt = Instant.parse(pushed.getString("runAt"));
        assertFalse(runAt.isBefore(beforePush.truncatedTo(java.time.temporal.ChronoUnit.MILLIS))
                || runAt.isAfter(Instant.now()), "without runAt a task is due at its push: " + runAt + " for a push from " + beforePush);
        JsonObject done = awaitTask(id, status("Completed"));
        assertEquals(1, done.getInt("attempts"));
        assertEquals(id, task("kafru_queues:" + id).getString("id"), "the id is accepted with its table");

        JsonArray completed = api.get("kafru/api/tasks?status=Completed&queue=second&limit=1000").array();
        assertTrue(completed.stream().anyMatch(t -> id.equals(t.asJsonObject().getString("id"))), completed.toString());
        assertTrue(completed.stream().allMatch(t -> t.asJsonObject().getString("queue").equals("second")
                && t.asJsonObject().getString("status").equals("Completed")));
        // limit and offset page through the list, oldest first
        for (int i = 0; i < 3; i++) {
            awaitTask(created("kafru/api/tasks", "{\"handler\": \"it-count\", \"queue\": \"second\"}").getString("id"), status("Completed"));
        }
        JsonArray all = api.get("kafru/api/tasks?queue=second&limit=1000").array();
        JsonArray page = api.get("kafru/api/tasks?queue=second&limit=2&offset=1").array();
        assertEquals(2, page.size());
        assertEquals(all.get(1).asJsonObject().getString("id"), page.get(0).asJsonObject().getString("id"));
        assertEquals(all.get(2).asJsonObject().getString("id"), page.get(1).asJsonObject().getString("id"));

        // a failed task is listed with its message, and retried with fresh attempts
        String failing = created("kafru/api/tasks", "{\"handler\": \"it-fail\", \"maxAttempts\": 1}").getString("id");
        JsonObject failed = awaitTask(failing, status("Error"));
        assertEquals("boom", failed.getString("message"));
        assertTrue(api.get("kafru/api/tasks?status=Error").array().stream()
                .anyMatch(t -> failing.equals(t.asJsonObject().getString("id"))));
        AdminClient.Answer retried = api.post("kafru/api/tasks/" + failing + "/retry", null);
        assertEquals(200, retried.status(), retried.toString());
        assertEquals("Waiting", retried.object().getString("status"));
        assertEquals(0, retried.object().getInt("attempts"));
        JsonObject failedAgain = awaitTask(failing, t -> status("Error").test(t) && !t.isNull("finishedAt")
                && Instant.parse(t.getString("finishedAt")).isAfter(Instant.parse(failed.getString("finishedAt"))));
        assertEquals(1, failedAgain.getInt("attempts"), "it ran again: " + failedAgain);
        assertProblem(api.post("kafru/api/tasks/" + id + "/retry", null), 409, null);

        // a running task shows the progress its handler reported, is terminated, and cannot be removed while it runs
        String blocking = created("kafru/api/tasks", "{\"handler\": \"it-block\", \"parameters\": {\"progress\": 40}}").getString("id");
        JsonObject reporting = awaitTask(blocking, t -> status("InProgress").test(t) && hasProgress(t));
        assertProgress(reporting.getJsonObject("progress"), 40, 40.0);
        JsonObject listed = api.get("kafru/api/tasks?status=InProgress&limit=1000").array().stream().map(JsonValue::asJsonObject)
                .filter(t -> blocking.equals(t.getString("id"))).findFirst().orElseThrow();
        assertProgress(listed.getJsonObject("progress"), 40, 40.0);
        String quick = created("kafru/api/tasks", "{\"handler\": \"it-block\", \"parameters\": {\"progress\": 30, \"millis\": 0}}")
                .getString("id");
        assertProgress(awaitTask(quick, t -> status("Completed").test(t) && hasProgress(t)).getJsonObject("progress"), 100, 100.0);
        String silent = created("kafru/api/tasks", "{\"handler\": \"it-count\"}").getString("id");
        assertFalse(hasProgress(awaitTask(silent, status("Completed"))), "a task whose handler reports nothing has no progress");
        assertProblem(api.delete("kafru/api/tasks/" + blocking), 409, null);
        AdminClient.Answer terminating = api.post("kafru/api/tasks/" + blocking + "/terminate", null);
        assertEquals(202, terminating.status(), terminating.toString());
        assertEquals("task has been terminated", awaitTask(blocking, status("Error")).getString("message"));
        assertProblem(api.post("kafru/api/tasks/" + blocking + "/terminate", null), 409, null);

        // remove one, then purge the rest of a status
        assertEquals(204, api.delete("kafru/api/tasks/" + id).status());
        assertProblem(api.get("kafru/api/tasks/" + id), 404, null);
        int left = count("kafru/api/tasks?status=Completed&queue=second&limit=1000");
        assertTrue(left >= 3, "left " + left);
        AdminClient.Answer purged = api.delete("kafru/api/tasks?status=Completed&queue=second");
        assertEquals(200, purged.status(), purged.toString());
        assertEquals(left, purged.object().getInt("deleted"));
        assertEquals(0, count("kafru/api/tasks?status=Completed&queue=second"));
    }

    @Test
    void aPausedQueueHoldsItsTasksUntilResumedAndQueuesShowCountsAndWorkers() {
        AdminClient.Answer paused = api.post("kafru/api/queues/second/pause", null);
        List<String> held = new ArrayList<>();
        try {
            assertEquals(200, paused.status(), paused.toString());
            assertTrue(paused.object().getBoolean("paused"));
            assertEquals(1, paused.object().getInt("workers"));
            for (int i = 0; i < 3; i++) {
                held.add(created("kafru/api/tasks", "{\"handler\": \"it-count\", \"queue\": \"second\"}").getString("id"));
            }
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> held.stream().allMatch(t -> "Waiting".equals(task(t).getString("status"))));
            JsonObject second = queueInfo("second");
            assertTrue(second.getBoolean("paused"), second.toString());
            assertEquals(3, second.getInt("threads"), second.toString());
            assertTrue(second.getJsonObject("counts").getInt("Waiting") >= 3, second.toString());
            assertEquals(Set.of("Waiting", "InProgress", "Completed", "Error", "Cancelled"), second.getJsonObject("counts").keySet());
            assertEquals(1, second.getJsonArray("servers").size(), second.toString());
        } finally {
            // resumed even when an assertion above failed: a paused queue would hold the tasks of the tests after this one
            api.post("kafru/api/queues/second/resume", null);
        }

        AdminClient.Answer resumed = api.post("kafru/api/queues/second/resume", null);
        assertEquals(200, resumed.status(), resumed.toString());
        assertFalse(resumed.object().getBoolean("paused"));
        held.forEach(t -> awaitTask(t, status("Completed")));
        assertFalse(api.get("kafru/api/queues").array().stream().map(JsonValue::asJsonObject)
                .filter(q -> q.getString("queue").equals("second")).findFirst().orElseThrow().getBoolean("paused"));
    }

    @Test
    void aUniqueKeyAnswersTheTaskHoldingItUntilItFinishesOrItsUniqueForHasPassed() {
        String key = "admin-it-" + java.util.UUID.randomUUID();
        // due in 3 s: Waiting while the second push is made, then run
        String body = "{\"handler\": \"it-count\", \"uniqueKey\": \"" + key + "\", \"runAt\": \""
                + Instant.now().plusSeconds(3) + "\"}";
        AdminClient.Answer first = api.post("kafru/api/tasks", body);
        assertEquals(201, first.status(), first.toString());
        assertEquals("true", first.headers().firstValue("Kafru-Created").orElse(null), first.toString());
        String id = first.object().getString("id");
        assertEquals(key, first.object().getString("uniqueKey"));
        int stored = count("kafru/api/tasks?limit=1000");

        AdminClient.Answer again = api.post("kafru/api/tasks", body);
        assertEquals(200, again.status(), again.toString());
        assertEquals("false", again.headers().firstValue("Kafru-Created").orElse(null), again.toString());
        assertEquals(id, again.object().getString("id"), "the task holding the key");
        assertEquals("Waiting", again.object().getString("status"));
        assertTrue(again.headers().firstValue("Content-Location").orElse("").endsWith("/kafru/api/tasks/" + id), again.toString());
        assertEquals(stored, count("kafru/api/tasks?limit=1000"), "the second push stored nothing");

        awaitTask(id, status("Completed"));
        AdminClient.Answer afterwards = api.post("kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueKey\": \"" + key + "\"}");
        assertEquals(201, afterwards.status(), "a finished task holds its key no longer (no uniqueFor): " + afterwards);
        assertEquals("true", afterwards.headers().firstValue("Kafru-Created").orElse(null));
        assertFalse(id.equals(afterwards.object().getString("id")), afterwards.toString());
        awaitTask(afterwards.object().getString("id"), status("Completed"));

        // uniqueFor keeps the key taken after its task completed
        String kept = "admin-it-kept-" + java.util.UUID.randomUUID();
        String keptBody = "{\"handler\": \"it-count\", \"uniqueKey\": \"" + kept + "\", \"uniqueFor\": \"PT1H\"}";
        String keptId = created("kafru/api/tasks", keptBody).getString("id");
        awaitTask(keptId, status("Completed"));
        AdminClient.Answer held = api.post("kafru/api/tasks", keptBody);
        assertEquals(200, held.status(), held.toString());
        assertEquals("false", held.headers().firstValue("Kafru-Created").orElse(null));
        assertEquals(keptId, held.object().getString("id"));
        assertEquals("Completed", held.object().getString("status"));
    }

    @Test
    void cancelStopsAWaitingTaskAndARunningOneAndIsRefusedForAFinishedOne() {
        // a Waiting task, due in 3 s: cancelled at once, and it never runs, not even when its time has come
        Instant due = Instant.now().plusSeconds(3);
        String waiting = created("kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"" + due + "\"}").getString("id");
        AdminClient.Answer cancelled = api.post("kafru/api/tasks/" + waiting + "/cancel", null);
        assertEquals(200, cancelled.status(), cancelled.toString());
        assertEquals("Cancelled", cancelled.object().getString("status"));
        assertTrue(cancelled.object().getString("message").contains(ADMIN), "the message names who cancelled it: " + cancelled);
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> task(waiting), t -> status("Cancelled").test(t) && t.getInt("attempts") == 0 && t.isNull("startedAt"));
        assertTrue(Instant.now().isAfter(due.plusSeconds(1)), "watched past its runAt");

        // a running task is interrupted where it runs: 202 while that is under way, then Cancelled
        String blocking = created("kafru/api/tasks", "{\"handler\": \"it-block\"}").getString("id");
        awaitTask(blocking, status("InProgress"));
        AdminClient.Answer stopping = api.post("kafru/api/tasks/" + blocking + "/cancel", null);
        assertEquals(202, stopping.status(), stopping.toString());
        assertEquals(blocking, stopping.object().getString("id"));
        JsonObject stopped = awaitTask(blocking, status("Cancelled"));
        assertFalse(stopped.isNull("finishedAt"), stopped.toString());
        assertTrue(Duration.between(Instant.parse(stopped.getString("startedAt")), Instant.parse(stopped.getString("finishedAt")))
                .compareTo(Duration.ofSeconds(30)) < 0, "interrupted, not run to its end: " + stopped);

        JsonArray listed = api.get("kafru/api/tasks?status=Cancelled&limit=1000").array();
        List<String> ids = listed.stream().map(t -> t.asJsonObject().getString("id")).toList();
        assertTrue(ids.containsAll(List.of(waiting, blocking)), listed.toString());
        assertTrue(listed.stream().allMatch(t -> status("Cancelled").test(t.asJsonObject())), listed.toString());
        assertTrue(api.get("kafru/api/tasks/count?status=Cancelled").object().getInt("count") >= 2);
        assertTrue(queueInfo("default").getJsonObject("counts").getInt("Cancelled") >= 2, queueInfo("default").toString());

        // a finished task is a 409 naming its status; an unknown one a 404; a viewer may not cancel
        String done = created("kafru/api/tasks", "{\"handler\": \"it-count\"}").getString("id");
        awaitTask(done, status("Completed"));
        AdminClient.Answer finished = api.post("kafru/api/tasks/" + done + "/cancel", null);
        assertProblem(finished, 409, null);
        assertTrue(finished.object().getString("detail").contains("Completed"), finished.toString());
        AdminClient.Answer twice = api.post("kafru/api/tasks/" + waiting + "/cancel", null);
        assertProblem(twice, 409, null);
        assertTrue(twice.object().getString("detail").contains("Cancelled"), twice.toString());
        assertProblem(api.post("kafru/api/tasks/no-such-task/cancel", null), 404, null);
        String later = created("kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"" + Instant.now().plus(Duration.ofDays(1))
                + "\"}").getString("id");
        assertProblem(api.as("viewer", VIEWER_PASSWORD).post("kafru/api/tasks/" + later + "/cancel", null), 403, null);
        assertEquals("Waiting", task(later).getString("status"), "the refused cancel changed nothing");
        assertEquals(204, api.delete("kafru/api/tasks/" + later).status());
    }

    @Test
    void chainsAndBatchesArePushedReadAndFollowedThroughTheApi() {
        // a chain: it-count, then it-count; on failure it-fail (never pushed: the parent completes)
        JsonObject parent = created("kafru/api/tasks", "{\"handler\": \"it-count\", \"then\": [{\"handler\": \"it-count\","
                + " \"name\": \"after\"}], \"onFailure\": [{\"handler\": \"it-fail\"}]}");
        awaitTask(parent.getString("id"), status("Completed"));
        JsonArray children = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.get("kafru/api/tasks/" + parent.getString("id") + "/children").array(),
                        c -> c.size() == 2 && c.stream().anyMatch(x -> !x.asJsonObject().isNull("pushedAt")));
        JsonObject then = children.stream().map(JsonValue::asJsonObject).filter(c -> c.getString("on").equals("Completed")).findFirst().orElseThrow();
        JsonObject failure = children.stream().map(JsonValue::asJsonObject).filter(c -> c.getString("on").equals("Failed")).findFirst().orElseThrow();
        assertTrue(failure.isNull("pushedAt"), children.toString());
        JsonObject child = awaitTask(then.getString("id"), status("Completed"));
        assertEquals(parent.getString("id"), child.getString("parent"), "the child names its parent: " + child);
        assertEquals("after", child.getString("name"));
        assertProblem(api.get("kafru/api/tasks/" + failure.getString("id")), 404, null);
        assertProblem(api.get("kafru/api/tasks/no-such-task/children"), 404, null);
        // onto a task already stored: completed, a then is pushed at once; an onFailure is a 409; none onto a missing task
        AdminClient.Answer late = api.post("kafru/api/tasks/" + parent.getString("id") + "/then", "{\"handler\": \"it-count\", \"name\": \"late\"}");
        assertEquals(201, late.status(), late.toString());
        assertFalse(late.object().isNull("pushedAt"), late.toString());
        assertEquals("late", awaitTask(late.object().getString("id"), status("Completed")).getString("name"));
        assertProblem(api.post("kafru/api/tasks/" + parent.getString("id") + "/on-failure", "{\"handler\": \"it-count\"}"), 409, null);
        assertProblem(api.post("kafru/api/tasks/no-such-task/then", "{\"handler\": \"it-count\"}"), 404, null);
        assertProblem(api.post("kafru/api/tasks/" + parent.getString("id") + "/then", "{\"handler\": \"no-such-handler\"}"), 400, "handler");
        assertEquals(3, api.get("kafru/api/tasks/" + parent.getString("id") + "/children").array().size());

        // a batch: three members, one failing; the completion task is pushed once the last ended
        AdminClient.Answer pushed = api.post("kafru/api/batches", "{\"members\": [{\"handler\": \"it-count\"}, {\"handler\": \"it-count\"},"
                + " {\"handler\": \"it-fail\", \"maxAttempts\": 1}], \"onComplete\": {\"handler\": \"it-count\", \"name\": \"report\"}}");
        assertEquals(201, pushed.status(), pushed.toString());
        String batch = pushed.object().getString("id");
        assertEquals(3, pushed.object().getInt("total"));
        JsonObject ended = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> api.get("kafru/api/batches/" + batch).object(), b -> !b.isNull("finishedAt"));
        assertEquals(2, ended.getInt("completed"), ended.toString());
        assertEquals(1, ended.getInt("failed"), ended.toString());
        JsonObject report = awaitTask(batch, status("Completed"));
        assertEquals("report", report.getString("name"));
        assertEquals(batch, report.getString("batch"));
        JsonArray members = api.get("kafru/api/batches/" + batch + "/tasks?limit=10").array();
        assertEquals(3, members.size(), members.toString());
        assertTrue(members.stream().allMatch(m -> batch.equals(m.asJsonObject().getString("batch"))), members.toString());

        // bad input names the field, and nothing is stored
        long before = api.get("kafru/api/tasks/count").object().getJsonNumber("count").longValue();
        AdminClient.Answer empty = api.post("kafru/api/batches", "{\"members\": []}");
        assertProblem(empty, 400, "members");
        AdminClient.Answer badMember = api.post("kafru/api/batches", "{\"members\": [{\"handler\": \"it-count\"}, {\"handler\": \"nope nope\"}]}");
        assertProblem(badMember, 400, null);
        assertTrue(badMember.toString().contains("members[1]"), badMember.toString());
        AdminClient.Answer badChild = api.post("kafru/api/tasks", "{\"handler\": \"it-count\", \"then\": [{\"handler\": \"it-count\", \"colour\": 1}]}");
        assertProblem(badChild, 400, null);
        assertTrue(badChild.toString().contains("then[0].colour"), badChild.toString());
        assertEquals(before, api.get("kafru/api/tasks/count").object().getJsonNumber("count").longValue(), "nothing stored");
        assertProblem(api.get("kafru/api/batches/no-such-batch"), 404, null);
    }

    @Test
    void aFailedTasksAttemptsAreReadableWithTheExceptionAndItsStackTrace() {
        String id = created("kafru/api/tasks", "{\"handler\": \"it-fail\", \"maxAttempts\": 2}").getString("id");
        JsonObject failed = awaitTask(id, status("Error"));
        JsonArray failures = failed.getJsonArray("failures");
        assertEquals(2, failures.size(), failed.toString());
        for (int i = 0; i < 2; i++) {
            JsonObject f = failures.getJsonObject(i);
            assertEquals(i + 1, f.getInt("attempt"), f.toString());
            assertEquals("java.lang.IllegalStateException", f.getString("exception"), f.toString());
            assertEquals("boom", f.getString("message"));
            assertFalse(f.getString("server").isBlank(), f.toString());
            Instant at = Instant.parse(f.getString("at"));
            assertFalse(at.isAfter(Instant.parse(failed.getString("finishedAt"))), f.toString());
            String stack = f.getString("stackTrace");
            assertTrue(stack.startsWith("java.lang.IllegalStateException: boom"), stack);
            assertTrue(stack.contains("at dev.kafru.it.FailingTask.run("), stack);
            assertTrue(stack.length() <= dev.kafru.TaskFailure.STACK_LIMIT, "at most 8 KiB: " + stack.length());
        }
        assertTrue(Instant.parse(failures.getJsonObject(0).getString("at")).isBefore(Instant.parse(failures.getJsonObject(1).getString("at")))
                || failures.getJsonObject(0).getString("at").equals(failures.getJsonObject(1).getString("at")), failures.toString());
        JsonObject completed = awaitTask(created("kafru/api/tasks", "{\"handler\": \"it-count\"}").getString("id"), status("Completed"));
        assertEquals(0, completed.getJsonArray("failures").size(), "a task that never failed has no history: " + completed);
    }

    /**
     * A task whose handler this deployment lacks (another application's, or a newer version's,
     * on the same database): stored here straight into the store, since the admin API refuses an
     * unknown handler. The server never claims it; after it has waited 5 s it is reported by GET
     * /queues and /health.
     */
    @Test
    void aTaskWhoseHandlerNoServerOffersWaitsAndIsReportedAsUnserved() throws Exception {
        String id;
        try (var db = dev.kafru.surrealdb.RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", "admin_it"))) {
            id = new dev.kafru.store.surreal.SurrealTaskRepository(db)
                    .insert(List.of(dev.kafru.TaskRequest.of("it-elsewhere").queue("second"))).get(0).id();
        }
        try {
            JsonObject second = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> queueInfo("second"),
                    q -> q.getJsonObject("unservedHandlers").getJsonNumber("it-elsewhere") != null);
            assertEquals(Json.createObjectBuilder().add("it-elsewhere", 1).build(), second.getJsonObject("unservedHandlers"), second.toString());
            JsonObject waiting = task(id);
            assertEquals("Waiting", waiting.getString("status"), "left for a server that has its handler: " + waiting);
            assertEquals(0, waiting.getInt("attempts"), "never claimed: " + waiting);
            assertTrue(queueInfo("default").getJsonObject("unservedHandlers").isEmpty(), "only its own queue reports it");

            // liveness counts in the background (it never waits for the database): the count comes within seconds
            String health = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                    .until(() -> api.anonymous().send("GET", "/health", null).body(),
                            body -> body.contains("\"queue.second.unserved.it-elsewhere\""));
            assertTrue(health.contains("\"UP\""), health);
        } finally {
            assertEquals(204, api.delete("kafru/api/tasks/" + id).status());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> queueInfo("second").getJsonObject("unservedHandlers").isEmpty());
    }

    @Test
    void schedulesCanBeCreatedReadReplacedListedAndRemoved() {
        JsonObject schedule = created("kafru/api/schedules", """
                {"name": "admin-it-nightly", "handler": "it-count", "cron": "0 0 2 * * ?", "timeZone": "Europe/Berlin",
                 "parameters": {"format": "pdf"}}""");
        String id = schedule.getString("id");
        assertEquals("Enabled", schedule.getString("status"));
        assertEquals("0 0 2 * * ?", schedule.getString("cronExpression"));
        assertEquals(id, api.get("kafru/api/schedules/kafru_schedules:" + id).object().getString("id"));
        JsonArray named = api.get("kafru/api/schedules?name=admin-it-nightly").array();
        assertEquals(1, named.size(), named.toString());

        JsonArray next = api.get("kafru/api/schedules/" + id + "/next?count=3").array();
        assertEquals(3, next.size(), next.toString());
        List<ZonedDateTime> times = next.getValuesAs(jakarta.json.JsonString::getString).stream()
                .map(t -> Instant.parse(t).atZone(java.time.ZoneId.of("Europe/Berlin"))).toList();
        for (int i = 0; i < times.size(); i++) {
            assertEquals(2, times.get(i).getHour(), times.toString());
            if (i > 0) {
                assertEquals(times.get(i - 1).toLocalDate().plusDays(1), times.get(i).toLocalDate());
            }
        }

        AdminClient.Answer replaced = api.put("kafru/api/schedules/" + id, """
                {"name": "admin-it-nightly", "handler": "it-count", "cron": {"second": "0", "minute": "30", "hour": "4"},
                 "status": "Disabled"}""");
        assertEquals(200, replaced.status(), replaced.toString());
        assertEquals("Disabled", replaced.object().getString("status"));
        assertEquals("UTC", replaced.object().getString("timeZone"), "a replace sets every field");
        assertTrue(replaced.object().getString("cronExpression").startsWith("0 30 4 "), replaced.toString());
        assertEquals(0, api.get("kafru/api/schedules/" + id + "/next").array().size(), "a disabled schedule does not fire");

        assertEquals(204, api.delete("kafru/api/schedules/" + id).status());
        assertProblem(api.get("kafru/api/schedules/" + id), 404, null);
        assertProblem(api.delete("kafru/api/schedules/" + id), 404, null);
    }

    @Test
    void aQueuesFailedTasksAreRetriedTogetherAndNoOtherQueuesOnes() {
        int before = api.get("kafru/api/tasks/count?status=Error&queue=second").object().getInt("count");
        List<String> failing = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            failing.add(created("kafru/api/tasks", "{\"handler\": \"it-fail\", \"queue\": \"second\", \"maxAttempts\": 1}").getString("id"));
        }
        String elsewhere = created("kafru/api/tasks", "{\"handler\": \"it-fail\", \"maxAttempts\": 1}").getString("id");
        List<JsonObject> failed = failing.stream().map(id -> awaitTask(id, status("Error"))).toList();
        JsonObject otherFailed = awaitTask(elsewhere, status("Error"));

        AdminClient.Answer retried = api.post("kafru/api/queues/second/retry-failed", null);
        assertEquals(200, retried.status(), retried.toString());
        assertEquals(before + 3, retried.object().getInt("retried"), "every Error task of queue second, as counted before: " + retried);
        for (int i = 0; i < failing.size(); i++) {
            Instant firstEnd = Instant.parse(failed.get(i).getString("finishedAt"));
            JsonObject again = awaitTask(failing.get(i), t -> status("Error").test(t) && !t.isNull("finishedAt")
                    && Instant.parse(t.getString("finishedAt")).isAfter(firstEnd));
            assertEquals(1, again.getInt("attempts"), "it ran once more, attempts counted from 0: " + again);
        }
        assertEquals(otherFailed.getString("finishedAt"), task(elsewhere).getString("finishedAt"), "queue default's failure stays as it was");
        assertEquals(0, api.post("kafru/api/queues/never-used/retry-failed", null).object().getInt("retried"));
        assertProblem(api.post("kafru/api/queues/" + AdminClient.segment("x y") + "/retry-failed", null), 400, "queue");
        assertProblem(api.as("viewer", VIEWER_PASSWORD).post("kafru/api/queues/second/retry-failed", null), 403, null);
    }

    @Test
    void aScheduleRunsNowWithoutMovingItsNextFireTime() {
        JsonObject schedule = created("kafru/api/schedules", """
                {"name": "admin-it-run-now", "handler": "it-count", "queue": "second", "cron": "0 0 2 * * ?",
                 "startSchedule": "2099-01-01T00:00:00Z", "parameters": {"n": 7}}""");
        String id = schedule.getString("id");
        AdminClient.Answer run = api.post("kafru/api/schedules/" + id + "/run", null);
        assertEquals(201, run.status(), run.toString());
        JsonObject pushed = run.object();
        assertTrue(run.headers().firstValue("Location").orElseThrow().endsWith("/kafru/api/tasks/" + pushed.getString("id")), run.toString());
        assertEquals(List.of("admin-it-run-now", "it-count", "second", "7"), List.of(pushed.getString("name"), pushed.getString("handler"),
                pushed.getString("queue"), pushed.getJsonObject("parameters").getJsonNumber("n").toString()));
        assertEquals(1, awaitTask(pushed.getString("id"), status("Completed")).getInt("attempts"));
        JsonObject after = api.get("kafru/api/schedules/" + id).object();
        assertEquals(schedule.getString("nextSchedule"), after.getString("nextSchedule"), "the next fire time stays");

        AdminClient.Answer disabled = api.put("kafru/api/schedules/" + id, """
                {"name": "admin-it-run-now", "handler": "it-count", "queue": "second", "cron": "0 0 2 * * ?",
                 "startSchedule": "2099-01-01T00:00:00Z", "status": "Disabled"}""");
        assertEquals(200, disabled.status(), disabled.toString());
        assertEquals(201, api.post("kafru/api/schedules/" + id + "/run", null).status(), "a disabled schedule runs when asked");
        assertEquals(2, count("kafru/api/tasks?name=admin-it-run-now"));
        assertProblem(api.post("kafru/api/schedules/no-such-schedule/run", null), 404, null);
        assertProblem(api.as("viewer", VIEWER_PASSWORD).post("kafru/api/schedules/" + id + "/run", null), 403, null);
        assertEquals(2, count("kafru/api/tasks?name=admin-it-run-now"), "refused runs push nothing");
        assertEquals(204, api.delete("kafru/api/schedules/" + id).status());
    }

    @Test
    void agentsAreListedAndACommandStopsARunningTask() {
        // the queue agents are written as the workers start, which may still be under way when this test runs first
        JsonArray queues = await().atMost(Duration.ofSeconds(30)).until(() -> api.get("kafru/api/agents?kind=Queue").array(),
                list -> list.stream().map(JsonValue::asJsonObject).map(a -> a.getString("name")).toList()
                        .containsAll(List.of("default", "second")));
        assertTrue(queues.stream().map(JsonValue::asJsonObject).allMatch(a -> a.getString("kind").equals("Queue")), queues.toString());
        String blocking = created("kafru/api/tasks", "{\"handler\": \"it-block\"}").getString("id");
        JsonObject agent = await().atMost(Duration.ofSeconds(30)).until(
                () -> api.get("kafru/api/agents?kind=Task").array().stream().map(JsonValue::asJsonObject)
                        .filter(a -> blocking.equals(a.getString("queueId", null))).findFirst().orElse(null),
                java.util.Objects::nonNull);
        String agentId = agent.getString("id");
        assertProblem(api.post("kafru/api/agents/" + agentId + "/commands", "{\"command\": \"QueueForceShutdown\"}"), 400, "command");
        assertProblem(api.post("kafru/api/agents/" + agentId + "/commands", "{\"command\": \"Explode\"}"), 400, "command");
        AdminClient.Answer sent = api.post("kafru/api/agents/" + agentId + "/commands",
                "{\"command\": \"TaskTerminate\", \"message\": \"stuck\"}");
        assertEquals(202, sent.status(), sent.toString());
        assertEquals("TaskTerminate", sent.object().getString("command"));
        assertEquals(ADMIN, sent.object().getString("author"), "the author defaults to the caller");
        assertEquals("task has been terminated", awaitTask(blocking, status("Error")).getString("message"));

        JsonArray metrics = await().atMost(Duration.ofSeconds(10)).until(() -> api.get("kafru/api/metrics").array(),
                m -> m.stream().anyMatch(s -> s.asJsonObject().getString("name").endsWith("/default")));
        JsonObject defaultWorker = metrics.stream().map(JsonValue::asJsonObject)
                .filter(s -> s.getString("name").endsWith("/default")).findFirst().orElseThrow();
        assertEquals(5, defaultWorker.getInt("numWorkers"), defaultWorker.toString());
        assertEquals("Worker", defaultWorker.getString("kind"));
        // the snapshot is written again every kafru.metrics.interval (500 ms here), with a newer timestamp
        Instant first = Instant.parse(defaultWorker.getString("timestamp"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> api.get("kafru/api/metrics").array()
                .stream().map(JsonValue::asJsonObject).filter(m -> m.getString("name").equals(defaultWorker.getString("name")))
                .map(m -> Instant.parse(m.getString("timestamp"))).anyMatch(t -> t.isAfter(first)));
    }

    @Test
    void labelledTasksAreFoundByALabelFilterAndShowTheirLabels() {
        String tenant = "tenant-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String later = Instant.now().plus(Duration.ofDays(1)).toString();
        JsonObject first = created("kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"" + later + "\", \"labels\": [\""
                + tenant + "\", \"import\", \"" + tenant + "\"]}");
        assertEquals(List.of(tenant, "import"), first.getJsonArray("labels").getValuesAs(jakarta.json.JsonString::getString),
                "repeats dropped, order kept");
        String second = created("kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"" + later + "\", \"labels\": [\""
                + tenant + "\"]}").getString("id");
        JsonObject plain = created("kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"" + later + "\"}");
        assertEquals(0, plain.getJsonArray("labels").size(), "a task without labels shows none");

        JsonArray found = api.get("kafru/api/tasks?label=" + tenant).array();
        assertEquals(List.of(first.getString("id"), second), found.stream().map(t -> t.asJsonObject().getString("id")).toList(),
                "oldest first, only the labelled ones");
        assertEquals(List.of(tenant, "import"), api.get("kafru/api/tasks/" + first.getString("id")).object().getJsonArray("labels")
                .getValuesAs(jakarta.json.JsonString::getString));
        assertEquals(2, api.get("kafru/api/tasks/count?label=" + tenant).object().getInt("count"));
        assertEquals(2, api.get("kafru/api/tasks/count?status=Waiting&handler=it-count&label=" + tenant).object().getInt("count"));
        assertEquals(0, api.get("kafru/api/tasks/count?status=Completed&label=" + tenant).object().getInt("count"));
        assertEquals(second, api.get("kafru/api/tasks?label=" + tenant + "&limit=1&offset=1").array().getJsonObject(0).getString("id"));
        assertEquals(0, api.get("kafru/api/tasks/count?label=" + tenant + "-none").object().getInt("count"));
        for (String id : List.of(first.getString("id"), second, plain.getString("id"))) {
            assertEquals(204, api.delete("kafru/api/tasks/" + id).status());
        }
        assertEquals(0, api.get("kafru/api/tasks?label=" + tenant).array().size(), "a removed task is not found by its label");
    }

    @Test
    void badInputIsA400NamingTheFieldAndNothingIsStored() {
        int tasks = count("kafru/api/tasks?limit=1000");
        int schedules = count("kafru/api/schedules?limit=1000");
        record Case(String method, String path, String body, int status, String field, String detail) {
        }
        String start = "2027-01-01T00:00:00Z";
        List<Case> cases = List.of(
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\",", 400, "body", "malformed JSON"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"priority\": \"high\"}", 400, "priority", "whole number"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": 7}", 400, "handler", "must be a string"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"mailer\"}", 400, "handler", "it-count"),
                new Case("POST", "kafru/api/tasks", "{}", 400, "handler", "required"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"tomorrow\"}", 400, "runAt", "ISO-8601"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"maxAttempts\": 0}", 400, "maxAttempts", "out of range"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"queue\": \"a b\"}", 400, "queue", "queue name"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"timeout\": \"-PT5S\"}", 400, "timeout", "positive duration"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"timeout\": \"soon\"}", 400, "timeout", "ISO-8601 duration"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueKey\": \"\"}", 400, "uniqueKey", "not blank"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueKey\": \"   \"}", 400, "uniqueKey", "not blank"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueKey\": \"" + "k".repeat(300) + "\"}",
                        400, "uniqueKey", "longer than 200"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueKey\": 42}", 400, "uniqueKey", "must be a string"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueKey\": \"k\", \"uniqueFor\": \"soon\"}",
                        400, "uniqueFor", "ISO-8601 duration"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"uniqueFor\": \"PT1H\"}", 400, "uniqueFor", "needs a uniqueKey"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"parameters\": [1]}", 400, "parameters", "JSON object"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"prority\": 3}", 400, "prority", "unknown field"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"labels\": [\"" + "l".repeat(200) + "\"]}",
                        400, "labels", "(200 characters) is not a label: use 1 to 64"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"labels\": \"tenant-7\"}", 400, "labels", "array of strings"),
                new Case("POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"labels\": [\"1\", \"2\", \"3\", \"4\", \"5\","
                        + " \"6\", \"7\", \"8\", \"9\"]}", 400, "labels", "at most 8"),
                new Case("GET", "kafru/api/tasks?label=a%20b", null, 400, "label", "not a label"),
                new Case("POST", "kafru/api/schedules", "{\"name\": \"bad\", \"handler\": \"it-count\", \"cron\": \"0 61 * * * ?\"}",
                        400, "cron", "61"),
                new Case("POST", "kafru/api/schedules", "{\"name\": \"bad\", \"handler\": \"it-count\", \"cron\": \"* * *\"}",
                        400, "cron", "cron"),
                new Case("POST", "kafru/api/schedules", "{\"name\": \"bad\", \"handler\": \"it-count\", \"cron\": \"0 0 2 * * ?\","
                        + " \"startSchedule\": \"" + start + "\", \"untilSchedule\": \"2026-01-01T00:00:00Z\"}", 400, "untilSchedule", "before"),
                new Case("POST", "kafru/api/schedules", "{\"name\": \"bad\", \"handler\": \"it-count\", \"cron\": \"0 0 2 * * ?\","
                        + " \"timeZone\": \"Mars/Olympus\"}", 400, "timeZone", "unknown time zone"),
                new Case("POST", "kafru/api/schedules", "{\"name\": \"bad\", \"handler\": \"nope\", \"cron\": \"0 0 2 * * ?\"}",
                        400, "handler", "it-count"),
                new Case("GET", "kafru/api/tasks?limit=0", null, 400, "limit", "out of range"),
                new Case("GET", "kafru/api/tasks?limit=1001", null, 400, "limit", "out of range"),
                new Case("GET", "kafru/api/tasks?limit=ten", null, 400, "limit", "whole number"),
                new Case("GET", "kafru/api/tasks?status=Failed", null, 400, "status", "Waiting"),
                new Case("GET", "kafru/api/tasks?stauts=Error", null, 400, "stauts", "unknown query parameter"),
                new Case("GET", "kafru/api/schedules?limit=5000", null, 400, "limit", "out of range"),
                new Case("POST", "kafru/api/agents/nope/commands", "{\"command\": \"Explode\"}", 400, "command", "TaskTerminate"),
                new Case("GET", "kafru/api/tasks/no-such-task", null, 404, null, "no task"),
                new Case("DELETE", "kafru/api/tasks/no-such-task", null, 404, null, "no task"),
                new Case("POST", "kafru/api/tasks/no-such-task/retry", null, 404, null, "no task"),
                new Case("POST", "kafru/api/tasks/no-such-task/terminate", null, 404, null, "no task"),
                new Case("POST", "kafru/api/tasks/no-such-task/cancel", null, 404, null, "no task"),
                new Case("POST", "kafru/api/tasks/" + "a".repeat(201) + "/cancel", null, 400, "id", "longer than 200"),
                new Case("GET", "kafru/api/schedules/no-such/next", null, 404, null, "no schedule"),
                new Case("PUT", "kafru/api/schedules/no-such", "{\"name\": \"x\", \"handler\": \"it-count\", \"cron\": \"0 0 2 * * ?\"}",
                        404, null, "no schedule"),
                new Case("POST", "kafru/api/agents/no-such/commands", "{\"command\": \"TaskTerminate\"}", 404, null, "no agent"),
                new Case("GET", "kafru/api/nowhere", null, 404, null, "paths"),
                new Case("PATCH", "kafru/api/tasks", "{}", 405, null, "method"));
        for (Case c : cases) {
            AdminClient.Answer answer = api.send(c.method(), c.path(), c.body());
            assertProblem(answer, c.status(), c.field());
            assertTrue(answer.object().getString("detail").contains(c.detail()), c + " -> " + answer);
        }
        AdminClient.Answer text = api.send("POST", "kafru/api/tasks", "{\"handler\": \"it-count\"}".getBytes(), "text/plain");
        assertProblem(text, 415, null);
        // the API answers JSON only: a client that accepts nothing else gets a 406, for a read and a write
        AdminClient html = api.withHeaders(java.util.Map.of("Accept", "text/html"));
        AdminClient.Answer notAcceptable = html.get("kafru/api/tasks");
        assertProblem(notAcceptable, 406, null);
        assertTrue(notAcceptable.object().getString("detail").contains("application/json"), notAcceptable.toString());
        assertProblem(html.post("kafru/api/tasks", "{\"handler\": \"it-count\"}"), 406, null);
        assertEquals(200, api.withHeaders(java.util.Map.of("Accept", "text/html, application/json;q=0.5")).get("kafru/api/tasks")
                .status(), "JSON among the accepted types is served");
        assertEquals(tasks, count("kafru/api/tasks?limit=1000"), "no task stored");
        assertEquals(schedules, count("kafru/api/schedules?limit=1000"), "no schedule stored");
    }

    @Test
    void readsNeedAViewerWritesAnAdminAndRefusalsAreProblems() {
        int tasks = count("kafru/api/tasks?limit=1000");
        String body = "{\"handler\": \"it-count\"}";

        AdminClient.Answer anonymous = api.anonymous().get("kafru/api/tasks");
        assertProblem(anonymous, 401, null);
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"kafru\""), anonymous.toString());
        assertProblem(api.anonymous().post("kafru/api/tasks", body), 401, null);
        AdminClient.Answer wrong = api.as(ADMIN, "guess").post("kafru/api/tasks", body);
        assertProblem(wrong, 401, null);
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").isPresent());
        assertProblem(api.withAuthorization("Bearer abc.def").get("kafru/api/tasks"), 401, null);
        assertProblem(api.as("nobody", ADMIN_PASSWORD).get("kafru/api/tasks"), 401, null);

        AdminClient viewer = api.as("viewer", VIEWER_PASSWORD);
        assertEquals(200, viewer.get("kafru/api/tasks").status(), "a viewer reads (its password is a PBKDF2 hash)");
        assertEquals(200, viewer.get("kafru/api/queues").status());
        AdminClient.Answer forbidden = viewer.post("kafru/api/tasks", body);
        assertProblem(forbidden, 403, null);
        assertTrue(forbidden.object().getString("detail").contains("kafru-admin"), forbidden.toString());
        assertProblem(viewer.delete("kafru/api/tasks"), 403, null);
        assertProblem(viewer.post("kafru/api/queues/default/pause", null), 403, null);
        assertEquals(tasks, count("kafru/api/tasks?limit=1000"), "refused writes stored nothing");

        AdminClient ops = api.as("ops", OPS_PASSWORD);
        String id = ops.post("kafru/api/tasks", body).object().getString("id");
        assertEquals("ops", awaitTask(id, status("Completed")).getString("author"), "the second admin's task is theirs");

        // outside /kafru the mechanism does nothing, even with credentials it would refuse
        AdminClient.Answer health = api.withAuthorization(AdminClient.basic(ADMIN, "guess")).send("GET", "/health", null);
        assertEquals(200, health.status(), health.toString());
    }

    @Test
    void writesThatAPageOnAnotherSiteCouldMakeAreRefusedAndScriptsWriteWithTheHeader() {
        String own = "http://" + root.getHost() + ":" + root.getPort();
        AdminClient form = api.withoutRequestedBy().withHeaders(java.util.Map.of("Origin", HostileRequests.EVIL));
        AdminClient.Answer posted = form.send("POST", "kafru/api/queues/default/pause",
                "x=1".getBytes(java.nio.charset.StandardCharsets.UTF_8), "application/x-www-form-urlencoded");
        assertProblem(posted, 403, null);
        assertTrue(posted.object().getString("detail").contains("X-Requested-By"), posted.toString());
        AdminClient.Answer foreign = api.withHeaders(java.util.Map.of("Origin", HostileRequests.EVIL)).post("kafru/api/queues/default/pause", null);
        assertProblem(foreign, 403, null);
        assertTrue(foreign.object().getString("detail").contains("Origin 'http://evil.example' is not this server"), foreign.toString());
        AdminClient.Answer curlWithoutHeader = api.withoutRequestedBy().post("kafru/api/queues/default/pause", null);
        assertProblem(curlWithoutHeader, 403, null);
        assertFalse(paused("default"), "no refused write paused the queue");
        assertEquals(200, api.withHeaders(java.util.Map.of("Origin", HostileRequests.EVIL)).get("kafru/api/queues").status(),
                "reads are not refused (a foreign page cannot read the answer: no CORS)");

        // a script: Basic credentials and the header, no Origin
        assertEquals(200, api.post("kafru/api/queues/default/pause", null).status());
        assertTrue(paused("default"));
        // the dashboard: the header, and its own Origin (or a Referer of its own, or an allowed origin)
        assertEquals(200, api.withHeaders(java.util.Map.of("Origin", own)).post("kafru/api/queues/default/resume", null).status());
        assertFalse(paused("default"));
        assertEquals(200, api.withHeaders(java.util.Map.of("Referer", own + "/kafru/")).post("kafru/api/queues/default/pause", null).status());
        assertEquals(200, api.withHeaders(java.util.Map.of("Origin", "https://ops.example")).post("kafru/api/queues/default/resume", null)
                .status(), "kafru.admin.allowed-origins");
        assertFalse(paused("default"));
        assertProblem(api.withHeaders(java.util.Map.of("Referer", HostileRequests.EVIL + "/")).delete("kafru/api/tasks?status=Completed"),
                403, null);
    }

    private boolean paused(String queue) {
        return api.get("kafru/api/queues").array().stream().map(JsonValue::asJsonObject)
                .filter(q -> q.getString("queue").equals(queue)).findFirst()
                .orElseThrow(() -> new AssertionError("no queue " + queue)).getBoolean("paused");
    }

    /**
     * Password guessing, from several loopback addresses (127.0.0.x are all this machine): five
     * wrong passwords for one user, from five addresses, hold that user back (429 with
     * Retry-After, the right password not even checked) while others log in; five failures from
     * one address hold that address back, whatever the user; both pass after the first lock (1 s),
     * and the metrics count them.
     */
    @Test
    void guessingPasswordsLocksTheUserAndTheAddressForAWhileNotForever() throws Exception {
        java.net.URI metrics = java.net.URI.create(root.getProtocol() + "://" + root.getHost() + ":" + root.getPort()
                + "/metrics?scope=application");
        String metricsBefore = AdminClient.getAnonymously(metrics).body();
        String ops = AdminClient.basic("ops", OPS_PASSWORD);
        for (int i = 0; i < 5; i++) {
            assertEquals(401, RawHttp.get(root, "127.0.0." + (11 + i), "kafru/api/me", AdminClient.basic("ops", "guess-" + i)).status());
        }
        RawHttp.Answer held = RawHttp.get(root, "127.0.0.20", "kafru/api/me", ops);
        assertEquals(429, held.status(), "the user is held back, even with the right password: " + held);
        assertTrue(Integer.parseInt(held.header("Retry-After")) >= 1, held.toString());
        assertTrue(held.body().contains("too many failed logins"), held.body());
        assertEquals(200, api.get("kafru/api/me").status(), "another user, from an address without failures, logs in");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> RawHttp.get(root, "127.0.0.20", "kafru/api/me", ops).status() == 200);

        for (int i = 0; i < 5; i++) {
            assertEquals(401, RawHttp.get(root, "127.0.0.30", "kafru/api/me", AdminClient.basic("user" + i, "guess")).status());
        }
        assertEquals(429, RawHttp.get(root, "127.0.0.30", "kafru/api/me", AdminClient.basic(ADMIN, ADMIN_PASSWORD)).status(),
                "the address is held back, whatever the user");
        assertEquals(200, api.get("kafru/api/me").status(), "the same user from another address logs in");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> RawHttp.get(root, "127.0.0.30", "kafru/api/me", AdminClient.basic(ADMIN, ADMIN_PASSWORD)).status() == 200);

        String metricsAfter = AdminClient.getAnonymously(metrics).body();
        assertTrue(AgentIT.increase(metricsBefore, metricsAfter, "kafru_admin_login_failures_total", "") >= 10, metricsAfter);
        assertTrue(AgentIT.increase(metricsBefore, metricsAfter, "kafru_admin_login_lockouts_total", "by=\"user\"") >= 1, metricsAfter);
        assertTrue(AgentIT.increase(metricsBefore, metricsAfter, "kafru_admin_login_lockouts_total", "by=\"address\"") >= 1, metricsAfter);
    }

    @Test
    void theOpenApiDocumentDescribesEveryEndpointBodyAndError() {
        AdminClient.Answer answer = api.anonymous().send("GET", "/openapi?format=JSON", null);
        assertEquals(200, answer.status(), answer.toString());
        JsonObject document = answer.object();
        JsonObject paths = document.getJsonObject("paths");
        int operations = 0;
        for (Class<?> resource : List.of(dev.kafru.admin.TasksResource.class, dev.kafru.admin.BatchesResource.class, dev.kafru.admin.QueuesResource.class,
                dev.kafru.admin.SchedulesResource.class, dev.kafru.admin.AgentsResource.class, dev.kafru.admin.ObservedResources.class,
                dev.kafru.admin.CronResource.class, dev.kafru.admin.MeResource.class)) {
            String base = resource.getAnnotation(jakarta.ws.rs.Path.class).value();
            for (java.lang.reflect.Method method : resource.getDeclaredMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                jakarta.ws.rs.Path sub = method.getAnnotation(jakarta.ws.rs.Path.class);
                String path = ("/kafru/api/" + base + (sub == null ? "" : "/" + sub.value())).replaceAll("/+", "/").replaceAll("/$", "");
                assertTrue(paths.containsKey(path), path + " missing from " + paths.keySet());
                JsonObject operation = paths.getJsonObject(path).getJsonObject(verb);
                assertNotNull(operation, verb + " " + path);
                operations++;
                assertFalse(operation.getString("summary", "").isBlank(), verb + " " + path + " has a summary");
                JsonObject responses = operation.getJsonObject("responses");
                assertTrue(responses.keySet().stream().anyMatch(code -> code.startsWith("2")), verb + " " + path);
                for (String code : List.of("401", "403", "429", "500", "503")) {
                    assertTrue(responses.containsKey(code), verb + " " + path + " documents " + code);
                }
                assertTrue(responses.getJsonObject("429").getJsonObject("headers").containsKey("Retry-After"), verb + " " + path);
                boolean needsHeader = operation.getJsonArray("parameters") != null && operation.getJsonArray("parameters").stream()
                        .map(JsonValue::asJsonObject).anyMatch(p -> p.getString("name").equals("X-Requested-By")
                                && p.getString("in").equals("header") && p.getBoolean("required", false));
                assertEquals(!verb.equals("get"), needsHeader, verb + " " + path + ": writes, and only writes, need X-Requested-By");
                if (!verb.equals("get")) {
                    assertTrue(responses.getJsonObject("403").getJsonObject("content").getJsonObject("application/problem+json")
                            .getJsonObject("examples").containsKey("cross-site"), verb + " " + path + " shows the cross-site 403");
                }
                for (String code : responses.keySet()) {
                    JsonObject content = resolved(document, responses.getJsonObject(code)).getJsonObject("content");
                    if (code.startsWith("4") || code.startsWith("5")) {
                        assertTrue(content.containsKey("application/problem+json"), verb + " " + path + " " + code + " is problem+json");
                        JsonObject example = content.getJsonObject("application/problem+json").getJsonObject("examples")
                                .values().iterator().next().asJsonObject().getJsonObject("value");
                        assertEquals(Integer.parseInt(code), example.getInt("status"), verb + " " + path + " " + code + " example");
                    }
                    if (content != null) {
                        content.forEach((media, body) -> assertFalse(body.asJsonObject().getJsonObject("examples").isEmpty(),
                                verb + " " + path + " " + code + " " + media + " has an example"));
                    }
                }
                boolean readsBody = java.util.Arrays.stream(method.getParameterTypes()).anyMatch(java.io.InputStream.class::equals);
                if (readsBody) {
                    JsonObject content = operation.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json");
                    assertTrue(content.containsKey("schema"), verb + " " + path);
                    JsonObject example = content.getJsonObject("examples").values().iterator().next().asJsonObject();
                    assertEquals(JsonValue.ValueType.OBJECT, example.get("value").getValueType(), "examples are JSON: " + example);
                    assertTrue(responses.containsKey("400") && responses.containsKey("415"), verb + " " + path);
                }
            }
        }
        assertEquals(33, operations, "every endpoint of the contract (the batches' three and the chains' three the last)");
        JsonObject schemas = document.getJsonObject("components").getJsonObject("schemas");
        JsonObject task = schemas.getJsonObject("Task");
        assertTrue(task.getJsonObject("properties").keySet().containsAll(Set.of("id", "status", "runAt", "maxAttempts", "author",
                "timeout", "uniqueKey", "failures")), task.toString());
        assertTrue(schemas.getJsonObject("TaskFailure").getJsonObject("properties").keySet()
                .containsAll(Set.of("attempt", "at", "server", "exception", "message", "stackTrace")), schemas.toString());
        assertTrue(schemas.getJsonObject("Queue").getJsonObject("properties").containsKey("unservedHandlers"),
                schemas.getJsonObject("Queue").toString());
        JsonObject push = paths.getJsonObject("/kafru/api/tasks").getJsonObject("post");
        JsonObject input = push.getJsonObject("requestBody").getJsonObject("content").getJsonObject("application/json").getJsonObject("schema");
        if (input.containsKey("$ref")) {
            input = schemas.getJsonObject(input.getString("$ref").substring("#/components/schemas/".length()));
        }
        assertTrue(input.getJsonObject("properties").keySet().containsAll(Set.of("timeout", "uniqueKey", "uniqueFor", "labels")), input.toString());
        assertTrue(push.getJsonObject("responses").keySet().containsAll(Set.of("200", "201")), "a unique key's push answers 200 or 201");
        for (String code : List.of("200", "201")) {
            assertTrue(push.getJsonObject("responses").getJsonObject(code).getJsonObject("headers").containsKey("Kafru-Created"),
                    "POST /tasks " + code + " documents Kafru-Created");
        }
        JsonObject cancel = paths.getJsonObject("/kafru/api/tasks/{id}/cancel").getJsonObject("post");
        assertTrue(cancel.getJsonObject("responses").keySet().containsAll(Set.of("200", "202", "404", "409")), cancel.toString());
        JsonObject statusParameter = paths.getJsonObject("/kafru/api/tasks").getJsonObject("get").getJsonArray("parameters").stream()
                .map(JsonValue::asJsonObject).filter(p -> p.getString("name").equals("status")).findFirst().orElseThrow();
        assertTrue(statusParameter.getJsonObject("schema").getJsonArray("enum").contains(Json.createValue("Cancelled")),
                statusParameter.toString());
        assertEquals("basic", document.getJsonObject("components").getJsonObject("securitySchemes")
                .getJsonObject("basic").getString("scheme"));
    }

    /** The response itself, or the shared one it refers to: {"$ref": "#/components/responses/NAME"}. */
    private static JsonObject resolved(JsonObject document, JsonObject response) {
        if (!response.containsKey("$ref")) {
            return response;
        }
        String ref = response.getString("$ref");
        String prefix = "#/components/responses/";
        assertTrue(ref.startsWith(prefix), ref);
        JsonObject shared = document.getJsonObject("components").getJsonObject("responses").getJsonObject(ref.substring(prefix.length()));
        assertNotNull(shared, ref + " is in the document");
        return shared;
    }

    private static String verb(java.lang.reflect.Method method) {
        for (var annotation : method.getAnnotations()) {
            jakarta.ws.rs.HttpMethod http = annotation.annotationType().getAnnotation(jakarta.ws.rs.HttpMethod.class);
            if (http != null) {
                return http.value().toLowerCase();
            }
        }
        return null;
    }

    @Test
    void hundredsOfHostileRequestsGetProblemsAndLeaveTheStoredDataByteForByteTheSame() throws Exception {
        String scheduleId = created("kafru/api/schedules", """
                {"name": "hostile-target", "handler": "it-count", "cron": "0 0 3 * * ?", "status": "Disabled"}""").getString("id");
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(created("kafru/api/tasks", "{\"handler\": \"it-count\", \"runAt\": \"" + Instant.now().plus(Duration.ofDays(1)) + "\"}")
                    .getString("id"));
        }
        assertEquals(200, api.post("kafru/api/queues/frozen/pause", null).status());
        String queueAgent = api.get("kafru/api/agents?kind=Queue&name=default").array().get(0).asJsonObject().getString("id");
        // nothing may be running or due, so that only a request could change a row
        await().atMost(Duration.ofSeconds(60)).until(() -> count("kafru/api/tasks?status=InProgress") == 0);
        // an ended agent (a terminated task's) stops beating and is deleted after three expiries (15 s here):
        // a row that would vanish by itself; only live agents, whose rows stay, may be in the snapshot
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> api.get("kafru/api/agents").array()
                .stream().map(a -> a.asJsonObject().getString("status")).allMatch(s -> s.equals("Running") || s.equals("Initialized")));

        List<HostileRequests.Hostile> requests = new HostileRequests(20261128L, scheduleId, queueAgent, waiting.get(0)).all();
        assertTrue(requests.size() >= 500, "only " + requests.size() + " requests");
        try (var db = dev.kafru.surrealdb.RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", "admin_it"))) {
            java.util.Map<String, byte[]> before = snapshot(db);
            List<String> wrong = new ArrayList<>();
            java.util.Map<String, Long> millis = new java.util.TreeMap<>();
            java.util.Map<Integer, Integer> statuses = new java.util.TreeMap<>();
            for (HostileRequests.Hostile h : requests) {
                AdminClient client = switch (h.auth()) {
                    case ADMIN -> api;
                    case VIEWER -> api.as("viewer", VIEWER_PASSWORD);
                    case NONE -> api.anonymous();
                    case WRONG -> api.as(ADMIN, "not-the-password");
                };
                client = (h.requestedBy() ? client : client.withoutRequestedBy()).withHeaders(h.headers());
                long started = System.nanoTime();
                try {
                    AdminClient.Answer answer = client.send(h.method(), h.path(), h.body(), h.contentType());
                    millis.merge(h.kind(), (System.nanoTime() - started) / 1_000_000, Long::sum);
                    statuses.merge(answer.status(), 1, Integer::sum);
                    if (answer.status() < 400 || answer.status() > 499 || !answer.isProblem()
                            || answer.object().getInt("status") != answer.status()) {
                        wrong.add(h + " -> " + answer);
                    } else if (h.kind().startsWith("cross-site") && (answer.status() != 403
                            || !answer.object().getString("detail").matches(".*(X-Requested-By|Origin|Referer).*"))) {
                        wrong.add(h + " -> " + answer + " (a cross-site write is a 403 naming what gives it away)");
                    }
                } catch (RuntimeException e) {
                    wrong.add(h + " -> " + e);
                }
            }
            // the wrong passwords among them locked user root for a second or two (LoginThrottle): wait that out
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("kafru/api/me").status() == 200);
            java.nio.file.Files.write(java.nio.file.Path.of("target", "hostile-requests.txt"),
                    (statuses + "\n" + millis + "\n" + String.join("\n", wrong)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(List.of(), wrong, wrong.size() + " of " + requests.size() + " hostile requests were not a 4xx problem");
            List<String> changed = changedTables(before, snapshot(db));
            assertEquals(List.of(), changed, "hostile requests changed stored data (fields that move by themselves, left out: "
                    + MOVING_BY_THEMSELVES + ")");
            System.out.println("hostile requests: " + requests.size() + ", statuses " + statuses + ", ms by kind " + millis);
        }
    }

    /**
     * The fields that change by themselves while nothing is asked of the server, left out of the
     * snapshot by name: every heartbeat ({@code kafru.agent.heartbeat}) sets an agent's
     * {@code heartbeat}, and with it {@code date_modified} (a computed {@code VALUE time::now()});
     * every metrics interval upserts each snapshot's {@code timestamp}. Everything else on
     * an agent — its command, command_is_executed, status, message, author, paused — and on a
     * metric snapshot must stay as it was.
     */
    static final java.util.Map<String, List<String>> MOVING_BY_THEMSELVES = java.util.Map.of(
            "kafru_agents", List.of("heartbeat", "date_modified"),
            "kafru_metrics", List.of("timestamp"));

    /** The tables a refused request must leave as they were (kafru_unique: the unique keys taken). */
    static final List<String> SNAPSHOT_TABLES = List.of("kafru_queues", "kafru_payloads", "kafru_slices", "kafru_unique", "kafru_chains", "kafru_batch", "kafru_schedules",
            "kafru_paused_queues", "kafru_queue_names", "kafru_agents", "kafru_metrics");

    /**
     * Every stored task, schedule, pause flag, queue name, agent (where commands are written)
     * and metric snapshot, as SurrealDB returns them, encoded to bytes per table — without the
     * fields of {@link #MOVING_BY_THEMSELVES}.
     */
    private static java.util.Map<String, byte[]> snapshot(dev.kafru.surrealdb.SurrealConnection db) {
        StringBuilder statements = new StringBuilder();
        for (String table : SNAPSHOT_TABLES) {
            List<String> omit = MOVING_BY_THEMSELVES.getOrDefault(table, List.of());
            statements.append("SELECT * ").append(omit.isEmpty() ? "" : "OMIT " + String.join(", ", omit) + " ")
                    .append("FROM ").append(table).append(" ORDER BY id;\n");
        }
        List<Object> rows = db.query(statements.toString(), java.util.Map.of());
        java.util.Map<String, byte[]> tables = new java.util.LinkedHashMap<>();
        for (int i = 0; i < SNAPSHOT_TABLES.size(); i++) {
            tables.put(SNAPSHOT_TABLES.get(i), dev.kafru.surrealdb.SurrealCbor.encode(rows.get(i)));
        }
        for (String table : List.of("kafru_agents", "kafru_metrics")) {
            assertFalse(((List<?>) rows.get(SNAPSHOT_TABLES.indexOf(table))).isEmpty(), "the snapshot has no " + table
                    + " rows to compare: the server's agents and metric snapshots should be written by now");
        }
        return tables;
    }

    /** The tables whose bytes differ, each with its rows before and after. */
    private static List<String> changedTables(java.util.Map<String, byte[]> before, java.util.Map<String, byte[]> after) {
        List<String> changed = new ArrayList<>();
        for (String table : SNAPSHOT_TABLES) {
            if (!java.util.Arrays.equals(before.get(table), after.get(table))) {
                changed.add(table + ":\n  before " + dev.kafru.surrealdb.SurrealCbor.decode(before.get(table))
                        + "\n  after  " + dev.kafru.surrealdb.SurrealCbor.decode(after.get(table)));
            }
        }
        return changed;
    }

    @Test
    void theDashboardGetsCountsThroughputPerMinuteCronChecksAndWhoIsLoggedIn() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(created("kafru/api/tasks", "{\"handler\": \"it-count\", \"name\": \"counted\"}").getString("id"));
        }
        ids.forEach(id -> awaitTask(id, t -> "Completed".equals(t.getString("status"))));
        JsonObject count = api.get("kafru/api/tasks/count?name=counted&handler=it-count&status=Completed").object();
        assertEquals(3, count.getInt("count"), count.toString());
        assertFalse(count.getBoolean("capped"));
        JsonObject capped = api.get("kafru/api/tasks/count?name=counted&cap=2").object();
        assertEquals(2, capped.getInt("count"), capped.toString());
        assertTrue(capped.getBoolean("capped"), "a count at the cap means at least that many");
        assertEquals(0, api.get("kafru/api/tasks/count?name=counted&handler=it-fail").object().getInt("count"));
        assertEquals(3, count("kafru/api/tasks?name=counted&handler=it-count"));
        assertEquals(2, count("kafru/api/tasks?name=counted&limit=2&offset=1"));

        // the snapshot writes this server's per-minute counts (kafru.metrics.interval is 500ms here)
        JsonObject throughput = await().atMost(Duration.ofSeconds(10)).until(() -> api.get("kafru/api/queues/throughput?minutes=5").object(),
                t -> t.getJsonArray("minutes").stream().map(JsonValue::asJsonObject)
                        .filter(m -> m.getString("queue").equals("default")).mapToLong(m -> m.getJsonNumber("completed").longValue()).sum() >= 3);
        Instant from = Instant.parse(throughput.getString("from"));
        assertEquals(Duration.ofMinutes(4), Duration.between(from, Instant.parse(throughput.getString("to"))));
        throughput.getJsonArray("minutes").forEach(m -> assertFalse(Instant.parse(m.asJsonObject().getString("minute")).isBefore(from)));

        JsonObject cron = api.get("kafru/api/cron/next?cron=" + AdminClient.segment("0 0 2 * * ?") + "&timeZone=Europe/Berlin").object();
        assertEquals(5, cron.getJsonArray("next").size(), cron.toString());
        for (JsonValue t : cron.getJsonArray("next")) {
            ZonedDateTime local = Instant.parse(((jakarta.json.JsonString) t).getString()).atZone(java.time.ZoneId.of("Europe/Berlin"));
            assertEquals(2, local.getHour(), "02:00 in the schedule's zone: " + t);
        }
        AdminClient.Answer invalid = api.get("kafru/api/cron/next?cron=" + AdminClient.segment("0 61 * * * ?"));
        assertEquals(400, invalid.status(), invalid.toString());
        assertTrue(invalid.object().getString("detail").contains("Value 61 not in range [0, 59]"), invalid.toString());
        assertEquals("cron", invalid.object().getJsonArray("invalidFields").getJsonObject(0).getString("name"));
        AdminClient.Answer zone = api.get("kafru/api/cron/next?cron=" + AdminClient.segment("0 0 2 * * ?") + "&timeZone=Mars/Olympus");
        assertEquals("timeZone", zone.object().getJsonArray("invalidFields").getJsonObject(0).getString("name"), zone.toString());

        assertEquals(Json.createObjectBuilder().add("user", ADMIN).add("admin", true).build(), api.get("kafru/api/me").object());
        JsonObject viewer = AdminClient.of(root, "viewer", VIEWER_PASSWORD).get("kafru/api/me").object();
        assertEquals("viewer", viewer.getString("user"));
        assertFalse(viewer.getBoolean("admin"), "a viewer may not write");
    }

    @Test
    void theDashboardIsServedWithItsHeadersAndCallsOnlyDocumentedEndpoints() {
        AdminClient anonymous = api.anonymous();
        AdminClient.Answer page = anonymous.get("kafru/");
        assertEquals(200, page.status(), page.toString());
        assertTrue(page.contentType().startsWith("text/html"), page.toString());
        assertTrue(page.body().contains("<script type=\"module\" src=\"app.mjs\">"), page.body());
        assertTrue(page.headers().firstValue("Content-Security-Policy").orElse("").contains("default-src 'self'"));
        assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals("no-store", api.get("kafru/api/handlers").headers().firstValue("Cache-Control").orElse(""),
                "API answers are not cached");

        JsonObject paths = anonymous.send("GET", "/openapi?format=JSON", null).object().getJsonObject("paths");
        List<java.util.regex.Pattern> documented = paths.keySet().stream()
                .map(p -> java.util.regex.Pattern.compile(p.replaceAll("\\{[^/]+}", "[^/]+"))).toList();
        java.util.regex.Pattern literal = java.util.regex.Pattern.compile("[`'](/(?:tasks|queues|schedules|agents|handlers|metrics|cron|me)[^`'?]*)");
        int checked = 0;
        for (String script : List.of("kafru/app.mjs", "kafru/dashboard.mjs")) {
            AdminClient.Answer js = anonymous.get(script);
            assertEquals(200, js.status(), js.toString());
            assertTrue(js.contentType().startsWith("text/javascript"), "a module script must be served as JavaScript: " + js.contentType());
            java.util.regex.Matcher m = literal.matcher(js.body());
            while (m.find()) {
                String path = "/kafru/api" + m.group(1).replaceAll("\\$\\{[^}]+}", "x");
                assertTrue(documented.stream().anyMatch(d -> d.matcher(path).matches()), script + " calls " + path
                        + ", which the API does not have");
                checked++;
            }
        }
        assertTrue(checked >= 10, "only " + checked + " paths found in the scripts");
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void withSurrealDbDownTheApiAnswers503AndRecoversWhenItIsBack() {
        assertEquals(200, api.get("kafru/api/tasks?limit=1").status());
        dev.kafru.testing.SurrealLauncher launcher = Deployments.launcher();
        launcher.kill();
        try {
            AdminClient.Answer down = api.get("kafru/api/tasks?limit=1");
            assertProblem(down, 503, null);
            assertTrue(down.object().getString("detail").contains("try again"), down.toString());
            assertProblem(api.post("kafru/api/tasks", "{\"handler\": \"it-count\"}"), 503, null);
        } finally {
            launcher.restart();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> api.get("kafru/api/tasks?limit=1").status() == 200);
    }
}
