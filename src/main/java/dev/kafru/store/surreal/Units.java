package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealCbor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static dev.kafru.store.surreal.SurrealRows.instant;
import static dev.kafru.store.surreal.SurrealRows.number;
import static dev.kafru.store.surreal.SurrealRows.parameters;
import static dev.kafru.store.surreal.SurrealRows.text;

/**
 * Push units: how the tasks of one push statement are stored together (see docs/storage-shapes.md).
 *
 * <p>A push statement's tasks of one queue, priority and due time, when there are at least
 * {@link #AT_LEAST}, are one <em>unit</em> row in {@code kafru_queues} ({@code unit: true}) and one
 * immutable payload row in {@code kafru_payloads} (same key) holding the tasks as CBOR bytes, which
 * the engine stores as one value instead of one per field. The unit row carries what changes:
 * {@code next} (the first slot not claimed yet), {@code done} (slots reported or gone),
 * {@code completed}, {@code fin} (completed slot ranges {a, b, at, o, s}) and {@code moved} (slots
 * that left the unit). A claim takes slots {@code [next, next + k)} and records a slice
 * ({@code kafru_slices}: owner, lease) per unit; a task that needs a life of its own leaves the unit
 * as a row of its own whose key is the member's key, {@code <unit key>-<slot>}.
 *
 * <p>This class holds what the repository computes in Java about units: keys, payloads, and a
 * unit row read back as a snapshot that says what each slot is.
 */
final class Units {

    /** Tasks of one queue, priority and due time in a push statement that become a unit rather than rows. */
    static final int AT_LEAST = 4;
    /** A unit keeps the distinct names of its tasks up to this many (for filters); past it, NONE: read the payload. */
    static final int NAMES_KEPT = 16;
    static final String PAYLOADS = "kafru_payloads";
    static final String SLICES = "kafru_slices";

    /** A member's key; {@link #member} checks it without this expression. */
    static final Pattern MEMBER = Pattern.compile("([a-z0-9]{20})-(\\d{1,5})");

    private Units() {
    }

    /** A member's key: the unit's key and its slot. */
    static String memberKey(String unitKey, int slot) {
        return unitKey + "-" + slot;
    }

    /**
     * The keys of one push statement, held as each task's unit key and slot (a row's own key and
     * -1) and made into strings when read: a pushAll of a million holds two arrays a statement,
     * not a million strings, while it writes. Unmodifiable.
     */
    static final class Keys extends java.util.AbstractList<String> implements java.util.RandomAccess {
        private final String[] bases;
        private final int[] slots;

        Keys(String[] bases, int[] slots) {
            this.bases = bases;
            this.slots = slots;
        }

        @Override
        public String get(int index) {
            return slots[index] < 0 ? bases[index] : memberKey(bases[index], slots[index]);
        }

        @Override
        public int size() {
            return bases.length;
        }

        /** The unit and slot of key {@code index}, null for a row's key; no string made. */
        Member member(int index) {
            return slots[index] < 0 ? null : new Member(bases[index], slots[index]);
        }
    }

    /** {@link #member(String)} of {@code keys.get(index)}, read without making the key when they are {@link Keys}. */
    static Member member(List<String> keys, int index) {
        return keys instanceof Keys compact ? compact.member(index) : member(keys.get(index));
    }

    /** True when {@code keys.get(index)} is slot {@code slot} of unit {@code unitKey}. */
    static boolean isSlot(List<String> keys, int index, String unitKey, int slot) {
        if (keys instanceof Keys compact) {
            Member member = compact.member(index);
            return member != null && member.slot() == slot && member.unit().equals(unitKey);
        }
        return keys.get(index).equals(memberKey(unitKey, slot));
    }

    /**
     * The unit and slot a key names, or null when it is not a member's key: {@link #MEMBER}
     * checked by hand, since this runs twice for every task pushed (the regular expression was
     * 12% of a Payara server's CPU samples during a flood of pushAll).
     */
    static Member member(String key) {
        int length = key.length();
        if (length < 22 || length > 26 || key.charAt(20) != '-') {
            return null;
        }
        for (int i = 0; i < 20; i++) {
            char c = key.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
                return null;
            }
        }
        int slot = 0;
        for (int i = 21; i < length; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            slot = slot * 10 + (c - '0');
        }
        return new Member(key.substring(0, 20), slot);
    }

    /** A unit's key and one of its slots. */
    record Member(String unit, int slot) {
        RecordId unitId() {
            return new RecordId(Schema.QUEUES, unit);
        }

        RecordId payloadId() {
            return new RecordId(PAYLOADS, unit);
        }

        RecordId rowId() {
            return new RecordId(Schema.QUEUES, memberKey(unit, slot));
        }

        String key() {
            return memberKey(unit, slot);
        }
    }

    /** The slice a claim of slots from {@code a} on records: one per unit and first slot, since {@code next} only grows. */
    static RecordId sliceId(String unitKey, long a) {
        return new RecordId(SLICES, unitKey + "-" + a);
    }

    /** What a unit stores per task; the rest (queue, priority, due) is the unit's. */
    record PayloadTask(String name, String handler, Map<String, Object> parameters, int maxAttempts, java.time.Duration timeout) {
    }

    static byte[] payload(List<TaskRequest> requests) {
        List<Object> tasks = new ArrayList<>(requests.size());
        for (TaskRequest r : requests) {
            tasks.add(r.timeout() == null ? List.of(r.name(), r.handler(), r.parameters(), (long) r.maxAttempts())
                    : List.of(r.name(), r.handler(), r.parameters(), (long) r.maxAttempts(), r.timeout().toMillis()));
        }
        return SurrealCbor.encode(tasks);
    }

    static List<PayloadTask> payload(Object bytes) {
        if (!(bytes instanceof byte[] b)) {
            return List.of();
        }
        List<PayloadTask> tasks = new ArrayList<>();
        for (Object t : (List<?>) SurrealCbor.decode(b)) {
            List<?> f = (List<?>) t;
            tasks.add(new PayloadTask(text(f.get(0)), text(f.get(1)), parameters(f.get(2)), (int) number(f.get(3)),
                    f.size() > 4 ? SurrealRows.duration(f.get(4)) : null));
        }
        return tasks;
    }

    /** The unit row of a push statement's group (times are added by the statement). */
    static Map<String, Object> row(String key, List<TaskRequest> group) {
        TaskRequest first = group.get(0);
        Set<String> handlers = new LinkedHashSet<>();
        Set<String> names = new LinkedHashSet<>();
        for (TaskRequest r : group) {
            handlers.add(r.handler());
            names.add(r.name());
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", new RecordId(Schema.QUEUES, key));
        row.put("unit", true);
        row.put("queue", first.queue());
        row.put("status", "Waiting");
        row.put("priority", (long) first.priority());
        row.put("rank", -(long) first.priority());
        if (first.runAt() != null) {
            row.put("run_at", first.runAt());
        }
        row.put("n", (long) group.size());
        row.put("next", 0L);
        row.put("done", 0L);
        row.put("completed", 0L);
        row.put("fin", List.of());
        row.put("moved", List.of());
        row.put("handlers", List.copyOf(handlers));
        row.put("names", names.size() <= NAMES_KEPT ? List.copyOf(names) : dev.kafru.surrealdb.None.NONE);
        if (first.author() != null) {
            row.put("author", first.author());
        }
        if (!first.labels().isEmpty()) { // every member's: labels are part of what a unit's tasks share
            row.put("labels", first.labels());
        }
        return row;
    }

    /** A unit row as read back, with the slices of its claimed slots, and what that makes of each slot. */
    static final class Snapshot {
        final String key;
        final String queue;
        final String status;
        final int priority;
        final int n;
        final int next;
        final Instant runAt;
        final Instant dateCreated;
        final Instant dateModified;
        final List<Map<?, ?>> fin;
        final BitSet moved = new BitSet();
        final List<Map<?, ?>> slices;
        final List<PayloadTask> tasks;
        final List<String> handlers;
        final List<String> names;
        final String author;
        final List<String> labels;

        Snapshot(Map<?, ?> unit, Object payload, List<?> slices) {
            this.key = ((RecordId) unit.get("id")).keyText();
            this.queue = text(unit.get("queue"));
            this.status = text(unit.get("status"));
            this.priority = (int) number(unit.get("priority"));
            this.n = (int) number(unit.get("n"));
            this.next = (int) number(unit.get("next"));
            this.runAt = instant(unit.get("run_at"));
            this.dateCreated = instant(unit.get("date_created"));
            this.dateModified = instant(unit.get("date_modified"));
            this.fin = maps(unit.get("fin"));
            if (unit.get("moved") instanceof List<?> m) {
                m.forEach(s -> moved.set((int) number(s)));
            }
            this.slices = slices == null ? List.of() : maps(slices);
            this.tasks = payload == null ? List.of() : payload(payload);
            this.handlers = strings(unit.get("handlers"));
            this.names = unit.get("names") instanceof List<?> ? strings(unit.get("names")) : null;
            this.author = text(unit.get("author"));
            this.labels = SurrealRows.labels(unit.get("labels"));
        }

        /** What the slot is now: null when it left the unit (a row of its own, or removed). */
        TaskStatus status(int slot) {
            if (slot < 0 || slot >= n || moved.get(slot)) {
                return null;
            }
            if (slot >= next) {
                return TaskStatus.Waiting;
            }
            return finOf(slot) != null ? TaskStatus.Completed : TaskStatus.InProgress;
        }

        /** Whether a filter on handler or name can match some task of this unit without reading its payload. */
        boolean mayMatch(String handler, String name) {
            return (handler == null || handlers.contains(handler)) && (name == null || names == null || names.contains(name));
        }

        Map<?, ?> finOf(int slot) {
            for (Map<?, ?> f : fin) {
                if (slot >= number(f.get("a")) && slot < number(f.get("b"))) {
                    return f;
                }
            }
            return null;
        }

        Map<?, ?> sliceOf(int slot) {
            for (Map<?, ?> s : slices) {
                if (slot >= number(s.get("a")) && slot < number(s.get("b"))) {
                    return s;
                }
            }
            return null;
        }

        /** The member at {@code slot} as a task, or null when it left the unit; needs the payload. */
        Task task(int slot) {
            TaskStatus s = status(slot);
            if (s == null || slot >= tasks.size()) {
                return null;
            }
            PayloadTask t = tasks.get(slot);
            String owner = null;
            Instant lease = null;
            Instant started = null;
            Instant finished = null;
            Instant modified = dateModified;
            if (s == TaskStatus.Completed) {
                Map<?, ?> f = finOf(slot);
                owner = text(f.get("o"));
                started = instant(f.get("s"));
                finished = instant(f.get("at"));
                modified = finished;
            } else if (s == TaskStatus.InProgress) {
                Map<?, ?> slice = sliceOf(slot);
                if (slice != null) {
                    owner = text(slice.get("owner"));
                    started = instant(slice.get("started"));
                    lease = SurrealRows.instant(number(slice.get("due")));
                }
            }
            return new Task(memberKey(key, slot), t.name(), queue, t.handler(), t.parameters(), s, null, priority,
                    runAt != null ? runAt : dateCreated, s == TaskStatus.Waiting ? 0 : 1, t.maxAttempts(), owner, lease,
                    dateCreated, modified, started, finished, author, t.timeout(), null, List.of(), null, labels, null, null, null);
        }

        /** Slots whose status is {@code wanted} (any when null), in slot order. */
        List<Integer> slots(TaskStatus wanted) {
            List<Integer> slots = new ArrayList<>();
            for (int s = 0; s < n; s++) {
                TaskStatus status = status(s);
                if (status != null && (wanted == null || status == wanted)) {
                    slots.add(s);
                }
            }
            return slots;
        }
    }

    private static List<Map<?, ?>> maps(Object value) {
        List<Map<?, ?>> maps = new ArrayList<>();
        if (value instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    maps.add(m);
                }
            }
        }
        return maps;
    }

    static List<String> strings(Object value) {
        List<String> strings = new ArrayList<>();
        if (value instanceof List<?> list) {
            list.forEach(o -> strings.add(String.valueOf(o)));
        }
        return strings;
    }
}
