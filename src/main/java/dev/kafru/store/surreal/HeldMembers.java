package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.surrealdb.RecordId;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The unit members this server's claims handed out and whose outcome is not written yet: what a
 * finish, a hand-back or a lease renewal needs to know of a member that the engine cannot read
 * (its payload), and which slice holds it. A slice is closed (its row deleted) by the write that
 * reports its last member. Entries leave when their outcome or hand-back is written.
 */
final class HeldMembers {

    /** A member claimed by {@code owner}: its task, and the slice and unit it was claimed from. */
    record Held(Task task, String owner, String unitKey, int slot, RecordId slice, Instant dateCreated, Instant started) {
        RecordId unit() {
            return new RecordId(Schema.QUEUES, unitKey);
        }
    }

    private final Map<String, Held> byKey = new HashMap<>();
    /** Slice → members not reported yet. */
    private final Map<RecordId, Integer> pending = new HashMap<>();

    synchronized void add(Collection<Held> members, RecordId slice) {
        for (Held h : members) {
            byKey.put(h.task().id(), h);
        }
        if (!members.isEmpty()) {
            pending.merge(slice, members.size(), Integer::sum);
        }
    }

    synchronized Held get(String key) {
        return byKey.get(key);
    }

    /** The slices of these members (for lease renewal). */
    synchronized Set<RecordId> slicesOf(Collection<String> keys) {
        Set<RecordId> slices = new LinkedHashSet<>();
        for (String key : keys) {
            Held h = byKey.get(key);
            if (h != null) {
                slices.add(h.slice());
            }
        }
        return slices;
    }

    /** The slices that {@code reported} members close: every member of theirs still held is among them. */
    synchronized List<RecordId> closedBy(Collection<Held> reported) {
        Map<RecordId, Integer> counts = new HashMap<>();
        for (Held h : reported) {
            if (byKey.containsKey(h.task().id())) {
                counts.merge(h.slice(), 1, Integer::sum);
            }
        }
        List<RecordId> closed = new ArrayList<>();
        counts.forEach((slice, n) -> {
            if (pending.getOrDefault(slice, 0) <= n) {
                closed.add(slice);
            }
        });
        return closed;
    }

    /** The members' outcomes (or hand-backs) are written: they are no longer held. */
    synchronized void written(Collection<Held> reported) {
        for (Held h : reported) {
            if (byKey.remove(h.task().id()) != null) {
                pending.computeIfPresent(h.slice(), (s, n) -> n <= 1 ? null : n - 1);
            }
        }
    }
}
