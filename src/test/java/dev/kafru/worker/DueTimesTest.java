package dev.kafru.worker;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * When a dispatcher looks again after a claim that came back short, on a clock that stands
 * still: the known due time decides, the store is asked only as a fallback.
 */
class DueTimesTest {

    static final Instant NOW = Instant.parse("2026-12-01T02:00:00Z");
    static final Duration POLL = Duration.ofSeconds(15);

    final AtomicInteger scans = new AtomicInteger();
    Optional<Instant> stored = Optional.empty();
    final java.util.List<Instant> behind = new java.util.ArrayList<>();
    final DueTimes dueTimes = new DueTimes(POLL, () -> {
        scans.incrementAndGet();
        return stored;
    }, behind::add, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aTaskDueBeforeNowIsReportedToTheStoreAndOneDueLaterIsNot() {
        dueTimes.noteDue(NOW.plusSeconds(5));
        dueTimes.noteDue(NOW.minusSeconds(30));
        assertEquals(java.util.List.of(NOW.minusSeconds(30)), behind, "only the one behind where claims may have got to");
    }

    @Test
    void withNothingKnownTheDispatcherWaitsForThePoll() {
        assertEquals(POLL, dueTimes.untilNextDue(POLL));
        assertEquals(1, scans.get(), "the store was asked once");
    }

    @Test
    void theEarliestAnnouncedDueTimeSetsTheWaitToJustAfterIt() {
        dueTimes.noteDue(NOW.plusSeconds(5));
        dueTimes.noteDue(NOW.plusMillis(300));
        dueTimes.noteDue(NOW.plusSeconds(3));
        dueTimes.noteDue(null);
        assertEquals(Duration.ofMillis(302), dueTimes.untilNextDue(POLL));
        assertEquals(Duration.ofMillis(100), dueTimes.untilNextDue(Duration.ofMillis(100)), "never longer than asked");
    }

    @Test
    void aDueTimeOnlyTheStoreKnowsIsReadFromIt() {
        stored = Optional.of(NOW.plusSeconds(1));
        assertEquals(Duration.ofMillis(1_002), dueTimes.untilNextDue(POLL));
    }

    @Test
    void theStoreIsAskedAtMostOncePerPollIntervalUnlessADueTimeWasWrittenMeanwhile() {
        dueTimes.untilNextDue(POLL);
        dueTimes.untilNextDue(POLL);
        assertEquals(1, scans.get());
        dueTimes.rescanSoon(); // a retry's run_at, computed by the database
        dueTimes.untilNextDue(POLL);
        assertEquals(2, scans.get());
    }

    @Test
    void aDueTimeThatPassedWithoutAClaimIsLookedAtAgainShortlyThenForgotten() {
        dueTimes.untilNextDue(POLL); // the scan of this poll interval is spent
        dueTimes.noteDue(NOW.minusMillis(1));
        assertEquals(DueTimes.RECHECK, dueTimes.untilNextDue(POLL), "the database's run_at may be a little later");
        assertEquals(POLL, dueTimes.untilNextDue(POLL), "the passed hint is gone");
        assertEquals(2, scans.get(), "and the look after it asked the store again");
    }
}
