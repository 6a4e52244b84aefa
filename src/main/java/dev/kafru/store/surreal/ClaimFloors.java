package dev.kafru.store.surreal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a claimer's next claims may start, per rank (the negated priority): the latest due it
 * took there, less a margin for pushes that committed after a later one. One per dispatcher.
 * A repository's claim reads each rank's range from here on, instead of stepping again over
 * every task claimed since (on SurrealDB, tombstones of deleted index entries). A task made
 * Waiting with an older due lowers it ({@link #lowerTo}, from the push's signal); {@link #forget()}
 * (every {@link #FORGET_EVERY_NANOS}) makes the next claim read each range from its start, which also finds
 * anything else a floor passed over. Dues are epoch nanoseconds ({@link TaskRepository#nanos}).
 */
final class ClaimFloors {

    /** A push's due is its database time; one that committed this much after a later one is still found. */
    static final long MARGIN_NANOS = 2_000_000_000L;
    private final TreeMap<Long, Long> floors = new TreeMap<>();
    /** The last claim came back full: a flood is on. */
    private volatile boolean flood;

    /** Takes in what a claim took: per rank (the negated priority), the latest due it took. */
    public synchronized void record(Map<Long, Long> latestDue) {
        latestDue.forEach((rank, due) -> floors.merge(rank, due - MARGIN_NANOS, Math::max));
    }

    /**
     * Claims that follow one which met another claimer's (a write conflict) and got through by
     * stepping over the first few tasks or push units of the queue's head keep stepping over as
     * many, for this many claims: two servers flooded by one queue then claim side by side instead
     * of both from the head, where each conflict costs a whole claim's work again.
     */
    static final int LANE_CLAIMS = 16;
    private long lane;
    private int laneClaimsLeft;

    /** What the next claim steps over at the head of its first priority (0: it starts at the head). */
    public synchronized long lane() {
        return laneClaimsLeft > 0 ? lane : 0;
    }

    /** A contested claim got through stepping over {@code skip}: the next {@link #LANE_CLAIMS} claims do too. */
    public synchronized void keepLane(long skip) {
        lane = skip;
        laneClaimsLeft = skip > 0 ? LANE_CLAIMS : 0;
    }

    /** A claim used the lane without meeting another's. */
    public synchronized void laneUsed() {
        if (laneClaimsLeft > 0) {
            laneClaimsLeft--;
        }
    }

    /** Back to the head: a claim in the lane found less than it asked for. */
    public synchronized void leaveLane() {
        laneClaimsLeft = 0;
    }

    /** Whether the last claim came back full. */
    public boolean flood() {
        return flood;
    }

    /** Takes in whether a claim came back with all it asked for. */
    public void claimed(boolean full) {
        flood = full;
    }

    /** How often the floors are forgotten, so that a claim reads every range from its start again. */
    static final long FORGET_EVERY_NANOS = 15_000_000_000L;
    private long lastForgotten = System.nanoTime();

    /** Reads every range from its start on the next claim. */
    public synchronized void forget() {
        floors.clear();
        lastForgotten = System.nanoTime();
    }

    /** The floors for the next claim: forgotten when {@link #FORGET_EVERY_NANOS} passed since the last time. */
    synchronized ClaimFloors forNextClaim() {
        if (System.nanoTime() - lastForgotten >= FORGET_EVERY_NANOS) {
            forget();
        }
        return this;
    }

    /**
     * A task due at {@code due} (nanoseconds) was made Waiting behind where these claims had
     * got to (a run_at given in the past): the next claim reads from there, in every rank.
     */
    public synchronized void lowerTo(long due) {
        floors.replaceAll((rank, floor) -> Math.min(floor, due));
    }

    /** The highest priority (lowest rank) claimed so far, or null: ranks above it are looked for from the start. */
    public synchronized Long top() {
        return floors.isEmpty() ? null : floors.firstKey();
    }

    /** A copy of the floors, rank → due, lowest rank (highest priority) first. */
    public synchronized Map<Long, Long> byRank() {
        return new LinkedHashMap<>(floors);
    }
}
