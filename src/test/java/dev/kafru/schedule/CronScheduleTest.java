package dev.kafru.schedule;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Parsing and next times, without a store. */
class CronScheduleTest {

    static final ZoneId UTC = ZoneOffset.UTC;
    static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    static List<Instant> next(String cron, ZoneId zone, String from, int count) {
        return CronSchedule.parse(cron, zone).next(Instant.parse(from), count, null);
    }

    static List<Instant> instants(String... texts) {
        return java.util.Arrays.stream(texts).map(Instant::parse).toList();
    }

    @Test
    void quartzSecondsFieldFiresOnTheSecond() {
        assertEquals(instants("2026-01-01T00:00:05Z", "2026-01-01T00:00:10Z", "2026-01-01T00:00:15Z"),
                next("*/5 * * * * ?", UTC, "2026-01-01T00:00:01Z", 3));
        assertEquals(instants("2026-01-01T00:00:07Z"), next("7 * * * * ? *", UTC, "2026-01-01T00:00:00Z", 1),
                "7 fields: the optional year");
    }

    @Test
    void theNextSecondIsFoundFromATimeWithAFraction() {
        // a scheduler fires an occurrence a little after it: the next one is the next second, not the one after
        CronSchedule everySecond = CronSchedule.parse("* * * * * ?", UTC);
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:53Z")), everySecond.nextAfter(Instant.parse("2026-01-01T00:00:52.028Z")));
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:53Z")), everySecond.nextAfter(Instant.parse("2026-01-01T00:00:52.999999999Z")));
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:53Z")), everySecond.nextAfter(Instant.parse("2026-01-01T00:00:52Z")));
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:53Z")), everySecond.nextAtOrAfter(Instant.parse("2026-01-01T00:00:53Z")));
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:01:00Z")),
                CronSchedule.parse("0 * * * * ?", UTC).nextAfter(Instant.parse("2026-01-01T00:00:59.5Z")));
    }

    @Test
    void unixFiveFieldsAreMinuteFirst() {
        assertEquals(instants("2026-01-01T02:00:00Z", "2026-01-01T02:15:00Z", "2026-01-01T02:30:00Z", "2026-01-01T02:45:00Z",
                        "2026-01-02T02:00:00Z"),
                next("*/15 2 * * 1-5", UTC, "2026-01-01T00:00:00Z", 5), "2026-01-01 is a Thursday");
        assertEquals(instants("2026-01-05T02:00:00Z"), next("*/15 2 * * 1-5", UTC, "2026-01-02T03:00:00Z", 1),
                "Friday 03:00 → Monday 02:00, past the weekend");
    }

    @Test
    void theCratesFormWithBothDayFieldsStarredIsAccepted() {
        assertEquals(instants("2026-01-01T00:00:01Z", "2026-01-01T00:00:02Z"), next("* * * * * *", UTC, "2026-01-01T00:00:00Z", 2));
        assertEquals(instants("2026-01-05T06:00:00Z"), next("0 0 6 * * MON", UTC, "2026-01-01T00:00:00Z", 1));
        assertEquals("0 30 2 * * ? *", CronSchedule.quartzOf("0", "30", "2", null, "", null, null));
    }

    @Test
    void invalidExpressionsAreRefusedQuotingThemAndTheParsersReason() {
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 61 * * * ?", UTC));
        assertTrue(range.getMessage().contains("'0 61 * * * ?'") && range.getMessage().contains("Value 61 not in range [0, 59]"),
                range.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("* * *", UTC));
        assertTrue(count.getMessage().contains("'* * *'") && count.getMessage().contains("3 fields"), count.getMessage());
        IllegalArgumentException word = assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("0 0 12 ? * FUNDAY", UTC));
        assertTrue(word.getMessage().contains("'0 0 12 ? * FUNDAY'"), word.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CronSchedule.parse("  ", UTC));
    }

    @Test
    void aDailyLocalTimeStaysLocalAcrossBothDstChangesInBerlin() {
        // spring forward 2026-03-29 (UTC+1 → UTC+2), fall back 2026-10-25 (UTC+2 → UTC+1)
        assertEquals(instants("2026-03-28T08:00:00Z", "2026-03-29T07:00:00Z", "2026-03-30T07:00:00Z"),
                next("0 0 9 * * ?", BERLIN, "2026-03-27T12:00:00Z", 3));
        assertEquals(instants("2026-10-24T07:00:00Z", "2026-10-25T08:00:00Z", "2026-10-26T08:00:00Z"),
                next("0 0 9 * * ?", BERLIN, "2026-10-23T12:00:00Z", 3));
    }

    @Test
    void aLocalTimeThatDoesNotExistIsSkippedThatDayAndOneThatRepeatsFiresOnce() {
        assertEquals(instants("2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"),
                next("0 30 2 * * ?", BERLIN, "2026-03-27T12:00:00Z", 2), "02:30 does not exist on 2026-03-29 in Berlin");
        assertEquals(instants("2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
                next("0 30 2 * * ?", BERLIN, "2026-10-24T12:00:00Z", 2), "02:30 happens twice on 2026-10-25; it fires once");
    }

    @Test
    void anHourlyScheduleFiresEveryRealHourThroughTheNewYorkDstNights() {
        // 2026-03-08: 02:00 EST jumps to 03:00 EDT; 2026-11-01: 02:00 EDT falls back to 01:00 EST
        assertEquals(instants("2026-03-08T06:00:00Z", "2026-03-08T07:00:00Z", "2026-03-08T08:00:00Z"),
                next("0 0 * * * ?", NEW_YORK, "2026-03-08T05:30:00Z", 3), "01:00 EST, 03:00 EDT, 04:00 EDT");
        List<Instant> fallBack = next("0 0 * * * ?", NEW_YORK, "2026-11-01T03:30:00Z", 4);
        assertEquals(instants("2026-11-01T04:00:00Z", "2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z"), fallBack,
                "00:00 EDT, 01:00 EDT, 01:00 EST, 02:00 EST: no hour lost, none twice");
    }

    @Test
    void aYearInThePastHasNoNextTime() {
        assertTrue(CronSchedule.parse("0 0 0 1 1 ? 2020", UTC).nextAfter(Instant.parse("2026-01-01T00:00:00Z")).isEmpty());
    }
}
