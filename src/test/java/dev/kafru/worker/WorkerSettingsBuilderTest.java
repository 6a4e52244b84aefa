package dev.kafru.worker;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The builder names only what differs, keeps the rest, and checks values as the record does. */
class WorkerSettingsBuilderTest {

    @Test
    void aBuilderWithNothingSetGivesTheDefaults() {
        WorkerSettings defaults = WorkerSettings.builder().build();
        assertEquals(new WorkerSettings(Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(30),
                Duration.ofSeconds(1), Duration.ofHours(1), 4000, -1, Duration.ofSeconds(30)), defaults);
        assertEquals(defaults, WorkerSettings.defaults());
    }

    @Test
    void toBuilderChangesOnlyTheSettingsItIsGiven() {
        WorkerSettings custom = new WorkerSettings(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4),
                Duration.ofMillis(50), Duration.ofMinutes(5), 200, 7, Duration.ofSeconds(8));
        assertEquals(custom, custom.toBuilder().build());
        assertEquals(new WorkerSettings(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4),
                Duration.ofMillis(50), Duration.ofMinutes(5), 10, 7, Duration.ofSeconds(8)), custom.toBuilder().batchSize(10).build());
        assertEquals(new WorkerSettings(Duration.ofSeconds(2), Duration.ofSeconds(9), Duration.ofSeconds(4),
                Duration.ofMillis(50), Duration.ofMinutes(5), 200, 7, Duration.ofSeconds(8)), custom.withLease(Duration.ofSeconds(9)));
    }

    @Test
    void buildRefusesAValueOutOfRangeNamingItsKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WorkerSettings.builder().lease(Duration.ofMillis(100)).build());
        assertTrue(e.getMessage().contains("kafru.worker.lease"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.builder().batchSize(0).build());
        assertTrue(e.getMessage().contains("kafru.worker.batch-size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.builder().abandonAfter(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("kafru.worker.abandon-after"), e.getMessage());
    }

    @Test
    void thePrefetchTakesUpToTwiceTheLargestClaimAndItsRefusalSaysWhatUnsetMeans() {
        assertEquals(10_000, WorkerSettings.builder().prefetch(10_000).build().prefetch());
        assertEquals(0, WorkerSettings.builder().prefetch(0).build().prefetch());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.builder().prefetch(10_001).build());
        assertEquals("kafru.worker.prefetch must be 0 to 10000 (or unset for about a second of work), not 10001", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.builder().prefetch(-2).build());
        assertTrue(e.getMessage().startsWith("kafru.worker.prefetch must be 0 to 10000"), e.getMessage());
    }
}
