package dev.kafru.surrealdb;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SurrealCborTest {

    @Test
    void everyValueKindSurvivesEncodeAndDecode() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("text", "héllo ⟨world⟩");
        values.put("long", Long.MIN_VALUE);
        values.put("double", 3.25);
        values.put("bool", true);
        values.put("null", null);
        values.put("none", None.NONE);
        values.put("table", new Table("kafru_queues"));
        values.put("record", new RecordId("kafru_queues", "abc"));
        values.put("numericRecord", new RecordId("t", 42L));
        values.put("decimal", new BigDecimal("12345678901234567890.000000000000000001"));
        values.put("datetime", Instant.parse("2026-11-28T14:48:42.123456789Z"));
        values.put("beforeEpoch", Instant.parse("1901-01-01T00:00:00.5Z"));
        values.put("duration", Duration.ofSeconds(93_784, 5));
        values.put("uuid", UUID.fromString("0190a3b4-7c1d-7abc-8def-0123456789ab"));
        values.put("set", Set.of("a"));
        values.put("list", List.of(1L, "two", List.of(3L)));
        values.put("nested", Map.of("k", Map.of("deep", 1L)));

        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) SurrealCbor.decode(SurrealCbor.encode(values));

        assertEquals(values.keySet(), back.keySet());
        for (String key : values.keySet()) {
            assertEquals(values.get(key), back.get(key), key);
        }
        assertSame(None.NONE, back.get("none"));
        assertNull(back.get("null"));
    }

    @Test
    void bytesComeBackAsBytes() {
        byte[] raw = {0, 1, 2, (byte) 255};
        assertArrayEquals(raw, (byte[]) SurrealCbor.decode(SurrealCbor.encode(raw)));
    }

    @Test
    void unknownTagsAreKeptWhole() {
        Tagged geometry = new Tagged(88, List.of(1.5, 2.5));
        assertEquals(geometry, SurrealCbor.decode(SurrealCbor.encode(geometry)));
    }

    @Test
    void aValueSurrealDbCannotHoldIsRefusedWithItsType() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> SurrealCbor.encode(Map.of("x", new Object())));
        assertTrue(error.getMessage().contains("java.lang.Object"), error.getMessage());
    }

    @Test
    void recordIdsAreParsedWithOrWithoutTheirTable() {
        assertEquals(new RecordId("kafru_queues", "abc"), RecordId.parse("kafru_queues", "abc"));
        assertEquals(new RecordId("kafru_queues", "abc"), RecordId.parse("kafru_queues", "kafru_queues:abc"));
        assertEquals(new RecordId("kafru_queues", "abc"), RecordId.parse("kafru_queues", "kafru_queues:⟨abc⟩"));
        assertEquals(new RecordId("kafru_queues", "other:abc"), RecordId.parse("kafru_queues", "other:abc"));
        assertThrows(IllegalArgumentException.class, () -> RecordId.parse("kafru_queues", " "));
    }
}
