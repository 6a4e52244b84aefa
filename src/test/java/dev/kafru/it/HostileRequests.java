package dev.kafru.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates malformed and hostile admin API requests, none of which may change anything:
 * broken JSON, huge and deeply nested bodies, wrong types, SurrealQL fragments in ids and
 * filters, unknown fields, unknown handlers, missing or wrong credentials, and writes a page on
 * another site makes with the operator's cached credentials (a form post, a script's request).
 */
final class HostileRequests {

    /** How a request authenticates. */
    enum Auth { ADMIN, VIEWER, NONE, WRONG }

    /**
     * @param requestedBy whether it carries X-Requested-By (as scripts and the dashboard do; an HTML form cannot)
     * @param headers more headers, such as the Origin of a hostile page
     */
    record Hostile(String kind, Auth auth, String method, String path, byte[] body, String contentType, boolean requestedBy,
                   java.util.Map<String, String> headers) {
        Hostile(String kind, Auth auth, String method, String path, byte[] body, String contentType) {
            this(kind, auth, method, path, body, contentType, true, java.util.Map.of());
        }

        @Override
        public String toString() {
            String text = body == null ? "" : new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8);
            return kind + " " + auth + " " + method + " " + path + (requestedBy ? "" : " (no X-Requested-By)")
                    + (headers.isEmpty() ? "" : " " + headers) + " " + text;
        }
    }

    /**
     * SurrealQL and other fragments put into ids, filters and values, none of which is a valid
     * queue or handler name (letters, digits, {@code - _ . :}, at most 100), so that every
     * request carrying one must be refused. A NUL ({@code %00}) in a path is not among them:
     * Payara's HTTP layer refuses such a request itself with a 400 of its own, before any
     * application code runs (seen here).
     */
    static final List<String> FRAGMENTS = List.of(
            "x' OR 1=1 --", "1; DELETE kafru_queues", "kafru_queues:x; DELETE kafru_queues;", "*", "$this", "$id",
            "(SELECT * FROM kafru_queues)", "⟨⟩", "`x`", "x} RETURN 1; {", "' OR true OR '",
            "kafru_queues:⟨a⟩ OR true", "x\" OR \"1\"=\"1", "UPDATE kafru_queues SET status='Error'",
            "kafru_schedules:1, kafru_schedules:2", "; REMOVE TABLE kafru_queues;", "%00", "é⟩; DELETE kafru_schedules",
            "a b", "x\ny", "🙂", "<script>alert(1)</script>");

    /**
     * Fragments that are also valid queue and handler names (a queue may be called "NONE"): a
     * request with one in a name's place is valid, so these go only where no name is taken —
     * ids, statuses, numbers, cron, time zones, commands. Written out rather than picked with
     * the name pattern under test, so that a pattern that let more through would be caught.
     */
    static final List<String> NAME_LIKE_FRAGMENTS = List.of("kafru_queues", "NONE", "null", "1..9", "0x10", "..");

    private final Random random;
    private final String scheduleId;
    private final String queueAgentId;
    /** A Waiting task (due tomorrow) that a cancel refused must leave Waiting. */
    private final String waitingTaskId;
    private final List<Hostile> out = new ArrayList<>();

    HostileRequests(long seed, String scheduleId, String queueAgentId, String waitingTaskId) {
        this.random = new Random(seed);
        this.scheduleId = scheduleId;
        this.queueAgentId = queueAgentId;
        this.waitingTaskId = waitingTaskId;
    }

    static final String TASK = "{\"handler\": \"it-count\", \"queue\": \"default\", \"name\": \"n\", \"parameters\": {\"a\": [1, 2]},"
            + " \"priority\": 1, \"runAt\": \"2030-01-01T00:00:00Z\", \"maxAttempts\": 2,"
            + " \"timeout\": \"PT30S\", \"uniqueKey\": \"hostile-key\", \"uniqueFor\": \"PT1M\","
            + " \"labels\": [\"hostile\", \"tenant-7\"]}";
    static final String SCHEDULE = "{\"name\": \"hostile\", \"handler\": \"it-count\", \"queue\": \"default\", \"parameters\": {},"
            + " \"cron\": \"0 0 2 * * ?\", \"timeZone\": \"UTC\", \"oneTime\": false, \"startSchedule\": \"2030-01-01T00:00:00Z\","
            + " \"untilSchedule\": \"2031-01-01T00:00:00Z\", \"status\": \"Disabled\"}";
    static final String COMMAND = "{\"command\": \"TaskTerminate\", \"message\": \"m\", \"author\": \"a\"}";
    static final String MEMBER = "{\"handler\": \"it-count\", \"queue\": \"default\", \"runAt\": \"2030-01-01T00:00:00Z\"}";
    static final String BATCH = "{\"members\": [" + MEMBER + ", " + MEMBER + "], \"onComplete\": " + MEMBER + "}";

    List<Hostile> all() {
        brokenJson();
        hugeAndDeep();
        wrongTypes();
        fragmentsInIdsAndFilters();
        unknownFields();
        unknownHandlersAndBadValues();
        credentials();
        crossSite();
        chainsAndBatches();
        return out;
    }

    private void add(String kind, Auth auth, String method, String path, String body) {
        out.add(new Hostile(kind, auth, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8), "application/json"));
    }

    private List<String[]> bodyEndpoints() {
        return List.of(new String[]{"POST", "kafru/api/tasks", TASK}, new String[]{"POST", "kafru/api/schedules", SCHEDULE},
                new String[]{"PUT", "kafru/api/schedules/" + scheduleId, SCHEDULE},
                new String[]{"POST", "kafru/api/agents/" + queueAgentId + "/commands", COMMAND},
                new String[]{"POST", "kafru/api/batches", BATCH});
    }

    private void brokenJson() {
        for (String[] e : bodyEndpoints()) {
            String valid = e[2];
            for (int i = 0; i < 25; i++) {
                add("truncated", Auth.ADMIN, e[0], e[1], valid.substring(0, 1 + random.nextInt(valid.length() - 1)));
            }
            for (String broken : List.of("", " ", "null", "[]", "[" + valid + "]", "\"text\"", "42", "true", valid + " {}",
                    valid + "x", "{\"handler\": \"it-count\", \"handler\": \"it-count\"}", valid.replace("\"", "'"),
                    valid.replace(":", "="), "{" + valid, valid.replace("}", ",}"), "{\"a\":1}}", "\uFEFF" + "{,}")) {
                add("broken", Auth.ADMIN, e[0], e[1], broken);
            }
            byte[] notUtf8 = valid.getBytes(StandardCharsets.UTF_8).clone();
            notUtf8[notUtf8.length / 2] = (byte) 0xC3;
            notUtf8[notUtf8.length / 2 + 1] = (byte) 0x28;
            out.add(new Hostile("not-utf8", Auth.ADMIN, e[0], e[1], notUtf8, "application/json"));
            out.add(new Hostile("wrong-content-type", Auth.ADMIN, e[0], e[1], valid.getBytes(StandardCharsets.UTF_8), "text/plain"));
            out.add(new Hostile("form", Auth.ADMIN, e[0], e[1], "handler=it-count".getBytes(StandardCharsets.UTF_8),
                    "application/x-www-form-urlencoded"));
        }
    }

    private void hugeAndDeep() {
        String huge = "{\"handler\": \"it-count\", \"parameters\": {\"blob\": \"" + "x".repeat(2 * 1024 * 1024) + "\"}}";
        for (String[] e : bodyEndpoints()) {
            add("huge", Auth.ADMIN, e[0], e[1], huge);
            add("huge-anonymous", Auth.NONE, e[0], e[1], huge);
            add("huge-viewer", Auth.VIEWER, e[0], e[1], huge);
            out.add(new Hostile("huge-text", Auth.ADMIN, e[0], e[1], huge.getBytes(StandardCharsets.UTF_8), "text/plain"));
            add("deep", Auth.ADMIN, e[0], e[1], "{\"handler\": \"it-count\", \"parameters\": " + "{\"a\":".repeat(200)
                    + "1" + "}".repeat(200) + "}");
            add("deep-array", Auth.ADMIN, e[0], e[1], "{\"parameters\": " + "[".repeat(5000) + "]".repeat(5000) + "}");
            add("many-keys", Auth.ADMIN, e[0], e[1], manyKeys(e[2]));
        }
        add("huge-number", Auth.ADMIN, "POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"priority\": 1" + "0".repeat(400) + "}");
        add("huge-float", Auth.ADMIN, "POST", "kafru/api/tasks", "{\"handler\": \"it-count\", \"parameters\": {\"f\": 1e99999}}");
        add("long-id", Auth.ADMIN, "GET", "kafru/api/tasks/" + "a".repeat(5000), null);
        add("long-id", Auth.ADMIN, "POST", "kafru/api/tasks/" + "a".repeat(201) + "/cancel", null);
    }

    private static String manyKeys(String valid) {
        StringBuilder b = new StringBuilder(valid.substring(0, valid.length() - 1));
        for (int i = 0; i < 2000; i++) {
            b.append(", \"k").append(i).append("\": ").append(i);
        }
        return b.append('}').toString();
    }

    private void wrongTypes() {
        List<String> values = List.of("123", "-1.5", "true", "[]", "[\"a\"]", "{}", "{\"$gt\": 1}", "\"text\"", "\"\"");
        String[][] taskFields = {{"handler", "s"}, {"queue", "s"}, {"name", "s"}, {"parameters", "o"}, {"priority", "n"},
                {"runAt", "t"}, {"maxAttempts", "n"}, {"timeout", "d"}, {"uniqueKey", "s"}, {"uniqueFor", "d"}, {"labels", "l"}};
        for (String[] field : taskFields) {
            for (String value : values) {
                if (fits(field[1], value)) {
                    continue;
                }
                add("wrong-type", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, field[0], value));
            }
        }
        String[][] scheduleFields = {{"name", "s"}, {"handler", "s"}, {"queue", "s"}, {"parameters", "o"}, {"cron", "c"},
                {"timeZone", "s"}, {"oneTime", "b"}, {"startSchedule", "t"}, {"untilSchedule", "t"}, {"status", "e"}};
        for (String[] field : scheduleFields) {
            for (String value : values) {
                if (fits(field[1], value)) {
                    continue;
                }
                String body = replace(SCHEDULE, field[0], value);
                add("wrong-type", Auth.ADMIN, "POST", "kafru/api/schedules", body);
                add("wrong-type", Auth.ADMIN, "PUT", "kafru/api/schedules/" + scheduleId, body);
            }
        }
        for (String value : values) {
            add("wrong-type", Auth.ADMIN, "POST", "kafru/api/agents/" + queueAgentId + "/commands", "{\"command\": " + value + "}");
        }
    }

    /** Whether a value is valid for a field kind (those are left out: they might be accepted). */
    private static boolean fits(String kind, String value) {
        return switch (kind) {
            case "o" -> value.startsWith("{");
            case "n" -> value.equals("123");
            case "s" -> value.equals("\"text\"");
            case "b" -> value.equals("true");
            case "c" -> value.startsWith("{") && !value.contains("$");
            case "l" -> value.equals("[]") || value.equals("[\"a\"]");
            default -> false;
        };
    }

    private static String replace(String body, String field, String value) {
        String marker = "\"" + field + "\": ";
        int at = body.indexOf(marker);
        int from = at + marker.length();
        int depth = 0;
        int end = from;
        boolean inString = false;
        for (; end < body.length(); end++) {
            char c = body.charAt(end);
            if (c == '"' && body.charAt(end - 1) != '\\') {
                inString = !inString;
            } else if (!inString && (c == '{' || c == '[')) {
                depth++;
            } else if (!inString && (c == '}' || c == ']')) {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (!inString && c == ',' && depth == 0) {
                break;
            }
        }
        return body.substring(0, from) + value + body.substring(end);
    }

    private void fragmentsInIdsAndFilters() {
        for (String fragment : FRAGMENTS) {
            fragmentWhereNoNameIsTaken(fragment);
            String q = AdminClient.segment(fragment);
            add("fragment-id", Auth.ADMIN, "POST", "kafru/api/queues/" + q + "/pause", null);
            add("fragment-id", Auth.ADMIN, "POST", "kafru/api/queues/" + q + "/resume", null);
            add("fragment-id", Auth.ADMIN, "POST", "kafru/api/queues/" + q + "/retry-failed", null);
            add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks?queue=" + q, null);
            add("fragment-filter", Auth.ADMIN, "DELETE", "kafru/api/tasks?queue=" + q, null);
            add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/schedules?queue=" + q, null);
            add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/schedules?handler=" + q, null);
            add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks?handler=" + q, null);
            add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks/count?queue=" + q, null);
            add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks/count?handler=" + q, null);
            add("fragment-value", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "queue", quote(fragment)));
            if (!dev.kafru.TaskRequest.isLabel(fragment)) { // a fragment that is a label ("../x") is a label filter that finds nothing
                add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks?label=" + q, null);
                add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks/count?label=" + q, null);
                add("fragment-value", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "labels", "[" + quote(fragment) + "]"));
            }
        }
        for (String fragment : NAME_LIKE_FRAGMENTS) {
            fragmentWhereNoNameIsTaken(fragment);
        }
    }

    /** A fragment as an id, a status, a kind, a number, a cron, a time zone, a command, an unknown handler. */
    private void fragmentWhereNoNameIsTaken(String fragment) {
        String id = AdminClient.segment(fragment);
        String q = AdminClient.segment(fragment);
        add("fragment-id", Auth.ADMIN, "GET", "kafru/api/tasks/" + id, null);
        add("fragment-id", Auth.ADMIN, "DELETE", "kafru/api/tasks/" + id, null);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/tasks/" + id + "/retry", null);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/tasks/" + id + "/terminate", null);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/tasks/" + id + "/cancel", null);
        add("fragment-id", Auth.ADMIN, "GET", "kafru/api/tasks/" + id + "/children", null);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/tasks/" + id + "/then", MEMBER);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/tasks/" + id + "/on-failure", MEMBER);
        add("fragment-id", Auth.ADMIN, "GET", "kafru/api/batches/" + id, null);
        if (!fragment.equals("..")) { // batches/../tasks is GET /tasks, which answers 200
            add("fragment-id", Auth.ADMIN, "GET", "kafru/api/batches/" + id + "/tasks", null);
        }
        add("fragment-id", Auth.ADMIN, "GET", "kafru/api/schedules/" + id, null);
        add("fragment-id", Auth.ADMIN, "PUT", "kafru/api/schedules/" + id, SCHEDULE);
        add("fragment-id", Auth.ADMIN, "DELETE", "kafru/api/schedules/" + id, null);
        add("fragment-id", Auth.ADMIN, "GET", "kafru/api/schedules/" + id + "/next", null);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/schedules/" + id + "/run", null);
        add("fragment-id", Auth.ADMIN, "POST", "kafru/api/agents/" + id + "/commands", COMMAND);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks?status=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks?limit=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks?offset=" + q, null);
        add("fragment-filter", Auth.ADMIN, "DELETE", "kafru/api/tasks?status=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/schedules?status=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/schedules?upcoming=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/agents?kind=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/agents?status=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/schedules/" + scheduleId + "/next?count=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks/count?status=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/tasks/count?cap=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/queues/throughput?minutes=" + q, null);
        add("fragment-value", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=" + q, null);
        add("fragment-value", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=0+0+2+*+*+%3F&timeZone=" + q, null);
        add("fragment-filter", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=0+0+2+*+*+%3F&count=" + q, null);
        add("fragment-value", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "handler", quote(fragment)));
        add("fragment-value", Auth.ADMIN, "POST", "kafru/api/schedules", replace(SCHEDULE, "cron", quote(fragment)));
        add("fragment-value", Auth.ADMIN, "POST", "kafru/api/schedules", replace(SCHEDULE, "timeZone", quote(fragment)));
        add("fragment-value", Auth.ADMIN, "POST", "kafru/api/agents/" + queueAgentId + "/commands",
                replace(COMMAND, "command", quote(fragment)));
    }

    private static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private void unknownFields() {
        List<String> names = List.of("id", "status", "owner", "attempts", "lease_until", "leaseUntil", "$where", "__proto__",
                "constructor", "Handler", "handler ", "", "kafru_queues", "dateCreated");
        for (String name : names) {
            String extra = ", " + quote(name) + ": \"x\"}";
            add("unknown-field", Auth.ADMIN, "POST", "kafru/api/tasks", TASK.substring(0, TASK.length() - 1) + extra);
            add("unknown-field", Auth.ADMIN, "POST", "kafru/api/schedules", SCHEDULE.substring(0, SCHEDULE.length() - 1) + extra);
            add("unknown-field", Auth.ADMIN, "PUT", "kafru/api/schedules/" + scheduleId, SCHEDULE.substring(0, SCHEDULE.length() - 1) + extra);
            add("unknown-field", Auth.ADMIN, "POST", "kafru/api/agents/" + queueAgentId + "/commands",
                    COMMAND.substring(0, COMMAND.length() - 1) + extra);
        }
        add("unknown-cron-field", Auth.ADMIN, "POST", "kafru/api/schedules", replace(SCHEDULE, "cron", "{\"second\": \"0\", \"sekond\": \"1\"}"));
        for (String param : List.of("foo=1", "status=Error&status=Waiting", "limit=1&limit=2", "queue=default&queue=second", "where=1")) {
            add("query", Auth.ADMIN, "GET", "kafru/api/tasks?" + param, null);
            add("query", Auth.ADMIN, "DELETE", "kafru/api/tasks?" + param, null);
        }
        add("query", Auth.ADMIN, "GET", "kafru/api/queues?x=1", null);
        add("query", Auth.ADMIN, "GET", "kafru/api/handlers?x=1", null);
        add("query", Auth.ADMIN, "GET", "kafru/api/metrics?x=1", null);
        add("query", Auth.ADMIN, "GET", "kafru/api/me?x=1", null);
        add("query", Auth.ADMIN, "GET", "kafru/api/tasks/count?limit=1", null);
        add("query", Auth.ADMIN, "GET", "kafru/api/queues/throughput?queue=default", null);
        add("query", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=0+0+2+*+*+%3F&zone=UTC", null);
        add("query", Auth.ADMIN, "POST", "kafru/api/tasks?x=1", TASK);
        add("query", Auth.ADMIN, "POST", "kafru/api/queues/default/retry-failed?x=1", null);
        add("query", Auth.ADMIN, "POST", "kafru/api/schedules/" + scheduleId + "/run?x=1", null);
    }

    private void unknownHandlersAndBadValues() {
        for (String handler : List.of("nope", "IT-COUNT", "it-count ", "it_count", "x".repeat(101))) {
            add("unknown-handler", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "handler", quote(handler)));
            add("unknown-handler", Auth.ADMIN, "POST", "kafru/api/schedules", replace(SCHEDULE, "handler", quote(handler)));
        }
        for (String value : List.of("0", "101", "-1", "1000000000000")) {
            add("out-of-range", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "maxAttempts", value));
        }
        for (String value : List.of("1000001", "-1000001", "9223372036854775808")) {
            add("out-of-range", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "priority", value));
        }
        for (String value : List.of("\"-PT5S\"", "\"PT0S\"", "\"P8D\"", "\"soon\"", "\"30s\"", "\"PT\"", "-5")) {
            add("out-of-range", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "timeout", value));
        }
        // a unique key of 1 to 200 characters, not blank; uniqueFor an ISO-8601 duration up to 30 days, and only with a key
        for (String key : List.of("\"\"", "\" \"", "\"\\t\\n\"", quote("k".repeat(201)), quote("k".repeat(300)))) {
            add("bad-unique-key", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "uniqueKey", key));
        }
        for (String value : List.of("\"soon\"", "\"-PT5S\"", "\"P31D\"", "\"1h\"", "3600")) {
            add("bad-unique-for", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "uniqueFor", value));
        }
        add("unique-for-without-key", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "uniqueKey", "null"));
        // up to 8 labels of 1 to 64 letters, digits, - _ . : /
        for (String labels : List.of("[" + quote("l".repeat(200)) + "]", "[" + quote("l".repeat(65)) + "]", "[\"\"]", "[\"a b\"]",
                "[\"a\", null]", "[1]", "[[\"a\"]]", "[\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\"]", "\"tenant-7\"")) {
            add("bad-labels", Auth.ADMIN, "POST", "kafru/api/tasks", replace(TASK, "labels", labels));
        }
        for (String cron : List.of("\"0 61 * * * ?\"", "\"* * * * * * * *\"", "\"\"", "\"@daily\"")) {
            add("bad-cron", Auth.ADMIN, "POST", "kafru/api/schedules", replace(SCHEDULE, "cron", cron));
        }
        add("until-before-start", Auth.ADMIN, "POST", "kafru/api/schedules",
                replace(SCHEDULE, "untilSchedule", "\"2029-01-01T00:00:00Z\""));
        for (String limit : List.of("0", "1001", "-5", "99999999999")) {
            add("limit", Auth.ADMIN, "GET", "kafru/api/tasks?limit=" + limit, null);
            add("limit", Auth.ADMIN, "GET", "kafru/api/schedules?limit=" + limit, null);
            add("count", Auth.ADMIN, "GET", "kafru/api/schedules/" + scheduleId + "/next?count=" + limit, null);
            add("count", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=0+0+2+*+*+%3F&count=" + limit, null);
        }
        for (String cap : List.of("0", "10001", "-1")) {
            add("cap", Auth.ADMIN, "GET", "kafru/api/tasks/count?cap=" + cap, null);
        }
        for (String minutes : List.of("0", "121", "-60")) {
            add("minutes", Auth.ADMIN, "GET", "kafru/api/queues/throughput?minutes=" + minutes, null);
        }
        for (String cron : List.of("0+61+*+*+*+%3F", "*+*+*+*+*+*+*+*", "", "%40daily", "x".repeat(201))) {
            add("bad-cron", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=" + cron, null);
        }
        add("bad-zone", Auth.ADMIN, "GET", "kafru/api/cron/next?cron=0+0+2+*+*+%3F&timeZone=Mars%2FOlympus", null);
        add("long-name", Auth.ADMIN, "GET", "kafru/api/tasks?name=" + "n".repeat(201), null);
        add("long-name", Auth.ADMIN, "GET", "kafru/api/tasks/count?name=" + "n".repeat(201), null);
        add("long-author", Auth.ADMIN, "GET", "kafru/api/tasks?author=" + "a".repeat(300), null);
        add("long-author", Auth.ADMIN, "GET", "kafru/api/tasks/count?author=" + "a".repeat(300), null);
        add("long-label", Auth.ADMIN, "GET", "kafru/api/tasks?label=" + "l".repeat(65), null);
        add("long-label", Auth.ADMIN, "GET", "kafru/api/tasks/count?label=" + "l".repeat(200), null);
        add("offset", Auth.ADMIN, "GET", "kafru/api/tasks?offset=-1", null);
        // well-formed commands, from an admin, for another kind of agent than the queue worker's
        for (String command : List.of("TaskTerminate", "TaskRemove", "SchedulerGracefulShutdown", "SchedulerForceShutdown")) {
            add("wrong-kind-command", Auth.ADMIN, "POST", "kafru/api/agents/" + queueAgentId + "/commands",
                    replace(COMMAND, "command", quote(command)));
        }
    }

    /** A hostile page's origin, and kafru's own pages' header that a form cannot send. */
    static final String EVIL = "http://evil.example";

    /**
     * Every kind of write, as a page on another site makes it with the operator's cached admin
     * credentials: an HTML form (form-encoded, no X-Requested-By, its Origin), a script whose
     * request somehow carries the header (its Origin or Referer still gives it away), a sandboxed
     * frame (Origin "null"), and a request with no Origin but no header either. Each must be a 403.
     */
    private void crossSite() {
        List<String[]> writes = new ArrayList<>(bodyEndpoints());
        for (String path : List.of("kafru/api/queues/default/pause", "kafru/api/queues/frozen/resume",
                "kafru/api/tasks/some-task/retry", "kafru/api/tasks/some-task/terminate",
                "kafru/api/tasks/" + waitingTaskId + "/cancel", "kafru/api/queues/default/retry-failed",
                "kafru/api/schedules/" + scheduleId + "/run")) {
            writes.add(new String[]{"POST", path, null});
        }
        writes.add(new String[]{"DELETE", "kafru/api/tasks?status=Waiting", null});
        writes.add(new String[]{"DELETE", "kafru/api/schedules/" + scheduleId, null});
        byte[] form = "handler=it-count&queue=default".getBytes(StandardCharsets.UTF_8);
        for (String[] w : writes) {
            byte[] json = w[2] == null ? null : w[2].getBytes(StandardCharsets.UTF_8);
            out.add(new Hostile("cross-site-form", Auth.ADMIN, w[0], w[1], form, "application/x-www-form-urlencoded", false,
                    java.util.Map.of("Origin", EVIL)));
            out.add(new Hostile("cross-site-form-text", Auth.ADMIN, w[0], w[1], json, "text/plain", false,
                    java.util.Map.of("Origin", EVIL, "Referer", EVIL + "/page")));
            out.add(new Hostile("cross-site-origin", Auth.ADMIN, w[0], w[1], json, "application/json", true,
                    java.util.Map.of("Origin", EVIL)));
            out.add(new Hostile("cross-site-null-origin", Auth.ADMIN, w[0], w[1], json, "application/json", true,
                    java.util.Map.of("Origin", "null")));
            out.add(new Hostile("cross-site-referer", Auth.ADMIN, w[0], w[1], json, "application/json", true,
                    java.util.Map.of("Referer", EVIL + "/kafru/")));
            out.add(new Hostile("cross-site-lookalike", Auth.ADMIN, w[0], w[1], json, "application/json", true,
                    java.util.Map.of("Origin", "http://localhost.evil.example")));
            out.add(new Hostile("cross-site-no-header", Auth.ADMIN, w[0], w[1], json, "application/json", false, java.util.Map.of()));
        }
    }

    private void credentials() {
        for (String[] e : bodyEndpoints()) {
            add("no-credentials", Auth.NONE, e[0], e[1], e[2]);
            add("wrong-credentials", Auth.WRONG, e[0], e[1], e[2]);
            add("viewer-writes", Auth.VIEWER, e[0], e[1], e[2]);
        }
        for (String path : List.of("kafru/api/tasks", "kafru/api/tasks?status=Completed", "kafru/api/schedules/" + scheduleId)) {
            add("viewer-deletes", Auth.VIEWER, "DELETE", path, null);
            add("anonymous-deletes", Auth.NONE, "DELETE", path, null);
        }
        add("viewer-pauses", Auth.VIEWER, "POST", "kafru/api/queues/default/pause", null);
        add("viewer-cancels", Auth.VIEWER, "POST", "kafru/api/tasks/" + waitingTaskId + "/cancel", null);
        add("anonymous-cancels", Auth.NONE, "POST", "kafru/api/tasks/" + waitingTaskId + "/cancel", null);
        add("wrong-cancels", Auth.WRONG, "POST", "kafru/api/tasks/" + waitingTaskId + "/cancel", null);
        add("viewer-retries", Auth.VIEWER, "POST", "kafru/api/queues/default/retry-failed", null);
        add("viewer-runs", Auth.VIEWER, "POST", "kafru/api/schedules/" + scheduleId + "/run", null);
        add("anonymous-retries", Auth.NONE, "POST", "kafru/api/queues/default/retry-failed", null);
        add("anonymous-runs", Auth.NONE, "POST", "kafru/api/schedules/" + scheduleId + "/run", null);
        add("anonymous-resumes", Auth.NONE, "POST", "kafru/api/queues/frozen/resume", null);
        add("anonymous-reads", Auth.NONE, "GET", "kafru/api/tasks", null);
        for (String path : List.of("kafru/api/me", "kafru/api/tasks/count", "kafru/api/queues/throughput",
                "kafru/api/cron/next?cron=0+0+2+*+*+%3F")) {
            add("anonymous-reads", Auth.NONE, "GET", path, null);
            add("wrong-reads", Auth.WRONG, "GET", path, null);
        }
        add("wrong-reads", Auth.WRONG, "GET", "kafru/api/agents", null);
    }

    /** Chains and batches: followers and members that are not tasks, too many, too deep, or not there. */
    private void chainsAndBatches() {
        String valid = MEMBER.substring(0, MEMBER.length() - 1);
        for (String field : List.of("then", "onFailure")) {
            for (String value : List.of("\"x\"", "1", "{}", "[1]", "[\"a\"]", "[null, 1]", "[{}]", "[{\"handler\": \"nope nope\"}]",
                    "[{\"handler\": \"no-such-handler\"}]", "[{\"handler\": \"it-count\", \"colour\": 1}]",
                    "[{\"handler\": \"it-count\", \"priority\": 9999999}]",
                    "[{\"handler\": \"it-count\", \"then\": [{\"handler\": \"it-count\", \"queue\": \"a b\"}]}]",
                    "[" + String.join(", ", java.util.Collections.nCopies(21, MEMBER)) + "]")) {
                add("bad-follower", Auth.ADMIN, "POST", "kafru/api/tasks", valid + ", \"" + field + "\": " + value + "}");
            }
        }
        // a follower on a task with a unique key is refused
        add("bad-follower", Auth.ADMIN, "POST", "kafru/api/tasks", TASK.substring(0, TASK.length() - 1) + ", \"then\": [" + MEMBER + "]}");
        for (String members : List.of("[]", "null", "{}", "\"x\"", "[1]", "[{}]", "[" + MEMBER + ", {\"handler\": \"nope nope\"}]",
                "[" + MEMBER + ", {\"handler\": \"it-count\", \"uniqueKey\": \"k\"}]",
                "[" + String.join(", ", java.util.Collections.nCopies(10_001, "{\"handler\": \"it-count\"}")) + "]")) {
            add("bad-batch", Auth.ADMIN, "POST", "kafru/api/batches", "{\"members\": " + members + "}");
        }
        for (String onComplete : List.of("1", "[]", "\"x\"", "{}", "{\"handler\": \"no-such-handler\"}", "{\"handler\": \"it-count\", \"x\": 1}")) {
            add("bad-batch", Auth.ADMIN, "POST", "kafru/api/batches", "{\"members\": [" + MEMBER + "], \"onComplete\": " + onComplete + "}");
        }
        add("bad-batch", Auth.ADMIN, "POST", "kafru/api/batches", "{\"members\": [" + MEMBER + "], \"extra\": 1}");
        for (String query : List.of("limit=0", "limit=1001", "offset=-1", "offset=x", "colour=red")) {
            add("bad-batch", Auth.ADMIN, "GET", "kafru/api/batches/no-such-batch/tasks?" + query, null);
        }
        add("viewer-pushes-batch", Auth.VIEWER, "POST", "kafru/api/batches", BATCH);
        add("anonymous-pushes-batch", Auth.NONE, "POST", "kafru/api/batches", BATCH);
    }
}
