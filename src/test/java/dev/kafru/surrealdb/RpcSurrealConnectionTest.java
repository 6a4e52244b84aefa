package dev.kafru.surrealdb;

import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RpcSurrealConnectionTest {

    static SurrealLauncher launcher;
    static RpcSurrealConnection db;

    @BeforeAll
    static void start() {
        launcher = SurrealLauncher.start();
        db = RpcSurrealConnection.open(launcher.freshDatabase());
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        if (launcher != null) {
            launcher.close();
        }
    }

    @Test
    void everyValueKindMakesARoundTripThroughTheEngineWithItsType() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("text", "héllo ⟨world⟩ '; DROP TABLE x; --");
        values.put("integer", Long.MAX_VALUE);
        values.put("float", 2.5);
        values.put("bool", false);
        values.put("decimal", new BigDecimal("1234567890.123456789012345678"));
        values.put("datetime", Instant.parse("2026-11-28T14:48:42.123456789Z"));
        values.put("duration", Duration.ofHours(26).plusNanos(7));
        values.put("uuid", UUID.randomUUID());
        values.put("record", new RecordId("things", "key-1"));
        values.put("numericRecord", new RecordId("things", 7L));
        values.put("array", List.of(1L, "x", List.of(true)));
        values.put("object", Map.of("nested", Map.of("n", 1L)));
        values.put("set", Set.of("only"));
        values.put("nullValue", null);

        for (Map.Entry<String, Object> entry : values.entrySet()) {
            Object back = db.query("RETURN $v", mapOf("v", entry.getValue())).get(0);
            assertEquals(entry.getValue(), back, entry.getKey());
        }
        // the engine sees the types, not strings
        List<Object> kinds = db.query("RETURN [type::is_datetime($d), type::is_uuid($u), type::is_decimal($m),"
                        + " type::is_duration($du), type::is_record($r), type::is_none($n), type::is_null($nl)]",
                mapOf("d", values.get("datetime"), "u", values.get("uuid"), "m", values.get("decimal"),
                        "du", values.get("duration"), "r", values.get("record"), "n", None.NONE, "nl", null));
        assertEquals(List.of(true, true, true, true, true, true, true), kinds.get(0));
    }

    @Test
    void storedRecordsKeepTheirTypesAndNoneRemovesAField() {
        RecordId id = new RecordId("typed_rows", UUID.randomUUID().toString());
        Instant at = Instant.parse("2030-01-02T03:04:05.000000006Z");
        db.query("CREATE $id CONTENT $content", mapOf("id", id, "content",
                mapOf("at", at, "amount", new BigDecimal("9.99"), "gone", "soon", "params", Map.of("a", List.of(1L)))));
        db.query("UPDATE $id SET gone = $none", mapOf("id", id, "none", None.NONE));

        @SuppressWarnings("unchecked")
        Map<String, Object> row = (Map<String, Object>) ((List<?>) db.query("SELECT * FROM $id", mapOf("id", id)).get(0)).get(0);
        assertEquals(id, row.get("id"));
        assertEquals(at, row.get("at"));
        assertEquals(new BigDecimal("9.99"), row.get("amount"));
        assertEquals(Map.of("a", List.of(1L)), row.get("params"));
        assertTrue(!row.containsKey("gone"), "NONE removes the field: " + row);
    }

    @Test
    void sixteenThreadsShareOneConnectionAndEveryAnswerIsTheirOwn() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                results.add(threads.submit(() -> {
                    int correct = 0;
                    for (int i = 0; i < 1_000; i++) {
                        String tag = thread + "/" + i;
                        List<Object> answer = db.query("RETURN [$tag, $n * 2]", mapOf("tag", tag, "n", (long) i));
                        if (List.of(tag, 2L * i).equals(answer.get(0))) {
                            correct++;
                        }
                    }
                    return correct;
                }));
            }
            int total = 0;
            for (Future<Integer> result : results) {
                total += result.get(120, TimeUnit.SECONDS);
            }
            assertEquals(16_000, total);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aFailedStatementSurfacesSurrealDbsOwnMessage() {
        SurrealException thrown = assertThrows(SurrealException.class, () -> db.query("THROW $why", mapOf("why", "custom failure 42")));
        assertTrue(thrown.getMessage().contains("custom failure 42"), thrown.getMessage());
        assertEquals(SurrealException.Kind.STATEMENT, thrown.kind());

        SurrealException parse = assertThrows(SurrealException.class, () -> db.query("SELEC * FROM nowhere", Map.of()));
        assertTrue(parse.getMessage().toLowerCase().contains("parse") || parse.getMessage().contains("SELEC"), parse.getMessage());

        SurrealException missing = assertThrows(SurrealException.class, () -> db.query("SELECT * FROM table_that_does_not_exist", Map.of()));
        assertTrue(missing.getMessage().contains("table_that_does_not_exist"), missing.getMessage());

        // the connection is still good
        assertEquals(3L, db.query("RETURN 1 + 2", Map.of()).get(0));
    }

    @Test
    void aLiveQueryDeliversTheChange() throws Exception {
        db.query("DEFINE TABLE IF NOT EXISTS watched SCHEMALESS", Map.of());
        BlockingQueue<LiveNotification> seen = new LinkedBlockingQueue<>();
        try (SurrealConnection.LiveSubscription ignored = db.live("watched", seen::add)) {
            RecordId id = new RecordId("watched", "w1");
            db.query("CREATE $id SET value = $v", mapOf("id", id, "v", "first"));
            LiveNotification notification = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(notification, "no live notification within 10 s");
            assertEquals("CREATE", notification.action());
            assertEquals(id, notification.record());
            assertInstanceOf(Map.class, notification.result());
            assertEquals("first", ((Map<?, ?>) notification.result()).get("value"));
        }
    }

    @Test
    void listenersOfOneTableShareOneLiveQueryAndEachSeesEveryChange() throws Exception {
        db.query("DEFINE TABLE IF NOT EXISTS shared_watch SCHEMALESS", Map.of());
        BlockingQueue<LiveNotification> first = new LinkedBlockingQueue<>();
        BlockingQueue<LiveNotification> second = new LinkedBlockingQueue<>();
        SurrealConnection.LiveSubscription one = db.live("shared_watch", first::add);
        SurrealConnection.LiveSubscription two = db.live("shared_watch", second::add);
        try {
            assertEquals(1, liveQueriesOn("shared_watch"), "one live query on the server for both listeners");
            db.query("CREATE shared_watch:a SET v = 1", Map.of());
            assertEquals(new RecordId("shared_watch", "a"), first.poll(10, TimeUnit.SECONDS).record());
            assertEquals(new RecordId("shared_watch", "a"), second.poll(10, TimeUnit.SECONDS).record());

            one.close();
            one.close(); // a second close changes nothing
            db.query("CREATE shared_watch:b SET v = 2", Map.of());
            assertEquals(new RecordId("shared_watch", "b"), second.poll(10, TimeUnit.SECONDS).record(), "the other listener still hears");
            assertEquals(1, liveQueriesOn("shared_watch"));
            assertNull(first.poll(300, TimeUnit.MILLISECONDS), "a closed listener hears nothing more");
        } finally {
            one.close();
            two.close();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> liveQueriesOn("shared_watch") == 0);
    }

    /** How many live queries the server runs on the table. */
    private int liveQueriesOn(String table) {
        Object info = db.query("INFO FOR TABLE " + table, Map.of()).get(0);
        return ((Map<?, ?>) ((Map<?, ?>) info).get("lives")).size();
    }

    @Test
    void aWrongPasswordIsRefusedAndNamesTheSettingsToCheck() {
        SurrealSettings wrong = launcher.freshDatabase().withPassword("not-the-password");
        SurrealException refused = assertThrows(SurrealException.class, () -> RpcSurrealConnection.open(wrong));
        assertEquals(SurrealException.Kind.AUTH, refused.kind(), refused.getMessage());
        assertTrue(refused.getMessage().contains("kafru.db.password"), refused.getMessage());
    }

    @Test
    void aRefusedSigninIsNotRetriedAndEveryRequestFailsWithIt() {
        CountingScheduler reconnects = new CountingScheduler();
        SurrealSettings wrong = launcher.freshDatabase().withPassword("not-the-password").withRequestTimeout(Duration.ofSeconds(10));
        RpcSurrealConnection refused = RpcSurrealConnection.connect(wrong, reconnects, null);
        try {
            SurrealException atStart = assertThrows(SurrealException.class, () -> refused.awaitReady(Duration.ofSeconds(10)));
            assertEquals(SurrealException.Kind.AUTH, atStart.kind(), atStart.getMessage());
            // a request fails with the refusal itself, not after waiting for a reconnect that never comes
            SurrealException request = assertThrows(SurrealException.class, () -> refused.query("RETURN 1", Map.of()));
            assertEquals(SurrealException.Kind.AUTH, request.kind(), request.getMessage());
            assertTrue(request.getMessage().contains("kafru.db.username") && request.getMessage().contains("kafru.db.password"),
                    request.getMessage());
            // the refusal was handled under the connection's lock, which the request above waited for: no retry was timed
            assertEquals(0, reconnects.scheduled.get(), "a refused signin must not be retried");
        } finally {
            refused.close();
            reconnects.shutdownNow();
        }

        // the same counter does see the retries of a server that cannot be reached
        CountingScheduler retries = new CountingScheduler();
        SurrealSettings nobody = SurrealSettings.of(URI.create("ws://127.0.0.1:" + SurrealLauncher.freePort() + "/rpc"),
                SurrealLauncher.USER, SurrealLauncher.PASSWORD, "kafru_test", "nobody");
        RpcSurrealConnection unreachable = RpcSurrealConnection.connect(nobody, retries, null);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> retries.scheduled.get() >= 3);
        } finally {
            unreachable.close();
            retries.shutdownNow();
        }
    }

    /** A real scheduler that counts what the connection times (its reconnects). */
    static final class CountingScheduler extends ScheduledThreadPoolExecutor {
        final AtomicInteger scheduled = new AtomicInteger();

        CountingScheduler() {
            super(1);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduled.incrementAndGet();
            return super.schedule(command, delay, unit);
        }
    }

    @Test
    void unknownValueTypesAreRefusedBeforeAnythingIsSent() {
        db.query("DEFINE TABLE IF NOT EXISTS things SCHEMALESS", Map.of());
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> db.query("CREATE things SET x = $x", mapOf("x", new StringBuilder("no"))));
        assertTrue(refused.getMessage().contains("StringBuilder"), refused.getMessage());
        assertEquals(0L, db.query("RETURN count(SELECT * FROM things WHERE x != NONE)", Map.of()).get(0));
    }

    static Map<String, Object> mapOf(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
