package dev.kafru.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The retry pause the README promises: {@code retry-base × 2^(attempt−1)}, ±25% jitter, never
 * more than {@code retry-max}. The bounds are written out as numbers, not computed the way the
 * code computes them.
 */
class WorkerSettingsTest {

    static final int SAMPLES = 2_000;

    static WorkerSettings settings(Duration base, Duration max) {
        return WorkerSettings.builder().retryBase(base).retryMax(max).build();
    }

    static LongSummaryStatistics delays(WorkerSettings settings, int failedAttempts) {
        return IntStream.range(0, SAMPLES).mapToLong(i -> settings.retryDelay(failedAttempts).toMillis()).summaryStatistics();
    }

    /** Every pause within [low, high] ms, and the jitter really spreading them to near both ends. */
    static void assertSpread(LongSummaryStatistics pauses, long low, long high, String what) {
        assertTrue(pauses.getMin() >= low && pauses.getMax() <= high,
                what + ": pauses from " + pauses.getMin() + " to " + pauses.getMax() + " ms, expected within " + low + ".." + high);
        long tenth = (high - low) / 10;
        assertTrue(pauses.getMin() < low + tenth && pauses.getMax() > high - tenth,
                what + ": " + SAMPLES + " pauses only spread from " + pauses.getMin() + " to " + pauses.getMax()
                        + " ms; the jitter should cover " + low + ".." + high);
    }

    @Test
    void thePauseDoublesWithEachFailedAttemptStartingAtTheBaseWithinAQuarterEitherWay() {
        WorkerSettings oneSecond = settings(Duration.ofSeconds(1), Duration.ofHours(1));
        assertSpread(delays(oneSecond, 1), 750, 1_250, "after the first failed attempt: 1 s ± 25%");
        assertSpread(delays(oneSecond, 2), 1_500, 2_500, "after the second: 2 s ± 25%");
        assertSpread(delays(oneSecond, 3), 3_000, 5_000, "after the third: 4 s ± 25%");
        assertSpread(delays(oneSecond, 4), 6_000, 10_000, "after the fourth: 8 s ± 25%");
        assertSpread(delays(oneSecond, 11), 768_000, 1_280_000, "after the eleventh: 1024 s ± 25%");

        WorkerSettings fiftyMillis = settings(Duration.ofMillis(50), Duration.ofHours(1));
        assertSpread(delays(fiftyMillis, 1), 38, 62, "a 50 ms base: 50 ms ± 25%, in whole milliseconds");
        assertSpread(delays(fiftyMillis, 5), 600, 1_000, "a 50 ms base after five: 800 ms ± 25%");
    }

    @Test
    void retryMaxCapsThePauseJitterIncluded() {
        WorkerSettings capped = settings(Duration.ofSeconds(1), Duration.ofMinutes(1));
        assertSpread(delays(capped, 6), 24_000, 40_000, "32 s ± 25%, under the 60 s cap");
        // 64 s and more are capped at 60 s; the jitter only shortens from there
        for (int attempt : new int[]{7, 8, 20, 31, 64, 100, Integer.MAX_VALUE}) {
            assertSpread(delays(capped, attempt), 45_000, 60_000, "attempt " + attempt + " with retry-max 60 s");
        }
        WorkerSettings defaults = WorkerSettings.defaults();
        LongSummaryStatistics longest = delays(defaults, 40);
        assertTrue(longest.getMax() <= 3_600_000, "the default retry-max is 1 h: " + longest.getMax() + " ms");
    }
}
