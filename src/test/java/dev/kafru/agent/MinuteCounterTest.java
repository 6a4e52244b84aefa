package dev.kafru.agent;

import dev.kafru.store.MinuteCount;
import dev.kafru.store.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MinuteCounterTest {

    static final Instant T = Instant.parse("2026-11-28T18:00:00Z");

    /** A clock the test moves. */
    static Clock clock(AtomicReference<Instant> now) {
        return new Clock() {
            @Override
            public Instant instant() {
                return now.get();
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
    }

    @Test
    void countsEachMinuteAndDropsAMinuteOnlyAfterItsLastRead() {
        AtomicReference<Instant> now = new AtomicReference<>(T.plusSeconds(10));
        MinuteCounter counter = new MinuteCounter("mail", clock(now));
        counter.finished(null, Outcome.completed("a"), Duration.ZERO);
        counter.finished(null, Outcome.retry("b", "mail", "x", Duration.ZERO), Duration.ZERO);
        counter.finished(null, Outcome.failed("c", "x"), Duration.ZERO);
        counter.finished(null, null, Duration.ZERO); // handed back by a stop: not an attempt that ended
        assertEquals(List.of(new MinuteCount("mail", T, 1, 2)), counter.drain());

        now.set(T.plusSeconds(70));
        counter.finished(null, Outcome.completed("d"), Duration.ZERO);
        assertEquals(2, counter.drain().size(), "the minute before is still written, whole");

        now.set(T.plusSeconds(130));
        List<MinuteCount> rows = counter.drain();
        assertEquals(2, rows.size(), "T is read once more, its last time");
        assertEquals(List.of(new MinuteCount("mail", T.plusSeconds(60), 1, 0)), counter.drain(), "then forgotten");
    }
}
