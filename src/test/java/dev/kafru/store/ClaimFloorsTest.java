package dev.kafru.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a claimer claims by push batch: during a flood in which it met another claimer, and only then. */
class ClaimFloorsTest {

    @Test
    void aClaimerTakesPushBatchesOnlyDuringAFloodInWhichItMetAnotherAndForgetsThatWhenTheQueueDrains() {
        ClaimFloors floors = new ClaimFloors();
        assertFalse(floors.byBatch(), "a new claimer claims from the head");
        floors.claimed(true);
        assertFalse(floors.byBatch(), "a flood alone: nobody to meet, nothing to change");
        floors.met();
        assertTrue(floors.byBatch(), "a flood shared with another claimer");
        floors.claimed(true);
        assertTrue(floors.byBatch(), "the flood goes on");
        floors.claimed(false);
        assertFalse(floors.byBatch(), "drained: from the head again");
        floors.claimed(true);
        assertFalse(floors.byBatch(), "the next flood starts alone until it meets another claimer");
        floors.met();
        floors.claimed(false);
        floors.claimed(true);
        assertFalse(floors.byBatch(), "a conflict in a claim that came back short does not carry over");
    }
}
