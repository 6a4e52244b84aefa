package dev.kafru.store.surreal;

import dev.kafru.store.MinuteCount;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-minute counts in kafru_minutes on the real engine: written per server, summed when read, pruned by age. */
class SurrealMetricRepositoryTest {

    static final Instant T = Instant.parse("2026-11-28T18:00:00Z");

    RpcSurrealConnection db;
    SurrealMetricRepository metrics;

    @BeforeEach
    void open() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        metrics = new SurrealMetricRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void minutesAreSummedOverServersARewriteReplacesAndOldMinutesArePruned() {
        metrics.countMinutes("a", List.of(new MinuteCount("mail", T, 5, 1), new MinuteCount("mail", T.plusSeconds(60), 2, 0)));
        metrics.countMinutes("b", List.of(new MinuteCount("mail", T, 7, 0), new MinuteCount("jobs", T, 1, 1)));
        metrics.countMinutes("a", List.of(new MinuteCount("mail", T.plusSeconds(60), 4, 2)));
        metrics.countMinutes("a", List.of(new MinuteCount("mail", T.minusSeconds(3600), 9, 9)));

        assertEquals(List.of(new MinuteCount("jobs", T, 1, 1), new MinuteCount("mail", T, 12, 1),
                new MinuteCount("mail", T.plusSeconds(60), 4, 2)), metrics.minutesSince(T),
                "by queue, then minute; servers summed; server a's second write of a minute replaced its first");

        assertEquals(1, metrics.forgetMinutes(T, 100), "only the minute before T");
        assertEquals(4L, ((Number) db.query("RETURN count((SELECT VALUE id FROM kafru_minutes))", Map.of()).get(0)).longValue());
    }
}
