package dev.kafru.store.surreal;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where a claimer's next claims start: per priority, behind the latest due it took by a margin. */
class ClaimFloorsTest {

    @Test
    void floorsFollowTheLatestDueLessTheMarginAndALateTaskLowersThemAll() {
        ClaimFloors floors = new ClaimFloors();
        assertNull(floors.top(), "a new claimer knows no priority yet");
        floors.record(Map.of(0L, 10_000_000_000L, -5L, 20_000_000_000L));
        floors.record(Map.of(0L, 9_000_000_000L));
        assertEquals(-5L, floors.top(), "the highest priority seen");
        assertEquals(Map.of(-5L, 18_000_000_000L, 0L, 8_000_000_000L), floors.byRank(), "the latest due of each, less the margin");
        floors.lowerTo(1_000L);
        assertEquals(Map.of(-5L, 1_000L, 0L, 1_000L), floors.byRank(), "a task due earlier is looked for in every rank");
        floors.forget();
        assertEquals(Map.of(), floors.byRank());
    }

    @Test
    void aFloodLastsWhileClaimsComeBackFull() {
        ClaimFloors floors = new ClaimFloors();
        assertFalse(floors.flood());
        floors.claimed(true);
        assertTrue(floors.flood());
        floors.claimed(false);
        assertFalse(floors.flood());
    }

    @Test
    void aLaneLastsItsClaimsAndEndsWhenAClaimInItFoundTooLittle() {
        ClaimFloors floors = new ClaimFloors();
        assertEquals(0L, floors.lane(), "claims start at the head");
        floors.keepLane(3);
        for (int i = 0; i < ClaimFloors.LANE_CLAIMS; i++) {
            assertEquals(3L, floors.lane(), "claim " + i);
            floors.laneUsed();
        }
        assertEquals(0L, floors.lane(), "back at the head after " + ClaimFloors.LANE_CLAIMS + " claims");
        floors.keepLane(5);
        floors.laneUsed();
        floors.keepLane(2);
        assertEquals(2L, floors.lane(), "another conflict: the skip that got through, for as many claims again");
        floors.leaveLane();
        assertEquals(0L, floors.lane());
    }
}
