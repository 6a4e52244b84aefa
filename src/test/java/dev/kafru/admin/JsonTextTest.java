package dev.kafru.admin;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTextTest {

    private static Map<String, Object> read(String text) {
        return JsonText.readObject(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static Problem refused(String text) {
        return assertThrows(ProblemException.class, () -> read(text)).problem();
    }

    @Test
    void readsAnObjectWithItsJsonTypes() {
        Map<String, Object> body = read("{\"s\":\"x\",\"i\":12,\"big\":12345678901234,\"f\":1.5,\"t\":true,\"n\":null,"
                + "\"a\":[1,\"b\"],\"o\":{\"k\":2.0}}");
        assertEquals("x", body.get("s"));
        assertEquals(12L, body.get("i"));
        assertEquals(12345678901234L, body.get("big"));
        assertEquals(1.5, body.get("f"));
        assertEquals(Boolean.TRUE, body.get("t"));
        assertTrue(body.containsKey("n") && body.get("n") == null);
        assertEquals(List.of(1L, "b"), body.get("a"));
        assertEquals(Map.of("k", 2L), body.get("o"));
    }

    @Test
    void refusesWhatIsNotOneWellFormedObject() {
        Map<String, String> cases = Map.of(
                "", "empty",
                "[1]", "must be a JSON object",
                "\"x\"", "must be a JSON object",
                "{\"a\":1", "malformed JSON",
                "{\"a\":1} {}", "malformed JSON",
                "{\"a\":1,\"a\":2}", "'a' is given twice",
                "{a:1}", "malformed JSON",
                "{\"a\":1e999}", "out of range");
        cases.forEach((text, expected) -> {
            Problem p = refused(text);
            assertEquals(400, p.status(), text);
            assertTrue(p.detail().contains(expected), text + " -> " + p.detail());
        });
    }

    @Test
    void refusesDeepNestingNamingThePath() {
        String deep = "{\"p\":" + "[".repeat(40) + "]".repeat(40) + "}";
        Problem p = refused(deep);
        assertTrue(p.detail().contains("deeper than 32 levels"), p.detail());
        assertTrue(p.invalidFields().get(0).name().startsWith("p["), p.invalidFields().toString());
    }

    /** {@code levels} nested objects, the body itself the first: {"a":{"a":…{"a":1}…}}. */
    private static String nested(int levels) {
        return "{\"a\":".repeat(levels - 1) + "{\"a\":1}" + "}".repeat(levels - 1);
    }

    /** The body itself, then arrays: {"p":[[…[1]…]]} with {@code levels} levels in all. */
    private static String nestedArrays(int levels) {
        return "{\"p\":" + "[".repeat(levels - 1) + "1" + "]".repeat(levels - 1) + "}";
    }

    @Test
    void aBodyMayNestThirtyTwoLevelsDeepAndNotThirtyThree() {
        // the README: "at most 32 levels deep"
        read(nested(32));
        read(nestedArrays(32));
        for (String tooDeep : List.of(nested(33), nestedArrays(33))) {
            Problem p = refused(tooDeep);
            assertEquals(400, p.status(), tooDeep);
            assertTrue(p.detail().contains("deeper than 32 levels"), p.detail());
        }
    }

    @Test
    void refusesBodiesThatAreNotUtf8OrTooLarge() {
        Problem notUtf8 = assertThrows(ProblemException.class,
                () -> JsonText.readObject(new ByteArrayInputStream(new byte[]{'{', '"', (byte) 0xC3, '"', ':', '1', '}'}))).problem();
        assertTrue(notUtf8.detail().contains("not UTF-8"), notUtf8.detail());
        byte[] huge = new byte[JsonText.MAX_BODY + 10];
        java.util.Arrays.fill(huge, (byte) ' ');
        Problem tooLarge = assertThrows(ProblemException.class, () -> JsonText.readObject(new ByteArrayInputStream(huge))).problem();
        assertEquals(413, tooLarge.status());
    }

    /** A JSON object of exactly {@code bytes} bytes: {"blob":"xxx…"}. */
    private static byte[] bodyOf(int bytes) {
        String head = "{\"blob\":\"";
        String tail = "\"}";
        return (head + "x".repeat(bytes - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBodyOfOneMebibyteIsReadAndOneByteMoreIsA413() {
        // the README: "413 (bodies over 1 MiB)"
        byte[] mebibyte = bodyOf(1_048_576);
        assertEquals(1_048_576, mebibyte.length);
        assertEquals(1_048_576 - 11, ((String) JsonText.readObject(new ByteArrayInputStream(mebibyte)).get("blob")).length());
        byte[] over = bodyOf(1_048_577);
        Problem tooLarge = assertThrows(ProblemException.class, () -> JsonText.readObject(new ByteArrayInputStream(over))).problem();
        assertEquals(413, tooLarge.status());
        assertTrue(tooLarge.detail().contains("1048576 bytes"), tooLarge.detail());
    }

    @Test
    void fieldsCollectEveryProblemAtOnce() {
        Fields f = Fields.of(read("{\"priority\":\"high\",\"runAt\":\"tomorrow\",\"maxAttempts\":0,\"prority\":1}"),
                Bodies.fieldsOf(Bodies.TaskInput.class));
        f.integer("priority", -5, 5);
        f.instant("runAt");
        f.integer("maxAttempts", 1, 100);
        Problem p = assertThrows(ProblemException.class, f::done).problem();
        assertEquals(List.of("prority", "priority", "runAt", "maxAttempts"),
                p.invalidFields().stream().map(Problem.InvalidField::name).toList());
        assertTrue(p.invalidFields().get(3).reason().contains("out of range"), p.toString());
    }
}
