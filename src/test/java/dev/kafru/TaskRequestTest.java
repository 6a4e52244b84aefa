package dev.kafru;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskRequestTest {

    private static InvalidTaskException refused(TaskRequest request) {
        return assertThrows(InvalidTaskException.class, request::validate);
    }

    @Test
    void eachBadFieldIsNamedWithTheFix() {
        assertEquals("handler", refused(TaskRequest.of(" ")).field());
        assertEquals("handler", refused(TaskRequest.of("no spaces allowed")).field());
        assertEquals("queue", refused(TaskRequest.of("h").queue("bad queue")).field());
        assertEquals("queue", refused(TaskRequest.of("h").queue(null)).field());
        assertEquals("name", refused(TaskRequest.of("h").name("x".repeat(201))).field());
        assertEquals("priority", refused(TaskRequest.of("h").priority(2_000_000)).field());
        InvalidTaskException attempts = refused(TaskRequest.of("h").maxAttempts(0));
        assertEquals("maxAttempts", attempts.field());
        assertTrue(attempts.getMessage().contains("1 to 100"), attempts.getMessage());
    }

    @Test
    void parametersMustBeJsonAndTheBadPathIsNamed() {
        InvalidTaskException e = refused(TaskRequest.of("h").parameters(Map.of("a", List.of(1, Map.of("when", Instant.EPOCH)))));
        assertEquals("parameters.a[1].when", e.field());
        assertTrue(e.getMessage().contains("java.time.Instant"), e.getMessage());
        assertEquals("parameters.x", refused(TaskRequest.of("h").parameters(Map.of("x", Double.NaN))).field());
        TaskRequest.of("h").parameters(Map.of("s", "t", "n", 1, "d", 2.5, "b", true, "l", List.of(), "m", Map.of())).validate();
    }

    @Test
    void defaultsAreTheDefaultQueueTheHandlerAsNameAndThreeAttempts() {
        TaskRequest request = TaskRequest.of("report");
        assertEquals("default", request.queue());
        assertEquals("report", request.name());
        assertEquals(3, request.maxAttempts());
        assertEquals(0, request.priority());
    }

    @Test
    void theContextGivesTypedParametersAndSaysWhatIsWrong() {
        Task task = new Task("t1", "n", "q", "h", Map.of("count", 3L, "ratio", 0.5, "name", "x", "flag", true, "big", 1L << 40),
                TaskStatus.InProgress, null, 0, null, 2, 3, "me", null, null, null, null, null);
        TaskContext ctx = new TaskContext(task, () -> false);
        assertEquals(3, ctx.getInt("count"));
        assertEquals(0.5, ctx.getDouble("ratio"));
        assertEquals("x", ctx.getString("name"));
        assertTrue(ctx.getBoolean("flag"));
        assertEquals(7, ctx.getInt("missing", 7));
        assertEquals(2, ctx.attempt());
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class, () -> ctx.getInt("name"));
        assertTrue(wrong.getMessage().contains("'name'") && wrong.getMessage().contains("whole number"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ctx.getInt("big"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ctx.getString("absent"));
        assertTrue(missing.getMessage().contains("absent"), missing.getMessage());
    }

    @Test
    void theNameCheckAgreesWithTheNamePatternOnEveryCharacterAndLength() {
        java.util.Random random = new java.util.Random(42);
        String alphabet = "aZ09_.:-/ é\t@#;$'\"%\u0000ß";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(104);
            for (int j = 0; j < length; j++) {
                text.append(random.nextInt(4) == 0 ? alphabet.charAt(random.nextInt(alphabet.length()))
                        : (char) ('a' + random.nextInt(26)));
            }
            String candidate = text.toString();
            org.junit.jupiter.api.Assertions.assertEquals(TaskRequest.NAME_PATTERN.matcher(candidate).matches(),
                    TaskRequest.isName(candidate), "'" + candidate + "'");
        }
        for (char c = 0; c < 512; c++) {
            String one = String.valueOf(c);
            org.junit.jupiter.api.Assertions.assertEquals(TaskRequest.NAME_PATTERN.matcher(one).matches(), TaskRequest.isName(one), "char " + (int) c);
        }
        org.junit.jupiter.api.Assertions.assertFalse(TaskRequest.isName(null));
    }

    @TaskOptions(queue = "mail", maxAttempts = 5, timeout = "PT30S", priority = 10)
    static final class WithOptions {
    }

    @TaskOptions(maxAttempts = 7)
    static final class OnlyAttempts {
    }

    static TaskOptions options(Class<?> type) {
        return type.getAnnotation(TaskOptions.class);
    }

    @Test
    void theHandlersOptionsFillOnlyWhatTheRequestLeftOut() {
        TaskRequest filled = TaskRequest.of("send").withDefaults(options(WithOptions.class));
        assertEquals("mail", filled.queue());
        assertEquals(5, filled.maxAttempts());
        assertEquals(10, filled.priority());
        assertEquals(java.time.Duration.ofSeconds(30), filled.timeout());

        TaskRequest explicit = TaskRequest.of("send").queue("default").maxAttempts(3).priority(0).timeout(java.time.Duration.ofSeconds(2));
        TaskRequest kept = explicit.withDefaults(options(WithOptions.class));
        assertEquals("default", kept.queue(), "a value given, even the default's, is kept");
        assertEquals(3, kept.maxAttempts());
        assertEquals(0, kept.priority());
        assertEquals(java.time.Duration.ofSeconds(2), kept.timeout());
        assertEquals(explicit, kept);

        TaskRequest partly = TaskRequest.of("send").priority(4).withDefaults(options(OnlyAttempts.class));
        assertEquals(7, partly.maxAttempts());
        assertEquals(4, partly.priority());
        assertEquals("default", partly.queue(), "an option left out is no default");
        assertEquals(null, partly.timeout());
    }

    @Test
    void fillingDefaultsLeavesTheGivenRequestAsItWas() {
        TaskRequest given = TaskRequest.of("send");
        TaskRequest filled = given.withDefaults(options(WithOptions.class));
        assertEquals("default", given.queue());
        assertEquals(3, given.maxAttempts());
        assertTrue(!given.equals(filled), "a request that leaves values out differs from one that gives them");
        assertEquals(given, TaskRequest.of("send"));
        assertEquals(given.hashCode(), TaskRequest.of("send").hashCode());
        assertTrue(!TaskRequest.of("send").equals(TaskRequest.of("send").queue("default")),
                "leaving the queue out (the handler's default applies) is not the same request as naming the default queue");
    }

    @Test
    void aTimeOutOptionThatIsNoDurationIsRefusedNamingTheField() {
        InvalidTaskException e = assertThrows(InvalidTaskException.class, () -> TaskRequest.parseTimeout("soon"));
        assertEquals("timeout", e.field());
        assertTrue(e.getMessage().contains("PT30S"), e.getMessage());
        assertEquals("timeout", refused(TaskRequest.of("h").timeout(java.time.Duration.ofSeconds(-5))).field());
    }

    @Test
    void theCallerBecomesTheAuthorOfACopyAndAnAuthorGivenStays() {
        TaskRequest mine = TaskRequest.of("mail").queue("q").priority(3).immediate();
        TaskRequest authored = mine.authoredBy("alice");
        assertEquals("alice", authored.author());
        assertEquals(null, mine.author(), "the caller's request is left as it was");
        assertEquals(mine, TaskRequest.of("mail").queue("q").priority(3).immediate());
        assertEquals(mine.author("bob"), authored.author("bob"), "the copy has every other field");
        TaskRequest given = TaskRequest.of("mail").author("schedule:nightly");
        assertEquals("schedule:nightly", given.authoredBy("alice").author());
        InvalidTaskException tooLong = org.junit.jupiter.api.Assertions.assertThrows(InvalidTaskException.class,
                () -> TaskRequest.of("mail").author("a".repeat(TaskRequest.AUTHOR_LIMIT + 1)).validate());
        assertEquals("author", tooLong.field());
    }
}
