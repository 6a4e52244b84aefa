package dev.kafru.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Push on commit and the author, seen from outside a server that runs kafru.war with
 * {@link TransactionResource} (under {@code it-tx/}): the same checks on Payara Micro
 * ({@link PushOnCommitIT}) and WildFly ({@link WildFlyTransactionsIT}). Whether a task was stored is
 * read through the admin API; how often the handler ran, from the resource.
 */
final class PushOnCommitChecks {

    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private final AdminClient admin;
    private final String adminUser;

    PushOnCommitChecks(AdminClient admin, String adminUser) {
        this.admin = admin;
        this.adminUser = adminUser;
    }

    private static String unique(String prefix) {
        return prefix + "-" + System.nanoTime();
    }

    private List<String> post(String path) {
        AdminClient.Answer answer = admin.post("it-tx/tx/" + path, null);
        assertEquals(200, answer.status(), path + ": " + answer);
        return strings(answer.array());
    }

    private static List<String> strings(JsonArray array) {
        return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }

    private long count(String query) {
        AdminClient.Answer answer = admin.get("kafru/api/tasks/count?" + query);
        assertEquals(200, answer.status(), answer.toString());
        return answer.object().getJsonNumber("count").longValue();
    }

    private List<Integer> runs(List<String> ids) {
        AdminClient.Answer answer = admin.post("it-tx/tx/runs", Json.createArrayBuilder(ids).build().toString());
        assertEquals(200, answer.status(), answer.toString());
        return answer.array().getValuesAs(jakarta.json.JsonNumber.class).stream().map(jakarta.json.JsonNumber::intValue).toList();
    }

    private JsonObject task(String id) {
        AdminClient.Answer answer = admin.get("kafru/api/tasks/" + id);
        assertEquals(200, answer.status(), answer.toString());
        return answer.object();
    }

    /** Pushes a task that commits and waits until it ran: a task stored before it would have run by then too. */
    private void runCanary() {
        String id = post("each-commit?n=1&name=" + unique("canary")).get(0);
        await().atMost(PATIENCE).until(() -> "Completed".equals(task(id).getString("status")));
    }

    /** How the test beans push on this server: an EJB where it has EJBs, a @Transactional CDI bean everywhere. */
    List<String> vias() {
        AdminClient.Answer answer = admin.get("it-tx/tx/vias");
        assertEquals(200, answer.status(), answer.toString());
        return strings(answer.array());
    }

    void pushesOfARolledBackTransactionAreNeverStoredAndNeverRun() {
        String name = unique("rolled-back");
        List<String> ids = new java.util.ArrayList<>();
        for (String via : vias()) {
            ids.addAll(post("rollback?via=" + via + "&name=" + name));
        }
        ids.addAll(post("pushall-rollback?n=30&name=" + name));
        assertEquals(ids.size(), Set.copyOf(ids).size(), "each push answered an id of its own at once: " + ids);
        runCanary();
        assertEquals(0, count("name=" + name), "a rolled-back push was stored");
        for (String id : ids) {
            assertEquals(404, admin.get("kafru/api/tasks/" + id).status(), id);
        }
        assertEquals(java.util.Collections.nCopies(ids.size(), 0), runs(ids), "a rolled-back push ran");
    }

    void anImmediatePushIsStoredEvenWhenItsTransactionRollsBack() {
        String id = post("rollback?via=cdi&immediate=true&name=" + unique("immediate")).get(0);
        await().atMost(PATIENCE).until(() -> "Completed".equals(task(id).getString("status")));
        assertEquals(List.of(1), runs(List.of(id)));
    }

    void aPushIsNotListedBeforeItsTransactionCommitsAndIsAtOnceAfter() {
        for (String via : vias()) {
            aPushIsNotListedBeforeItsTransactionCommitsAndIsAtOnceAfter(via);
        }
    }

    private void aPushIsNotListedBeforeItsTransactionCommitsAndIsAtOnceAfter(String via) {
        String name = unique("held-" + via);
        AdminClient.Answer held = admin.post("it-tx/tx/hold?via=" + via + "&name=" + name, null);
        assertEquals(200, held.status(), held.toString());
        assertTrue(held.object().getBoolean("heldOnThread"), "the bean pushed and waits before its commit");
        AdminClient.Answer before = admin.get("kafru/api/tasks?name=" + name);
        assertEquals(200, before.status(), before.toString());
        assertEquals(0, before.array().size(), via + ": listed before the commit: " + before);
        assertEquals(0, count("name=" + name));

        String id = post("release?name=" + name).get(0);
        AdminClient.Answer after = admin.get("kafru/api/tasks?name=" + name);
        assertEquals(1, after.array().size(), via + ": stored by the time the bean's commit returned: " + after);
        assertEquals(id, after.array().getJsonObject(0).getString("id"));
        await().atMost(PATIENCE).until(() -> "Completed".equals(task(id).getString("status")));
        assertEquals(List.of(1), runs(List.of(id)));
        assertTrue(task(id).isNull("author") || !task(id).containsKey("author"),
                "an unauthenticated caller's task has no author: " + task(id));
    }

    void theOneTransactionsPushesAreWrittenTogether() {
        List<String> ids = post("each-commit?n=12&name=" + unique("together"));
        Set<String> created = ids.stream().map(id -> task(id).getString("dateCreated")).collect(Collectors.toSet());
        assertEquals(1, created.size(), "twelve pushes of one transaction, one statement, one creation time: " + created);
    }

    /** A thousand transactions of one push each, every other one rolled back: exactly 500 tasks, each run once. */
    void aThousandTransactionsHalfRolledBackLeaveExactly500TasksEachRunOnce(String server) {
        String name = unique("alternate");
        AdminClient.Answer answer = admin.post("it-tx/tx/alternate?n=1000&name=" + name, null);
        assertEquals(200, answer.status(), answer.toString());
        JsonObject result = answer.object();
        List<String> committed = strings(result.getJsonArray("committed"));
        List<String> rolledBack = strings(result.getJsonArray("rolledBack"));
        assertEquals(500, committed.size());
        assertEquals(500, rolledBack.size());
        assertEquals(0, result.getInt("notStoredAtReturn"), "every committed push is stored when commit() returns");
        assertEquals(500, count("name=" + name), "stored: the committed ones only");
        await().atMost(PATIENCE).until(() -> count("status=Completed&name=" + name) == 500);
        assertEquals(java.util.Collections.nCopies(500, 1), runs(committed), "each committed task ran once");
        assertEquals(java.util.Collections.nCopies(500, 0), runs(rolledBack), "no rolled-back task ran");
        System.out.println(server + ": commit() to stored, 500 commits: p50 " + result.getInt("commitMicrosP50") + " µs, p99 "
                + result.getInt("commitMicrosP99") + " µs, max " + result.getInt("commitMicrosMax") + " µs");
    }

    /**
     * The admin API's user is the author of what they push and run; the author filter finds it,
     * and a filter longer than an author can be is refused naming the field.
     */
    void theAdminsTasksCarryTheirNameAndAreFoundByIt() {
        AdminClient.Answer pushed = admin.post("kafru/api/tasks", "{\"handler\": \"it-count\", \"name\": \"" + unique("by-admin") + "\"}");
        assertEquals(201, pushed.status(), pushed.toString());
        assertEquals(adminUser, pushed.object().getString("author"), pushed.toString());
        String id = pushed.object().getString("id");
        assertEquals(adminUser, task(id).getString("author"));

        String schedule = unique("by-admin-schedule");
        AdminClient.Answer created = admin.post("kafru/api/schedules", "{\"name\": \"" + schedule
                + "\", \"handler\": \"it-count\", \"cron\": \"0 0 0 1 1 ? 2099\"}");
        assertEquals(201, created.status(), created.toString());
        AdminClient.Answer ran = admin.post("kafru/api/schedules/" + created.object().getString("id") + "/run", null);
        assertEquals(201, ran.status(), ran.toString());
        assertEquals(adminUser, ran.object().getString("author"),
                "run now takes the caller from the container's security context: " + ran);

        AdminClient.Answer mine = admin.get("kafru/api/tasks?limit=1000&author=" + AdminClient.segment(adminUser));
        assertEquals(200, mine.status(), mine.toString());
        Set<String> ids = mine.array().getValuesAs(JsonValue::asJsonObject).stream().map(t -> t.getString("id")).collect(Collectors.toSet());
        assertTrue(ids.contains(id) && ids.contains(ran.object().getString("id")), mine.toString());
        assertTrue(count("author=" + AdminClient.segment(adminUser)) >= 2);
        assertEquals(0, count("author=nobody-" + System.nanoTime()));

        AdminClient.Answer tooLong = admin.get("kafru/api/tasks?author=" + "a".repeat(300));
        assertEquals(400, tooLong.status(), tooLong.toString());
        assertTrue(tooLong.body().contains("author"), tooLong.toString());
    }
}
