package dev.kafru.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** How much a dispatcher claims beyond its free threads: about a second of measured work, once it has measured enough. */
class ClaimSizerTest {

    private static final long MS = 1_000_000L;

    @Test
    void oneQuickTaskDoesNotMakeAServerHoardAFloodOfSlowerOnes() {
        ClaimSizer sizer = new ClaimSizer(4, WorkerSettings.defaults());
        assertEquals(4, sizer.prefetch(), "nothing measured: one ahead per thread");
        sizer.finished(3 * MS);
        assertEquals(4, sizer.prefetch(), "one quick task is not a measurement to claim hundreds on");
        for (int i = 0; i < 7; i++) {
            sizer.finished(40 * MS);
        }
        assertEquals((int) Math.floor(4 * 1e9 / averageNanos(3 * MS, 40 * MS, 7)), sizer.prefetch(),
                "then about a second of work for the four threads (~180 tasks of ~22 ms on average so far)");
    }

    @Test
    void shortTasksAreClaimedHundredsAtATimeUpToTwiceTheBatchSizeAndAFixedPrefetchWins() {
        ClaimSizer sizer = new ClaimSizer(8, WorkerSettings.defaults());
        for (int i = 0; i < 16; i++) {
            sizer.finished(50_000L);
        }
        assertEquals(2 * WorkerSettings.defaults().batchSize(), sizer.prefetch(), "at most twice the batch size: the next claim asked while a whole one is ahead");
        ClaimSizer fixed = new ClaimSizer(8, WorkerSettings.defaults().withPrefetch(5));
        fixed.finished(Duration.ofSeconds(10).toNanos());
        assertEquals(5, fixed.prefetch());
    }

    /** The moving average (weight 0.1) after one quick task and n slower ones. */
    private static double averageNanos(long first, long then, int n) {
        double average = first;
        for (int i = 0; i < n; i++) {
            average += 0.1 * (then - average);
        }
        return average;
    }
}
