package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.Batch;
import dev.kafru.Pushed;
import dev.kafru.TaskLink;
import dev.kafru.TaskFailure;
import dev.kafru.TaskFilter;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.Claimed;
import dev.kafru.store.Outcome;
import dev.kafru.store.Signal;
import dev.kafru.store.Subscription;
import dev.kafru.store.TaskRepository;
import dev.kafru.store.surreal.HeldMembers.Held;
import dev.kafru.store.surreal.Units.Member;
import dev.kafru.store.surreal.Units.PayloadTask;
import dev.kafru.store.surreal.Units.Snapshot;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.None;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;
import dev.kafru.surrealdb.SurrealException;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import static dev.kafru.store.surreal.SurrealRows.instant;
import static dev.kafru.store.surreal.SurrealRows.key;
import static dev.kafru.store.surreal.SurrealRows.number;
import static dev.kafru.store.surreal.SurrealRows.parameters;
import static dev.kafru.store.surreal.SurrealRows.rows;
import static dev.kafru.store.surreal.SurrealRows.text;

/**
 * Every SurrealQL statement on tasks. Values are bound parameters only.
 *
 * <p><b>Two shapes of task.</b> A task pushed on its own (or that needs a life of its own) is a
 * row of {@code kafru_queues}; the tasks of one push statement of one queue, priority and due
 * time are a <em>unit</em>: one row for all of them and one payload (see {@link Units}). Claims,
 * counts and retention read both through the same index; a unit's member leaves it as a row of
 * its own, keyed by the member's id, when it is retried, fails, is edited or given back.
 *
 * <p><b>The claim index.</b> One index, {@code (queue, status, rank, due)}, serves every hot and
 * periodic query; {@code due} is an epoch-nanosecond number whose meaning follows the status, and
 * {@code rank} is the negated priority while Waiting and 0 otherwise:
 * <ul>
 *   <li>Waiting (a row, or a unit with slots to claim): due = run_at (a task given back or
 *       recovered: when that happened) — the claim takes rank by rank, oldest due first;</li>
 *   <li>InProgress: due = lease_until — the lease reaper reads the expired ones as a range (a
 *       unit's claimed slots are leased by their slice, {@code kafru_slices (queue, due)});</li>
 *   <li>Completed / Error / Done (a unit whose every slot is reported): due = finished_at —
 *       retention deletes the oldest as a range.</li>
 * </ul>
 *
 * <p><b>Only pure index ranges carry a LIMIT.</b> Measured on SurrealDB 3.0.2: a LIMIT is applied
 * to the index scan <em>before</em> a residual filter ({@code queue = … AND status = … AND due <= …
 * LIMIT n} with rank unbound returns nothing when the first n entries are not due, although later
 * ones are), an exclusive bound on a column that is not the last one is inclusive
 * ({@code rank > 0} returns rank 0; so {@code rank >= r + 1}), and datetimes compare as trimmed
 * text in an index (hence nanosecond numbers). Every LIMITed query here binds queue, status and
 * rank and ranges over due, or binds a prefix and reads no further condition.
 *
 * <p><b>Writes that must notify run in a transaction.</b> Measured on SurrealDB 3.0.2: outside
 * an explicit transaction, a LET before a write in the same request suppresses the live-query
 * notifications of that write (and later ones); inside BEGIN … COMMIT they are sent.
 *
 * <p><b>Exclusive claims come from the storage engine.</b> Two claims that select the same task
 * row or unit both write its record; RocksDB's optimistic transactions fail the second at commit
 * ("can be retried") and it runs again on what is left. This is why memory and SurrealKV
 * storage, which lose such conflicts, are unsafe for kafru.
 *
 * <p><b>Counts are kept, not counted.</b> Every statement that changes how many tasks of a queue
 * have a status inserts one change row ({@code kafru_count_deltas}: queue, w, p, c, e) in its own
 * transaction; {@link #counts} adds them to the queue's totals ({@code kafru_counts}), into which
 * {@link #foldCounts} folds old changes. Insert-only rows never conflict, so claimers on several
 * servers do not meet on a counter.
 *
 * <p>The tables have no per-field definitions (they doubled the cost of every row write): the
 * rows are written by this class only, from validated requests.
 */
public final class SurrealTaskRepository extends SurrealRepository implements TaskRepository {

    /** How many distinct priorities one claim statement walks before it hands back a continuation. */
    private static final int RANKS_PER_CLAIM = 3;
    /** How often a move of a unit's member is tried again when the unit changed under it. */
    private static final int MOVE_ATTEMPTS = 20;
    private static final String MEMBER_CHANGED = "kafru: member changed";

    /** A change of a queue's counts, in the same transaction as the change (w, p, c, e: Waiting, InProgress, Completed, Error). */
    private static String delta(String queue, String w, String p, String c, String e) {
        return delta(queue, w, p, c, e, null);
    }

    /** {@link #delta(String, String, String, String, String)} with Cancelled ({@code x}: only changes that may cancel carry it). */
    private static String delta(String queue, String w, String p, String c, String e, String x) {
        return "INSERT INTO kafru_count_deltas {queue: " + queue + ", w: " + w + ", p: " + p + ", c: " + c + ", e: " + e
                + (x == null ? "" : ", x: " + x) + ", at: time::nano(time::now())} RETURN NONE;";
    }

    /**
     * A row's failures with {@code failure} (a SurrealQL expression) added, the oldest dropped past
     * {@link TaskFailure#KEPT}: an expression of an UPDATE's SET, where {@code failures} is the row's.
     */
    private static String keepFailure(String failure) {
        return " array::slice(array::push(failures ?? [], " + failure + "), "
                + "math::max([0, array::len(failures ?? []) + 1 - " + TaskFailure.KEPT + "]))";
    }

    private static final String KEEP_FAILURE = keepFailure("$f.failure");

    /**
     * The keys of the label entries of {@code rows} (an expression of rows or units read with their
     * id, date_created and labels): {@code kafru_labels:[label, date_created, task or unit]}, one per
     * label, so that a label's key range is in the order tasks are listed. Only labelled tasks have
     * entries: unlabelled ones cost nothing here (docs/storage-shapes.md, Labels).
     */
    static String labelEntries(String rows) {
        return " array::flatten(" + rows + ".filter(|$r| $r.labels != NONE).map(|$r| $r.labels.map(|$l| type::record('"
                + Schema.LABELS + "', [$l, $r.date_created, $r.id]))))";
    }

    /**
     * {@code statement} that also inserts the label entries of {@code $labels} ({label, task}) before
     * its final RETURN, created at {@code created} (the expression of the tasks' date_created).
     */
    private static String insertingLabels(String statement, String created) {
        int at = statement.lastIndexOf("RETURN ");
        return statement.substring(0, at) + "INSERT INTO " + Schema.LABELS + " $labels.map(|$e| {id: type::record('" + Schema.LABELS
                + "', [$e.label, " + created + ", $e.task])}) RETURN NONE;\n" + statement.substring(at);
    }

    /** The label entries to insert for a row or unit stored under {@code id} with {@code labels}. */
    private static void addLabelEntries(List<Map<String, Object>> entries, List<String> labels, Object id) {
        for (String label : labels) {
            entries.add(Map.of("label", label, "task", id));
        }
    }

    private static final String INSERT = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            IF array::len($rows) > 0 {
                INSERT INTO kafru_queues $rows.map(|$r| $r + {run_at: $r.run_at ?? $now, due: time::nano($r.run_at ?? $now) + $r.due,
                    date_created: $now, date_modified: $now}) RETURN NONE;
            };
            IF array::len($units) > 0 {
                INSERT INTO kafru_queues $units.map(|$u| $u + {run_at: $u.run_at ?? $now, due: time::nano($u.run_at ?? $now) + $u.due,
                    date_created: $now, date_modified: $now}) RETURN NONE;
                INSERT INTO kafru_payloads $payloads RETURN NONE;
            };
            IF array::len($chains) > 0 {
                INSERT INTO kafru_chains $chains.map(|$c| $c + {at: $now}) RETURN NONE;
            };
            INSERT INTO kafru_signals $signals.map(|$s| $s + {at: time::nano($now)}) RETURN NONE;
            INSERT INTO kafru_count_deltas $signals.map(|$s| {queue: $s.queue, w: $s.created, p: 0, c: 0, e: 0, at: time::nano($now)}) RETURN NONE;
            RETURN $now;
            COMMIT TRANSACTION;
            """;
    private static final String INSERT_LABELLED = insertingLabels(INSERT, "$now");

    /**
     * The same row inserted already claimed by this server (a push handed straight to a free
     * thread): one transaction, nothing else awaited — this is the latency path.
     */
    private static final String INSERT_CLAIMED = """
            BEGIN TRANSACTION;
            LET $at = (INSERT INTO kafru_queues $rows.map(|$r| { LET $now = time::now(); $r + {run_at: $now, date_created: $now,
                date_modified: $now, status: 'InProgress', owner: $owner, lease_until: $now + $lease, rank: 0,
                due: time::nano($now + $lease), started_at: $now, attempts: 1} }) RETURN VALUE run_at);
            INSERT INTO kafru_signals $signals.map(|$s| $s + {at: time::nano(time::now())}) RETURN NONE;
            """ + delta("$rows[0].queue", "0", "1", "0", "0") + """
            RETURN $at;
            COMMIT TRANSACTION;
            """;
    private static final String INSERT_CLAIMED_LABELLED = insertingLabels(INSERT_CLAIMED, "$at[0]");

    /**
     * One priority's part of {@link #CLAIM}: its due rows and units ({@code $few} first: enough
     * push units for the claim, see {@link #few}; then up to {@code LEFT} entries when those fall
     * short, as rows do), folded into slots to take.
     */
    private static final String CLAIM_RANK = """
            LET $leftX = LEFT;
            LET $cX = IF $rX = NONE OR $leftX <= 0 THEN [] ELSE
                (SELECT id, due, n, next, moved, priority, date_created, author, handler, handlers FROM kafru_queues WHERE queue = $queue
                    AND status = 'Waiting' AND rank = $rX AND due >= ($floors[<string> $rX] ?? 0) AND due <= $t LIMIT $few START SKIP) END;
            LET $dX = IF array::len($cX) = $few AND math::sum($cX.filter(|$x| RUNNABLE).map(|$x| ($x.n ?? 1) - ($x.next ?? 0))) < $leftX THEN
                (SELECT id, due, n, next, moved, priority, date_created, author, handler, handlers FROM kafru_queues WHERE queue = $queue
                    AND status = 'Waiting' AND rank = $rX AND due >= ($floors[<string> $rX] ?? 0) AND due <= $t LIMIT $leftX START SKIP)
                ELSE $cX END;
            LET $pX = $dX.fold({left: $leftX, take: [], park: []}, |$acc, $x| IF !(RUNNABLE) THEN
                {left: $acc.left, take: $acc.take, park: array::push($acc.park, $x.id)}
            ELSE IF $acc.left <= 0 THEN $acc ELSE {
                left: $acc.left - math::min([($x.n ?? 1) - ($x.next ?? 0), $acc.left]),
                take: array::push($acc.take, {id: $x.id, due: $x.due, unit: $x.n != NONE, a: $x.next ?? 0,
                    b: ($x.next ?? 0) + math::min([($x.n ?? 1) - ($x.next ?? 0), $acc.left]), n: $x.n, moved: $x.moved ?? [],
                    priority: $x.priority, created: $x.date_created, author: $x.author}), park: $acc.park} END);
            """.replace("RUNNABLE", "$handlers = NONE OR (IF $x.n = NONE THEN $x.handler INSIDE $handlers ELSE $x.handlers ALLINSIDE $handlers END)");

    /**
     * The rank of Waiting tasks that a claimer met but could not run (it has not their handler):
     * past every priority's rank ({@code 0 - priority}), so that the claims of servers without
     * their handler no longer step over them. A claimer that has their handler puts them back
     * ({@code $unpark} in {@link #CLAIM}, every {@link #UNPARK_EVERY_NANOS} per owner).
     */
    static final long PARKED = 2_000_000L;
    /** How often an owner's claim looks for parked tasks it can run. */
    static final long UNPARK_EVERY_NANOS = 1_000_000_000L;

    /**
     * Up to {@code $n} due Waiting tasks of a queue, priority by priority (each a pure index
     * range), moved to InProgress in one transaction: rows one by one, units by slots
     * {@code [next, next + k)} with a slice each (owner, lease). {@code more} is the rank to go on
     * from when {@link #RANKS_PER_CLAIM} priorities did not fill the claim; {@code floors} is the
     * latest due taken per rank.
     *
     * <p>{@code $floors} (rank → due) lets each range start where the caller's last claims ended:
     * RocksDB keeps a deleted index entry as a tombstone until it compacts, and a scan from the
     * start of a busy queue's range stepped over every task claimed since (measured: 1.4 ms after
     * 500 claimed, 11.7 ms after 20,000). {@code $top} is the highest priority the caller knows:
     * only ranks above it are looked for from the start of the range.
     */
    private static final String CLAIM = """
            BEGIN TRANSACTION;
            LET $parkedIds = IF $unpark THEN
                (SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $parked LIMIT 500) ELSE [] END;
            IF array::len($parkedIds) > 0 {
                UPDATE $parkedIds SET rank = 0 - priority WHERE $handlers = NONE OR (n = NONE AND handler INSIDE $handlers)
                    OR (n != NONE AND handlers ALLINSIDE $handlers) RETURN NONE;
            };
            COMMIT TRANSACTION;
            BEGIN TRANSACTION;
            LET $now = time::now();
            LET $t = time::nano($now);
            LET $r1 = IF $from != NONE THEN
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $from AND rank < $parked LIMIT 1)[0]
                ELSE IF $top != NONE THEN
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank <= $top - 1 LIMIT 1)[0] ?? $top
                ELSE
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank < $parked LIMIT 1)[0]
                END;
            """ + rank(1, "$n", "$skip") + """
            -- a claim that stepped over the head of its first priority (a lane, or a retry after a conflict)
            -- goes on to the next priority only when the first has nothing due: else it stops short and
            -- the caller reads from the head again, so that no priority's tasks wait behind a lower one's
            LET $s2 = IF $skip = 0 OR $r1 = NONE OR $p1.left <= 0 THEN 0
                ELSE IF array::len((SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $r1
                    AND due >= ($floors[<string> $r1] ?? 0) AND due <= $t LIMIT 1)) = 0 THEN $skip ELSE -1 END;
            LET $r2 = IF $r1 = NONE OR $p1.left <= 0 OR $s2 < 0 THEN NONE ELSE
                (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $r1 + 1 AND rank < $parked LIMIT 1)[0] END;
            """ + rank(2, "$p1.left", "math::max([$s2, 0])") + """
            LET $r3 = IF $r2 = NONE OR $p2.left <= 0 OR $s2 > 0 THEN NONE ELSE
                (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $r2 + 1 AND rank < $parked LIMIT 1)[0] END;
            """ + rank(3, "$p2.left", "0") + """
            LET $park = array::concat($p1.park, $p2.park, $p3.park);
            IF array::len($park) > 0 {
                UPDATE $park SET rank = $parked, parked_at = $now WHERE status = 'Waiting' RETURN NONE;
            };
            LET $left = IF $r3 != NONE THEN $p3.left ELSE IF $r2 != NONE THEN $p2.left ELSE IF $r1 != NONE THEN $p1.left ELSE 0 END;
            LET $more = IF array::len($park) > 0 AND $left > 0 THEN $r1
                ELSE IF $r3 = NONE OR $p3.left <= 0 THEN NONE ELSE $r3 + 1 END;
            LET $plan = array::concat($p1.take, $p2.take, $p3.take);
            LET $singles = $plan.filter(|$p| !$p.unit).map(|$p| $p.id);
            LET $units = $plan.filter(|$p| $p.unit);
            LET $slots = math::sum($units.map(|$p| $p.b - $p.a - array::len($p.moved.filter(|$s| $s >= $p.a AND $s < $p.b))));
            LET $got = IF array::len($singles) = 0 THEN [] ELSE (UPDATE $singles SET status = 'InProgress', owner = $owner,
                        lease_until = $now + $lease, rank = 0, due = time::nano($now + $lease), started_at = $now,
                        date_modified = $now, attempts += 1
                        RETURN id, name, handler, parameters, priority, attempts, max_attempts, timeout, author, unique,
                            parent, batch, of_batch) END;
            FOR $p IN $units {
                UPDATE $p.id SET next = $p.b, status = IF $p.b >= $p.n THEN 'Claimed' ELSE 'Waiting' END,
                    rank = IF $p.b >= $p.n THEN 0 ELSE rank END, due = IF $p.b >= $p.n THEN $t ELSE due END,
                    date_modified = $now RETURN NONE;
            };
            IF array::len($units) > 0 {
                INSERT INTO kafru_slices $units.map(|$p| {id: type::record('kafru_slices', string::concat(record::id($p.id), '-', <string> $p.a)),
                    unit: $p.id, queue: $queue, a: $p.a, b: $p.b, owner: $owner, started: $now, due: time::nano($now + $lease)}) RETURN NONE;
            };
            IF array::len($got) + $slots > 0 {
            """ + delta("$queue", "0 - array::len($got) - $slots", "array::len($got) + $slots", "0", "0") + """
            };
            RETURN {tasks: $got, order: $plan.map(|$p| $p.id), units: $units.map(|$p| {id: $p.id, a: $p.a, b: $p.b, moved: $p.moved, priority: $p.priority, author: $p.author,
                        created: $p.created, payload: IF record::id($p.id) INSIDE $known THEN NONE
                            ELSE (SELECT VALUE tasks FROM ONLY type::record('kafru_payloads', record::id($p.id))) END}),
                    started: $now, more: $more, slots: array::len($got) + math::sum($units.map(|$p| $p.b - $p.a)),
                    floors: [[$r1, $p1.take.due], [$r2, $p2.take.due], [$r3, $p3.take.due]]};
            COMMIT TRANSACTION;
            """;

    private static String rank(int r, String left, String skip) {
        return CLAIM_RANK.replace("X", String.valueOf(r)).replace("LEFT", left).replace("SKIP", skip);
    }

    /**
     * Moves unit members out to rows of their own ({@code $moves}: unit, slot, slice, id, row, delay),
     * each only while its slice is still {@code $owner}'s and the member has not left yet: a retry
     * or failure written by the finish, or a hand-back. Counts: the members were InProgress.
     */
    private static final String MOVE_HELD = """
            FOR $m IN $moves {
                LET $u = (SELECT moved, done, n, labels FROM ONLY $m.unit);
                IF $u != NONE AND $m.slot NOTINSIDE $u.moved AND (SELECT VALUE owner FROM ONLY $m.slice) = $owner {
                    LET $end = ($u.done + 1 >= $u.n);
                    LET $at = $fnow + ($m.delay ?? 0s);
                    LET $waiting = ($m.row.status = 'Waiting');
                    UPDATE $m.unit SET moved += [$m.slot], done += 1, status = IF $end THEN 'Done' ELSE status END,
                        rank = IF $end THEN 0 ELSE rank END, due = IF $end THEN time::nano($fnow) ELSE due END,
                        finished_at = IF $end THEN $fnow ELSE finished_at END, date_modified = $fnow RETURN NONE;
                    CREATE $m.id CONTENT $m.row + {run_at: IF $waiting THEN $at ELSE $m.row.run_at END,
                        due: IF $waiting THEN time::nano($at) ELSE time::nano($fnow) END,
                        finished_at: IF $waiting THEN NONE ELSE $fnow END, date_modified: $fnow, labels: $u.labels} RETURN NONE;
                    IF $u.labels != NONE { INSERT INTO kafru_labels """ + labelEntries("[{id: $m.id, labels: $u.labels, date_created: $m.row.date_created}]") + ".map(|$k| {id: $k}) RETURN NONE; };\n" + """
            """ + delta("$m.row.queue", "IF $waiting THEN 1 ELSE 0 END", "-1", "IF $m.row.status = 'Completed' THEN 1 ELSE 0 END",
                    "IF $m.row.status = 'Error' THEN 1 ELSE 0 END",
                    "IF $m.row.status = 'Cancelled' THEN 1 ELSE 0 END") + """
                };
            };
            IF array::len($closed) > 0 { DELETE $closed WHERE owner = $owner RETURN NONE; };
            """;

    /**
     * What ends a task that others wait for: the tasks chained after it ({@code kafru_chains}:
     * {@link TaskRequest#then} when it completed, {@link TaskRequest#onFailure} when it ended Error or
     * Cancelled) become Waiting rows, and its batch counts it — and pushes the batch's completion
     * task when it was the last member. {@code ENDED} is an expression of the tasks that just ended,
     * each {id, status, batch, chained}, {@code NOW} the time of the change. It runs in the
     * transaction that ended them, so a crash can neither lose nor repeat a follower: each chain
     * record is pushed once ({@code pushed}), each batch fires once ({@code fired}). Top-level LETs
     * only, and no read of a record this transaction changed (the batch's counts come from its
     * UPDATE's RETURN AFTER): in SurrealDB 3.0.2 either binds NONE.
     */
    private static String follow(String ended, String now) {
        return """
                LET $fEnded = ENDED.filter(|$e| ($e.batch != NONE OR $e.chained = true) AND $e.status IN ['Completed', 'Error', 'Cancelled']);
                LET $fKids = IF array::len($fEnded) = 0 THEN [] ELSE array::flatten($fEnded.filter(|$e| $e.chained = true).map(|$e|
                    (SELECT id, row FROM kafru_chains WHERE parent = record::id($e.id) AND pushed = NONE
                        AND on = (IF $e.status = 'Completed' THEN 'Completed' ELSE 'Failed' END)))) END;
                LET $fMembers = $fEnded.filter(|$e| $e.batch != NONE);
                LET $fBatches = array::distinct($fMembers.batch).map(|$b| type::record('kafru_batch', $b));
                LET $fAfter = IF array::len($fBatches) = 0 THEN [] ELSE (UPDATE $fBatches SET
                    completed += array::len($fMembers.filter(|$e| $e.batch = record::id(id) AND $e.status = 'Completed')),
                    failed += array::len($fMembers.filter(|$e| $e.batch = record::id(id) AND $e.status = 'Error')),
                    cancelled += array::len($fMembers.filter(|$e| $e.batch = record::id(id) AND $e.status = 'Cancelled'))
                    RETURN AFTER) END;
                LET $fFire = $fAfter.filter(|$b| $b.fired = NONE AND $b.completed + $b.failed + $b.cancelled >= $b.total);
                IF array::len($fFire) > 0 {
                    UPDATE $fFire.id SET fired = NOW RETURN NONE;
                };
                LET $fRows = array::concat($fKids.row, $fFire.filter(|$b| $b.callback != NONE).callback);
                IF array::len($fRows) > 0 {
                    INSERT INTO kafru_queues $fRows.map(|$r| $r + {run_at: $r.run_at ?? NOW, due: time::nano($r.run_at ?? NOW),
                        date_created: NOW, date_modified: NOW}) RETURN NONE;
                    INSERT INTO kafru_signals $fRows.map(|$r| {queue: $r.queue, created: 1, earliest: $r.run_at, at: time::nano(NOW)}) RETURN NONE;
                    INSERT INTO kafru_labels LABELS.map(|$k| {id: $k}) RETURN NONE;
                    INSERT INTO kafru_count_deltas $fRows.map(|$r| {queue: $r.queue, w: 1, p: 0, c: 0, e: 0, at: time::nano(NOW)}) RETURN NONE;
                };
                IF array::len($fKids) > 0 {
                    UPDATE $fKids.id SET pushed = NOW RETURN NONE;
                };
                """.replace("LABELS", labelEntries("$fRows.map(|$r| $r + {date_created: NOW})")).replace("ENDED", ended).replace("NOW", now);
    }

    /**
     * Outcomes of finished attempts; only tasks still InProgress and owned by {@code $owner}
     * change (for unit members: whose slice is still the owner's).
     */
    private static final String FINISH = """
            BEGIN TRANSACTION;
            LET $fnow = time::now();
            IF array::len($done) > 0 {
                UPDATE $done SET status = 'Completed', finished_at = $fnow, date_modified = $fnow,
                    lease_until = NONE, message = NONE, rank = 0, due = time::nano($fnow)
                    WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            };
            FOR $r IN $doneResults {
                UPDATE $r.id SET status = 'Completed', result = $r.result, finished_at = $fnow, date_modified = $fnow,
                    lease_until = NONE, message = NONE, rank = 0, due = time::nano($fnow)
                    WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            };
            FOR $f IN $retry {
                UPDATE $f.id SET status = 'Waiting', run_at = $fnow + $f.delay, due = time::nano($fnow + $f.delay),
                       rank = 0 - priority, message = $f.message, owner = NONE, lease_until = NONE, date_modified = $fnow,
                       failures = IF $f.failure = NONE THEN failures ELSE """ + KEEP_FAILURE + """
                           END
                WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            };
            FOR $f IN $failed {
                UPDATE $f.id SET status = $f.status, finished_at = $fnow, date_modified = $fnow, message = $f.message,
                       lease_until = NONE, rank = 0, due = time::nano($fnow),
                       failures = IF $f.failure = NONE THEN failures ELSE """ + KEEP_FAILURE + """
                           END
                WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            };
            LET $changed = IF array::len($done) + array::len($doneResults) + array::len($retry) + array::len($failed) = 0 THEN [] ELSE
                (SELECT queue, status, batch, chained FROM array::concat($done, $doneResults.id, $retry.id, $failed.id)
                    WHERE date_modified = $fnow) END;
            -- the rows others wait for, again with their ids (a SELECT of rows this transaction changed leaves
            -- id out): read one by one, and only when there are any — a plain task's finish reads nothing more
            LET $watched = IF !$changed.any(|$x| $x.batch != NONE OR $x.chained = true) THEN [] ELSE
                array::concat($done, $doneResults.id, $retry.id, $failed.id).map(|$i|
                    ((SELECT status, batch, chained, date_modified FROM ONLY $i) ?? {}) + {id: $i})
                    .filter(|$x| $x.date_modified = $fnow) END;
            FOR $q IN array::distinct($changed.queue) {
                LET $mine = $changed.filter(|$x| $x.queue = $q).status;
            """ + delta("$q", "array::len($mine.filter(|$x| $x = 'Waiting'))", "0 - array::len($mine)",
                    "array::len($mine.filter(|$x| $x = 'Completed'))", "array::len($mine.filter(|$x| $x = 'Error'))",
                    "array::len($mine.filter(|$x| $x = 'Cancelled'))") + """
            };
            FOR $g IN $unitDone {
                LET $u = (SELECT moved, done, n, queue, fin FROM ONLY $g.unit);
                LET $s = (SELECT owner, a, b FROM ONLY $g.slice);
                -- counted once: a slot that left the unit, or that an earlier write of this slice reported
                -- (the same outcomes written again after their answer was lost), is not counted again
                LET $k = IF $u = NONE OR $s.owner != $owner THEN 0 ELSE array::len(array::complement(
                    array::complement($g.slots, $u.moved),
                    array::flatten(($u.fin ?? []).filter(|$f| $f.b > $s.a AND $f.a < $s.b).map(|$f| <array> ($f.a..$f.b))))) END;
                IF $k > 0 {
                    LET $end = ($u.done + $k >= $u.n);
                    UPDATE $g.unit SET done += $k, completed += $k,
                        fin += $g.ranges.map(|$r| {a: $r[0], b: $r[1], at: $fnow, o: $owner, s: $g.started}),
                        status = IF $end THEN 'Done' ELSE status END, rank = IF $end THEN 0 ELSE rank END,
                        due = IF $end THEN time::nano($fnow) ELSE due END, finished_at = IF $end THEN $fnow ELSE finished_at END,
                        date_modified = $fnow RETURN NONE;
            """ + delta("$u.queue", "0", "0 - $k", "$k", "0") + """
                };
            };
            """ + MOVE_HELD + follow("$watched", "$fnow") + """
            INSERT INTO kafru_signals $finishSignals.map(|$s| $s + {at: time::nano($fnow), earliest: $fnow + $s.delay}) RETURN NONE;
            COMMIT TRANSACTION;
            """;

    /** Members of units held by {@code $owner}, given back as rows of their own ({@link #MOVE_HELD}). */
    private static final String HAND_BACK_MEMBERS = """
            BEGIN TRANSACTION;
            LET $fnow = time::now();
            """ + MOVE_HELD + """
            INSERT INTO kafru_signals array::distinct($moves.map(|$m| $m.row.queue)).map(|$q| {queue: $q, created: 0, earliest: NONE,
                at: time::nano($fnow)}) RETURN NONE;
            COMMIT TRANSACTION;
            """;

    /**
     * Takes one member out of its unit when it is still what the caller saw ({@code $expected}:
     * Waiting, InProgress or Completed), into a row of its own ({@code $row}, or none: removed),
     * in one transaction; otherwise throws {@value #MEMBER_CHANGED} and changes nothing.
     */
    private static final String MOVE_MEMBER = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            LET $u = (SELECT moved, done, n, next, fin, queue, labels FROM ONLY $unit);
            LET $state = IF $u = NONE OR $slot INSIDE $u.moved THEN 'gone'
                ELSE IF $slot >= $u.next THEN 'Waiting'
                ELSE IF $u.fin.any(|$f| $slot >= $f.a AND $slot < $f.b) THEN 'Completed' ELSE 'InProgress' END;
            IF $state != $expected { THROW 'kafru: member changed' };
            LET $w = IF $state = 'Waiting' THEN 1 ELSE 0 END;
            LET $p = IF $state = 'InProgress' THEN 1 ELSE 0 END;
            LET $c = IF $state = 'Completed' THEN 1 ELSE 0 END;
            -- a Completed member was counted done when it was reported: it leaves without being counted again
            LET $end = ($u.done + 1 - $c >= $u.n);
            UPDATE $unit SET moved += [$slot], done += 1 - $c, completed -= $c,
                status = IF $end THEN 'Done' ELSE status END, rank = IF $end THEN 0 ELSE rank END,
                due = IF $end THEN time::nano($now) ELSE due END, finished_at = IF $end THEN $now ELSE finished_at END,
                date_modified = $now RETURN NONE;
            IF $row != NONE {
                CREATE $id CONTENT $row + {date_modified: $now, due: IF $row.status = 'Waiting' THEN time::nano($row.run_at) ELSE $row.due END,
                    labels: $u.labels} RETURN NONE;
                IF $u.labels != NONE { INSERT INTO kafru_labels """ + labelEntries("[{id: $id, labels: $u.labels, date_created: $row.date_created}]") + ".map(|$k| {id: $k}) RETURN NONE; };\n" + """
                IF $row.status = 'Waiting' {
                    INSERT INTO kafru_signals {queue: $row.queue, created: 0, earliest: $row.run_at, at: time::nano($now)} RETURN NONE;
                };
            };
            """ + delta("$u.queue", "0 - $w", "0 - $p", "0 - $c", "0") + """
            IF $row != NONE {
            """ + delta("$row.queue", "IF $row.status = 'Waiting' THEN 1 ELSE 0 END", "0",
                    "IF $row.status = 'Completed' THEN 1 ELSE 0 END", "0", "IF $row.status = 'Cancelled' THEN 1 ELSE 0 END") + """
            };
            RETURN $state;
            COMMIT TRANSACTION;
            """;

    /** Members held by this server's claims: what the engine cannot read of them (see {@link HeldMembers}). */
    private final HeldMembers held = new HeldMembers();
    /**
     * Payloads this server decoded lately, by unit key: a unit is claimed in slices, often by one
     * server, and its payload never changes — a claim asks the engine only for the others'.
     */
    private final Map<String, List<PayloadTask>> payloads = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, List<PayloadTask>> eldest) {
                    return size() > PAYLOADS_KEPT;
                }
            });
    private static final int PAYLOADS_KEPT = 32;
    /** The handlers each owner runs; an owner not here runs any (see {@link #offers}). */
    private final Map<String, Set<String>> offered = new java.util.concurrent.ConcurrentHashMap<>();
    /** When each owner's claim last looked for parked tasks it can run ({@link System#nanoTime()}). */
    private final Map<String, Long> lastUnpark = new java.util.concurrent.ConcurrentHashMap<>();

    /** Claims of {@code owner} take only tasks of these handlers (null: any); see {@link #PARKED}. */
    @Override
    public void offers(String owner, Set<String> handlers) {
        if (handlers == null) {
            offered.remove(owner);
        } else {
            offered.put(owner, Set.copyOf(handlers));
        }
        lastUnpark.remove(owner);
    }

    private boolean unparkDue(String owner) {
        long now = System.nanoTime();
        Long last = lastUnpark.get(owner);
        if (last != null && now - last < UNPARK_EVERY_NANOS) {
            return false;
        }
        lastUnpark.put(owner, now);
        return true;
    }

    /** Where each owner's claims continue, per priority (see {@link ClaimFloors}). */
    private final Map<String, ClaimFloors> floorsByOwner = new java.util.concurrent.ConcurrentHashMap<>();

    /** A repository on the connection {@code connection} gives at each call (see {@link SurrealRepository}). */
    public SurrealTaskRepository(Supplier<SurrealConnection> connection) {
        super(connection);
    }

    /** A repository on one connection (tests, benchmarks: a connection per simulated server). */
    public SurrealTaskRepository(SurrealConnection connection) {
        this(() -> connection);
    }

    // ------------------------------------------------------------------------------------------
    // enqueue
    // ------------------------------------------------------------------------------------------

    /**
     * Stores validated requests as Waiting tasks in one request, with one signal per queue
     * (queue, how many, earliest run_at) that wakes the queue's workers on every server.
     */
    @Override
    public List<Task> insert(List<TaskRequest> requests) {
        return SurrealConnection.await(insertAsync(requests));
    }

    /**
     * {@link #insert} without waiting: several may be in flight, and the engine works on them at
     * once. Requests of one queue, priority and run_at, at least {@link Units#AT_LEAST} of them,
     * become one unit; the rest are rows.
     */
    @Override
    public CompletableFuture<List<Task>> insertAsync(List<TaskRequest> requests) {
        return insertAsync(requests, newKeys(requests));
    }

    /**
     * The keys {@link #insertAsync(List, List)} is to store these requests under: the member keys
     * of one new unit for each group of requests of one queue, priority, run_at, handler and author,
     * at least {@link Units#AT_LEAST} of them; a new row key for each of the rest.
     */
    @Override
    public List<String> newKeys(List<TaskRequest> requests) {
        Map<GroupKey, List<Integer>> groups = new LinkedHashMap<>();
        GroupKey last = null;
        List<Integer> lastGroup = null;
        for (int i = 0; i < requests.size(); i++) {
            TaskRequest r = requests.get(i);
            if (r.hasFollowers()) { // a task others wait for is a row: its end writes where they are
                groups.put(new GroupKey(r.queue(), r.priority(), r.runAt(), r.handler(), "chained:" + i, r.labels()), new ArrayList<>(List.of(i)));
                last = null;
                continue;
            }
            if (last == null || !last.holds(r)) { // a push's requests mostly share all three: one look-up per change
                last = new GroupKey(r);
                lastGroup = groups.computeIfAbsent(last, k -> new ArrayList<>());
            }
            lastGroup.add(i);
        }
        String[] bases = new String[requests.size()];
        int[] slots = new int[requests.size()];
        for (List<Integer> group : groups.values()) {
            String unitKey = group.size() >= Units.AT_LEAST && !requests.get(group.get(0)).hasFollowers() ? newKey() : null;
            for (int slot = 0; slot < group.size(); slot++) {
                bases[group.get(slot)] = unitKey != null ? unitKey : newKey();
                slots[group.get(slot)] = unitKey != null ? slot : -1;
            }
        }
        return new Units.Keys(bases, slots);
    }

    /**
     * Stores the requests under keys made before by {@link #newKeys} (one call's keys, or several
     * calls' keys one after the other): the members of a unit become that unit, the rest rows.
     */
    @Override
    public CompletableFuture<List<Task>> insertAsync(List<TaskRequest> requests, List<String> keys) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>(); // by unit key, or by row key for a row
        for (int i = 0; i < requests.size(); i++) {
            Units.Member member = Units.member(keys, i);
            groups.computeIfAbsent(member != null ? member.unit() : keys.get(i), k -> new ArrayList<>()).add(i);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Map<String, Object>> units = new ArrayList<>();
        List<Map<String, Object>> payloads = new ArrayList<>();
        List<Map<String, Object>> chains = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        groups.forEach((groupKey, group) -> {
            if (Units.member(keys, group.get(0)) != null) {
                for (int slot = 0; slot < group.size(); slot++) {
                    if (!Units.isSlot(keys, group.get(slot), groupKey, slot)) {
                        throw new IllegalArgumentException("key " + keys.get(group.get(slot)) + " is not slot " + slot
                                + " of unit " + groupKey + ": give insertAsync the keys of newKeys in their order");
                    }
                }
                List<TaskRequest> members = group.stream().map(requests::get).toList();
                Map<String, Object> unit = Units.row(groupKey, members);
                // a nanosecond per task apart, as rows of one statement are: claimed in the order given
                unit.put("due", (long) group.get(0));
                units.add(unit);
                addLabelEntries(labels, members.get(0).labels(), unit.get("id"));
                payloads.add(Map.of("id", new RecordId(Units.PAYLOADS, groupKey), "tasks", Units.payload(members)));
            } else {
                int i = group.get(0);
                Map<String, Object> row = row(requests.get(i));
                row.put("id", new RecordId(Schema.QUEUES, groupKey));
                row.put("due", (long) i);
                rows.add(row);
                Chains.add(groupKey, requests.get(i), row, chains);
                addLabelEntries(labels, requests.get(i).labels(), row.get("id"));
            }
        });
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("chains", chains);
        vars.put("rows", rows);
        vars.put("units", units);
        vars.put("payloads", payloads);
        vars.put("signals", signals(requests));
        if (!labels.isEmpty()) {
            vars.put("labels", labels);
        }
        return db().queryAsync(labels.isEmpty() ? INSERT : INSERT_LABELLED, vars).thenApply(result -> {
            Instant now = (Instant) result.get(result.size() - 2);
            List<Task> tasks = new ArrayList<>(requests.size());
            for (int i = 0; i < requests.size(); i++) {
                tasks.add(Task.waiting(keys.get(i), requests.get(i), now));
            }
            return tasks;
        });
    }

    /**
     * Stores requests that carry a unique key, each unless its key is taken in its queue: by a
     * task still Waiting or InProgress, or finished less than its {@code uniqueFor} ago. A key is
     * a record of its own ({@code kafru_unique:[queue, key]} → the task), written in the
     * transaction that inserts the task, so two pushes of one key on any servers conflict and the
     * second, tried again, finds the first. A key whose task finished (or was deleted) is free;
     * nothing has to release it.
     */
    @Override
    public List<Pushed> insertUnique(List<TaskRequest> requests) {
        List<Map<String, Object>> rows = new ArrayList<>(requests.size());
        for (TaskRequest request : requests) {
            if (request.uniqueKey() == null) {
                throw new IllegalArgumentException("insertUnique takes requests with a unique key only");
            }
            Map<String, Object> row = row(request);
            row.put("due", 0L);
            rows.add(row);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("rows", rows);
        vars.put("signals", signals(requests));
        List<Object> result = ConflictRetry.run(() -> db().query(INSERT_UNIQUE, vars));
        Map<?, ?> answer = (Map<?, ?>) result.get(result.size() - 2);
        Instant now = (Instant) answer.get("now");
        List<?> heldBy = (List<?>) answer.get("held");
        Map<Object, Task> existing = new LinkedHashMap<>();
        for (Object o : (List<?>) answer.get("existing")) {
            existing.put(((Map<?, ?>) o).get("id"), SurrealRows.task((Map<?, ?>) o));
        }
        List<Pushed> pushed = new ArrayList<>(requests.size());
        java.util.Set<Object> createdHere = new java.util.HashSet<>();
        for (int i = 0; i < requests.size(); i++) {
            Object id = rows.get(i).get("id");
            Object holder = heldBy.get(i);
            if (id.equals(holder) && createdHere.add(id)) {
                pushed.add(new Pushed(Task.waiting(((RecordId) id).keyText(), requests.get(i), now), true));
            } else if (existing.containsKey(holder)) {
                pushed.add(new Pushed(existing.get(holder), false));
            } else { // held by a task of this same statement
                int first = rows.stream().map(r -> r.get("id")).toList().indexOf(holder);
                pushed.add(new Pushed(Task.waiting(((RecordId) holder).keyText(), requests.get(first), now), false));
            }
        }
        return pushed;
    }

    /** See {@link #insertUnique}: rows each stored unless their key is taken; answers who holds each key after. */
    private static final String INSERT_UNIQUE = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            FOR $r IN $rows {
                LET $key = type::record('kafru_unique', [$r.queue, $r.unique]);
                LET $holder = (SELECT VALUE task FROM ONLY $key);
                LET $t = IF $holder = NONE THEN NONE ELSE (SELECT status, finished_at, unique_for FROM ONLY $holder) END;
                LET $taken = $t != NONE AND ($t.status IN ['Waiting', 'InProgress']
                    OR ($t.unique_for != NONE AND $t.finished_at != NONE AND $t.finished_at + $t.unique_for > $now));
                IF !$taken {
                    UPSERT $key CONTENT {task: $r.id, queue: $r.queue, at: $now} RETURN NONE;
                    IF $r.labels != NONE { INSERT INTO kafru_labels """ + labelEntries("[$r + {date_created: $now}]") + ".map(|$k| {id: $k}) RETURN NONE; };\n" + """
                    INSERT INTO kafru_queues ($r + {run_at: $r.run_at ?? $now, due: time::nano($r.run_at ?? $now),
                        date_created: $now, date_modified: $now}) RETURN NONE;
                };
            };
            LET $held = $rows.map(|$r| (SELECT VALUE task FROM ONLY type::record('kafru_unique', [$r.queue, $r.unique])));
            LET $created = (SELECT queue FROM $rows.id WHERE date_created = $now);
            LET $signals = $signals.map(|$s| $s + {created: array::len($created.filter(|$c| $c.queue = $s.queue)), at: time::nano($now)})
                .filter(|$s| $s.created > 0);
            IF array::len($signals) > 0 {
                INSERT INTO kafru_signals $signals RETURN NONE;
                INSERT INTO kafru_count_deltas $signals.map(|$s| {queue: $s.queue, w: $s.created, p: 0, c: 0, e: 0, at: time::nano($now)}) RETURN NONE;
            };
            RETURN {now: $now, held: $held,
                existing: (SELECT * OMIT failures FROM array::distinct($held.filter(|$h| $h NOTINSIDE $rows.id)))};
            COMMIT TRANSACTION;
            """;

    /** What the tasks of one unit share. */
    private record GroupKey(String queue, int priority, Instant runAt, String handler, String author, List<String> labels) {
        GroupKey(TaskRequest r) {
            this(r.queue(), r.priority(), r.runAt(), r.handler(), r.author(), r.labels());
        }

        boolean holds(TaskRequest r) {
            return priority == r.priority() && queue.equals(r.queue()) && java.util.Objects.equals(runAt, r.runAt())
                    && handler.equals(r.handler()) && java.util.Objects.equals(author, r.author()) && labels.equals(r.labels());
        }
    }

    /**
     * Stores one request as a task already InProgress for {@code owner} (with its first attempt
     * counted and a lease), for a worker of this server that has a free thread: one round trip
     * instead of an insert and a claim.
     */
    @Override
    public Task insertClaimed(TaskRequest request, String owner, Duration lease) {
        Map<String, Object> row = row(request);
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("rows", List.of(row));
        vars.put("owner", owner);
        vars.put("lease", lease);
        // its signal counts it in every server's enqueued metric and wakes nobody
        vars.put("signals", List.of(claimedSignal(request.queue(), 1)));
        List<Map<String, Object>> labels = new ArrayList<>();
        addLabelEntries(labels, request.labels(), row.get("id"));
        if (!labels.isEmpty()) {
            vars.put("labels", labels);
        }
        List<Object> result = db().query(labels.isEmpty() ? INSERT_CLAIMED : INSERT_CLAIMED_LABELLED, vars);
        Instant now = (Instant) ((List<?>) result.get(result.size() - 2)).get(0);
        RecordId id = (RecordId) row.get("id");
        return new Task(id.keyText(), request.name(), request.queue(), request.handler(), request.parameters(),
                TaskStatus.InProgress, null, request.priority(), now, 1, request.maxAttempts(), owner, now.plus(lease),
                now, now, now, null, request.author(), request.timeout(), request.uniqueKey(), List.of(), null,
                request.labels(), null, null, null);
    }

    /** The row a new Waiting task is stored as (without its times, which the statement adds). */
    static Map<String, Object> row(TaskRequest request) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", new RecordId(Schema.QUEUES, newKey()));
        row.put("name", request.name());
        row.put("queue", request.queue());
        row.put("handler", request.handler());
        row.put("parameters", request.parameters());
        row.put("status", TaskStatus.Waiting.name());
        row.put("priority", (long) request.priority());
        row.put("rank", -(long) request.priority());
        if (request.runAt() != null) {
            row.put("run_at", request.runAt());
        }
        row.put("attempts", 0L);
        row.put("max_attempts", (long) request.maxAttempts());
        if (request.author() != null) {
            row.put("author", request.author());
        }
        if (!request.labels().isEmpty()) {
            row.put("labels", request.labels());
        }
        if (request.timeout() != null) {
            row.put("timeout", request.timeout().toMillis());
        }
        if (request.uniqueKey() != null) {
            row.put("unique", request.uniqueKey());
            if (request.uniqueFor() != null && !request.uniqueFor().isZero()) {
                row.put("unique_for", request.uniqueFor());
            }
        }
        return row;
    }

    /** A complete Waiting row, times included, for statements that insert it themselves (a schedule firing). */
    public static Map<String, Object> row(TaskRequest request, Instant now) {
        Map<String, Object> row = row(request);
        Instant runAt = request.runAt() != null ? request.runAt() : now;
        row.put("run_at", runAt);
        row.put("due", TaskRepository.nanos(runAt));
        row.put("date_created", now);
        row.put("date_modified", now);
        return row;
    }

    /** The signal a statement that inserts {@code row} writes beside it: see {@link #onSignal}. */
    private static Map<String, Object> signal(String queue, int created, Instant earliest) {
        Map<String, Object> signal = new LinkedHashMap<>();
        signal.put("queue", queue);
        signal.put("created", (long) created);
        signal.put("earliest", earliest == null ? None.NONE : earliest);
        return signal;
    }

    /** A signal that counts {@code created} tasks but wakes nobody: they were inserted already claimed. */
    private static Map<String, Object> claimedSignal(String queue, int created) {
        Map<String, Object> signal = signal(queue, created, null);
        signal.put("wake", false);
        return signal;
    }

    /**
     * One signal per queue: how many tasks, and the earliest run_at among them — null for "now"
     * unless one was given a run_at already past (a worker then looks behind where its claims
     * had got to, see {@link #waitingFrom}).
     */
    private static List<Map<String, Object>> signals(List<TaskRequest> requests) {
        Map<String, int[]> counts = new LinkedHashMap<>();
        Map<String, Instant> earliest = new LinkedHashMap<>();
        Map<String, Boolean> now = new LinkedHashMap<>();
        for (TaskRequest request : requests) {
            counts.computeIfAbsent(request.queue(), q -> new int[1])[0]++;
            if (request.runAt() == null) {
                now.put(request.queue(), true);
            } else {
                earliest.merge(request.queue(), request.runAt(), (a, b) -> a.isBefore(b) ? a : b);
            }
        }
        Instant current = Instant.now();
        List<Map<String, Object>> signals = new ArrayList<>();
        counts.forEach((queue, n) -> {
            Instant given = earliest.get(queue);
            boolean pastGiven = given != null && given.isBefore(current);
            signals.add(signal(queue, n[0], pastGiven || !now.containsKey(queue) ? given : null));
        });
        return signals;
    }

    /** A record key as SurrealDB makes them: 20 characters of a–z and 0–9. */
    static String newKey() {
        char[] key = new char[20];
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < key.length; i++) {
            int c = random.nextInt(36);
            key[i] = (char) (c < 10 ? '0' + c : 'a' + c - 10);
        }
        return new String(key);
    }

    // ------------------------------------------------------------------------------------------
    // batches and chains
    // ------------------------------------------------------------------------------------------

    /** {@link #INSERT} of a batch's rows, with the batch record created in the same transaction. */
    private static final String INSERT_BATCH = INSERT_LABELLED.replace("LET $now = time::now();", """
            LET $now = time::now();
            CREATE $batch.id CONTENT $batch + {completed: 0, failed: 0, cancelled: 0, date_created: $now} RETURN NONE;""");

    @Override
    public Batch insertBatch(List<TaskRequest> members, TaskRequest onComplete) {
        return insertBatch(members, onComplete, newKey());
    }

    /** {@link #insertBatch(List, TaskRequest)} under a key given (tests: a key taken fails the whole batch). */
    public Batch insertBatch(List<TaskRequest> members, TaskRequest onComplete, String key) {
        List<Map<String, Object>> rows = new ArrayList<>(members.size());
        List<Map<String, Object>> chains = new ArrayList<>();
        List<Map<String, Object>> labels = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            String memberKey = Batch.memberKey(key, i);
            Map<String, Object> row = row(members.get(i));
            row.put("id", new RecordId(Schema.QUEUES, memberKey));
            row.put("due", (long) i);
            row.put("batch", key);
            rows.add(row);
            Chains.add(memberKey, members.get(i), row, chains);
            addLabelEntries(labels, members.get(i).labels(), row.get("id"));
        }
        Map<String, Object> batch = new LinkedHashMap<>();
        batch.put("id", new RecordId(BATCHES, key));
        batch.put("total", (long) members.size());
        if (onComplete != null) {
            Map<String, Object> callback = row(onComplete);
            callback.put("id", new RecordId(Schema.QUEUES, key));
            callback.put("of_batch", key);
            Chains.add(key, onComplete, callback, chains);
            batch.put("callback", callback);
            batch.put("on_complete", onComplete.handler());
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("batch", batch);
        vars.put("chains", chains);
        vars.put("labels", labels);
        vars.put("rows", rows);
        vars.put("units", List.of());
        vars.put("payloads", List.of());
        vars.put("signals", signals(members));
        List<Object> result = db().query(INSERT_BATCH, vars);
        Instant now = (Instant) result.get(result.size() - 2);
        return new Batch(key, members.size(), 0, 0, 0, onComplete == null ? null : onComplete.handler(), now, null);
    }

    static final String BATCHES = "kafru_batch";

    @Override
    public Optional<Batch> batch(String id) {
        List<Object> result = db().query("SELECT * FROM ONLY $id", Map.of("id", new RecordId(BATCHES, id)));
        if (!(result.get(0) instanceof Map<?, ?> row)) {
            return Optional.empty();
        }
        return Optional.of(new Batch(id, number(row.get("total")), number(row.get("completed")), number(row.get("failed")),
                number(row.get("cancelled")), text(row.get("on_complete")), instant(row.get("date_created")),
                instant(row.get("fired"))));
    }

    @Override
    public List<Task> batchMembers(String id, int limit, int offset) {
        Optional<Batch> batch = batch(id);
        if (batch.isEmpty()) {
            return List.of();
        }
        List<RecordId> ids = new ArrayList<>();
        for (long n = Math.max(0, offset); n < batch.get().total() && ids.size() < Math.min(limit, MAX_LIMIT); n++) {
            ids.add(new RecordId(Schema.QUEUES, Batch.memberKey(id, (int) n)));
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Object> result = db().query("SELECT * OMIT failures, result FROM $ids", Map.of("ids", ids));
        return rows(result.get(0), SurrealRows::task);
    }

    private static final String CHAIN_ONTO = ("""
            BEGIN TRANSACTION;
            LET $now = time::now();
            LET $p = (SELECT status FROM ONLY $parent);
            IF $p = NONE { THROW 'kafru: no such task' };
            LET $ended = $p.status IN ['Completed', 'Error', 'Cancelled'];
            LET $match = ($p.status = 'Completed') = ($on = 'Completed');
            IF $ended AND !$match { THROW 'kafru: ended ' + $p.status };
            LET $row = $chains[0].row;
            INSERT INTO kafru_chains $chains.map(|$c| $c + {at: $now,
                pushed: IF $ended AND $c.id = $chains[0].id THEN $now ELSE NONE END}) RETURN NONE;
            IF $ended {
                INSERT INTO kafru_queues ($row + {run_at: $row.run_at ?? $now, due: time::nano($row.run_at ?? $now),
                    date_created: $now, date_modified: $now}) RETURN NONE;
                INSERT INTO kafru_signals {queue: $row.queue, created: 1, earliest: $row.run_at, at: time::nano($now)} RETURN NONE;
                INSERT INTO kafru_labels LABELS.map(|$k| {id: $k}) RETURN NONE;
            """ + delta("$row.queue", "1", "0", "0", "0") + """
            } ELSE {
                UPDATE $parent SET chained = true RETURN NONE;
            };
            RETURN IF $ended THEN $now ELSE NONE END;
            COMMIT TRANSACTION;
            """).replace("LABELS", labelEntries("[$row + {date_created: $now}]"));

    @Override
    public Optional<TaskLink> chain(String key, TaskRequest next, boolean onFailure) {
        Member member = Units.member(String.valueOf(id(key).key()));
        if (member != null && !rowExists(id(key))) {
            // a member still inside its unit has no row to mark: a Waiting one leaves the unit as a row first
            Optional<Task> task = get(key);
            if (task.isEmpty()) {
                return Optional.empty();
            }
            if (task.get().status() != TaskStatus.Waiting || moveMember(member, s -> s == TaskStatus.Waiting,
                    t -> rowOf(t, null)).isEmpty()) {
                throw new IllegalStateException("task " + key + " is " + task.get().status() + " inside the push unit it was stored in,"
                        + " which keeps no followers: chain it when you push it (TaskRequest.then / onFailure)");
            }
        }
        String on = onFailure ? Chains.ON_FAILED : Chains.ON_COMPLETED;
        List<Map<String, Object>> chains = new ArrayList<>();
        String childKey = Chains.one(key, on, next, chains);
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("parent", id(key));
        vars.put("on", on);
        vars.put("chains", chains);
        Object pushed;
        try {
            List<Object> result = ConflictRetry.run(() -> db().query(CHAIN_ONTO, vars));
            pushed = result.get(result.size() - 2);
        } catch (SurrealException e) {
            String message = String.valueOf(e.getMessage());
            if (message.contains("kafru: no such task")) {
                return Optional.empty();
            }
            if (message.contains("kafru: ended ")) {
                String status = message.substring(message.indexOf("kafru: ended ") + "kafru: ended ".length()).replaceAll("[^A-Za-z].*", "");
                throw new IllegalStateException("task " + key + " already ended " + status + ": a follower "
                        + (onFailure ? "on failure" : "on completion") + " would never be pushed; push the task yourself if it should run");
            }
            throw e;
        }
        return Optional.of(new TaskLink(childKey, next.handler(), next.queue(), on, pushed instanceof Instant at ? at : null));
    }

    @Override
    public int forgetFollowers(Instant before, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $chains = array::slice((SELECT id, pushed, parent FROM kafru_chains WHERE at < $before LIMIT $scan)
                    .filter(|$c| ($c.pushed != NONE AND $c.pushed < $before)
                        OR (SELECT VALUE id FROM ONLY type::record('kafru_queues', $c.parent)) = NONE), 0, $limit);
                LET $batches = (SELECT VALUE id FROM kafru_batch WHERE fired != NONE AND fired < $before LIMIT $limit);
                DELETE $chains.id RETURN NONE;
                DELETE $batches RETURN NONE;
                RETURN array::len($chains) + array::len($batches);
                COMMIT TRANSACTION;""", Map.of("before", before, "limit", (long) limit, "scan", (long) limit * 10)));
        return ((Number) result.get(result.size() - 2)).intValue();
    }

    @Override
    public List<TaskLink> children(String key) {
        List<Object> result = db().query("SELECT id, on, pushed, row.handler AS handler, row.queue AS queue FROM kafru_chains WHERE parent = $key",
                Map.of("key", key));
        return rows(result.get(0), row -> new TaskLink(key(row.get("id")), text(row.get("handler")), text(row.get("queue")),
                text(row.get("on")), instant(row.get("pushed"))));
    }

    // ------------------------------------------------------------------------------------------
    // claim and finish
    // ------------------------------------------------------------------------------------------

    /**
     * Moves up to {@code n} due Waiting tasks of a queue to InProgress for {@code owner}, with a
     * lease, in one transaction — highest priority first, then oldest due; a write conflict with
     * another claimer is retried. {@code outcomes} of earlier attempts are written in the same
     * round trip, before the claim. Each owner's claims continue where its last ones ended
     * ({@link ClaimFloors}).
     */
    @Override
    public Claimed claim(String queue, String owner, int n, Duration lease, List<Outcome> outcomes) {
        return claim(queue, owner, n, lease, outcomes, floorsByOwner.computeIfAbsent(owner, o -> new ClaimFloors()).forNextClaim());
    }

    /** A task due at {@code due} may lie behind where the owner's claims had got to: its next claim reads from there. */
    @Override
    public void waitingFrom(String owner, Instant due) {
        ClaimFloors floors = floorsByOwner.get(owner);
        if (floors != null) {
            floors.lowerTo(TaskRepository.nanos(due));
        }
    }

    /** {@link #claim(String, String, int, Duration, List)} with the floors given (null: read every range from its start). */
    Claimed claim(String queue, String owner, int n, Duration lease, List<Outcome> outcomes, ClaimFloors floors) {
        if (outcomes != null && !outcomes.isEmpty()) {
            // a request of their own, before the claim: in the claim's request they were a transaction of their own,
            // committed before a conflict of the claim's, and the retry wrote them again — a unit's members counted
            // done twice, and a unit counted done before all its members were claimed was never claimed again
            SurrealConnection.await(finish(owner, outcomes));
        }
        List<Task> tasks = new ArrayList<>();
        Map<Long, Long> latest = new LinkedHashMap<>();
        Long from = null;
        boolean reread = false;
        int slots = 0;
        while (slots < n) {
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("queue", queue);
            vars.put("owner", owner);
            vars.put("n", (long) (n - slots));
            long few = few(n - slots);
            vars.put("few", few);
            vars.put("lease", lease);
            vars.put("from", from == null ? None.NONE : from);
            Long top = floors == null ? null : floors.top();
            vars.put("top", top == null ? None.NONE : top);
            vars.put("floors", floors == null ? Map.of() : floorsVariable(floors));
            Set<String> runs = offered.get(owner);
            vars.put("handlers", runs == null ? None.NONE : List.copyOf(runs));
            vars.put("parked", PARKED);
            vars.put("unpark", from == null && unparkDue(owner));
            synchronized (payloads) {
                vars.put("known", List.copyOf(payloads.keySet()));
            }
            int wanted = n - slots;
            // the first pass of a claim starts in its lane (see ClaimFloors#lane); a pass after it, at the head
            boolean firstPass = from == null && !reread;
            long lane = firstPass && floors != null ? floors.lane() : 0;
            long[] skipped = {0, 0}; // the skip that got through, and on which attempt
            Map<?, ?> result = ConflictRetry.run(attempt -> {
                // another claimer took the same tasks: try past them, where it is less likely to be
                // claiming again right now (each collision costs a whole claim's work)
                long skip = attempt == 1 ? lane : ThreadLocalRandom.current().nextLong(1, Math.min(2L * wanted, 2L * few) + 1);
                skipped[0] = skip;
                skipped[1] = attempt;
                vars.put("skip", skip);
                List<Object> results = db().query(CLAIM, vars);
                return (Map<?, ?>) results.get(results.size() - 2);
            });
            // in the order claimed (priority, then due): rows and units' members as the plan took them
            Map<Object, List<Task>> byId = new LinkedHashMap<>();
            for (Object row : (List<?>) result.get("tasks")) {
                byId.put(((Map<?, ?>) row).get("id"), List.of(claimedTask((Map<?, ?>) row, queue, owner)));
            }
            byId.putAll(claimedMembers((List<?>) result.get("units"), queue, owner, instant(result.get("started"))));
            for (Object id : (List<?>) result.get("order")) {
                tasks.addAll(byId.getOrDefault(id, List.of()));
            }
            int took = (int) number(result.get("slots"));
            slots += took;
            for (Object pair : (List<?>) result.get("floors")) {
                List<?> rankDues = (List<?>) pair;
                if (rankDues.size() == 2 && rankDues.get(0) instanceof Number rank && rankDues.get(1) instanceof List<?> dues) {
                    for (Object due : dues) {
                        if (due instanceof Long || due instanceof Integer) {
                            latest.merge(rank.longValue(), ((Number) due).longValue(), Math::max);
                        }
                    }
                }
            }
            from = result.get("more") instanceof Number more ? more.longValue() : null;
            if (firstPass && floors != null) {
                if (skipped[1] > 1) {
                    floors.keepLane(skipped[0]); // it met another claimer's: keep out of its way for a while
                } else {
                    floors.laneUsed();
                }
            }
            if (skipped[0] > 0 && took < wanted && !reread && slots < n) {
                reread = true; // what the skip passed over may still be there: look from the start once more
                from = null;
                if (floors != null) {
                    floors.leaveLane();
                }
                continue;
            }
            if (from == null || slots >= n) {
                break;
            }
        }
        if (floors != null) {
            floors.record(latest);
            floors.claimed(slots >= n);
        }
        // slots taken that left their unit meanwhile are no tasks: the queue may still hold as many as asked for
        return new Claimed(tasks, slots >= n || from != null);
    }

    /**
     * How many index entries a claim of {@code wanted} reads first: enough whole push units
     * ({@link dev.kafru.KafruQueue#PUSH_STATEMENT_ROWS} tasks each) and the part of one at the head.
     * A fixed 4 was enough for claims of 1,000; a claim of 4,000 read 4 units, fell short, and then
     * read up to 4,000 entries (measured: a flood at 51,000 tasks/s instead of 175,000). It also sets how
     * far a claim retried after a conflict steps past the head: up to twice {@code few} entries (and no
     * more than twice {@code wanted}), past a claim as wide as its own; never less far than the fixed 8
     * of before, since {@code few} is at least 4.
     */
    private static long few(int wanted) {
        int unit = dev.kafru.KafruQueue.PUSH_STATEMENT_ROWS;
        return Math.max(4, (wanted + unit - 1) / unit + 2);
    }

    /** The members a claim took from units (by unit id), registered as held by {@code owner}. */
    private Map<Object, List<Task>> claimedMembers(List<?> units, String queue, String owner, Instant started) {
        Map<Object, List<Task>> byUnit = new LinkedHashMap<>();
        for (Object u : units) {
            List<Task> tasks = new ArrayList<>();
            Map<?, ?> unit = (Map<?, ?>) u;
            String unitKey = key(unit.get("id"));
            int a = (int) number(unit.get("a"));
            int b = (int) number(unit.get("b"));
            List<PayloadTask> payload = unit.get("payload") instanceof byte[] bytes ? Units.payload(bytes) : payloads.get(unitKey);
            if (payload == null) { // evicted between the claim's request and its answer: read it
                payload = Units.payload(db().query("SELECT VALUE tasks FROM ONLY $p", Map.of("p", new RecordId(Units.PAYLOADS, unitKey))).get(0));
            }
            if (b < payload.size()) {
                payloads.put(unitKey, payload); // more of it is left for the next claims
            } else {
                payloads.remove(unitKey);
            }
            java.util.Set<Long> moved = new java.util.HashSet<>();
            if (unit.get("moved") instanceof List<?> m) {
                m.forEach(s -> moved.add(number(s)));
            }
            RecordId slice = Units.sliceId(unitKey, a);
            List<Held> members = new ArrayList<>();
            for (int slot = a; slot < b && slot < payload.size(); slot++) {
                if (moved.contains((long) slot)) {
                    continue;
                }
                PayloadTask t = payload.get(slot);
                Task task = new Task(Units.memberKey(unitKey, slot), t.name(), queue, t.handler(), t.parameters(), TaskStatus.InProgress,
                        null, (int) number(unit.get("priority")), null, 1, t.maxAttempts(), owner, null, null, null, null, null,
                        text(unit.get("author")), t.timeout(), null, List.of());
                members.add(new Held(task, owner, unitKey, slot, slice, instant(unit.get("created")), started));
                tasks.add(task);
            }
            held.add(members, slice);
            byUnit.put(unit.get("id"), tasks);
        }
        return byUnit;
    }

    /** The floors as the claim statement reads them: rank (as text, a SurrealQL object key) → due. */
    private static Map<String, Object> floorsVariable(ClaimFloors floors) {
        Map<String, Object> map = new LinkedHashMap<>();
        floors.byRank().forEach((rank, due) -> map.put(String.valueOf(rank), due));
        return map;
    }

    private static Task claimedTask(Map<?, ?> row, String queue, String owner) {
        return new Task(key(row.get("id")), text(row.get("name")), queue, text(row.get("handler")),
                parameters(row.get("parameters")), TaskStatus.InProgress,
                null, (int) number(row.get("priority")), null, (int) number(row.get("attempts")),
                (int) number(row.get("max_attempts")), owner, null, null, null, null, null, text(row.get("author")),
                SurrealRows.duration(row.get("timeout")), text(row.get("unique")), List.of())
                .withLinks(List.of(), text(row.get("parent")), SurrealRows.batchOf(row));
    }

    /**
     * Writes the outcomes of attempts in one request. Only tasks still InProgress and owned by
     * {@code owner} change: a task whose lease lapsed and that another server took is left alone.
     */
    @Override
    public CompletableFuture<Void> finish(String owner, List<Outcome> outcomes) {
        List<Held> writing = new ArrayList<>();
        Map<String, Object> vars = finishVars(owner, outcomes, writing);
        // two servers ending members of one batch write its counts: a conflict is tried again at once
        return ConflictRetry.runAsync(() -> db().queryAsync(FINISH, vars)).thenApply(r -> {
            held.written(writing);
            return null;
        });
    }

    /** The finish statement's variables; the held members among the outcomes are added to {@code writing}. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> finishVars(String owner, List<Outcome> outcomes, List<Held> writing) {
        List<RecordId> done = new ArrayList<>();
        List<Map<String, Object>> doneResults = new ArrayList<>();
        List<Map<String, Object>> retry = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        Map<String, Duration> retried = new LinkedHashMap<>();
        Map<RecordId, List<Held>> completedBySlice = new LinkedHashMap<>();
        List<Map<String, Object>> moves = new ArrayList<>();
        for (Outcome outcome : outcomes) {
            if (outcome.status() == TaskStatus.Waiting && outcome.queue() != null) {
                retried.merge(outcome.queue(), outcome.retryDelay(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
            }
            Held member = held.get(outcome.taskKey());
            if (member != null && !member.owner().equals(owner)) {
                continue; // another owner's: nothing this one may write
            }
            if (member != null) {
                writing.add(member);
                switch (outcome.status()) {
                    // a member with a result leaves its unit as a row that keeps it
                    case Completed -> {
                        if (outcome.result() != null) {
                            Map<String, Object> m = move(member, TaskStatus.Completed, 1, null, null, null);
                            ((Map<String, Object>) m.get("row")).put("result", resultBytes(outcome.result()));
                            moves.add(m);
                        } else {
                            completedBySlice.computeIfAbsent(member.slice(), s -> new ArrayList<>()).add(member);
                        }
                    }
                    case Waiting -> moves.add(move(member, TaskStatus.Waiting, 1, truncate(outcome.message()), outcome.retryDelay(),
                            outcome.failure()));
                    default -> moves.add(move(member, outcome.status() == TaskStatus.Cancelled ? TaskStatus.Cancelled : TaskStatus.Error, 1,
                            truncate(outcome.message()), null, outcome.failure()));
                }
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id(outcome.taskKey()));
            switch (outcome.status()) {
                case Completed -> {
                    if (outcome.result() != null) {
                        row.put("result", resultBytes(outcome.result()));
                        doneResults.add(row);
                    } else {
                        done.add(id(outcome.taskKey()));
                    }
                }
                case Waiting -> {
                    row.put("message", truncate(outcome.message()));
                    row.put("delay", outcome.retryDelay());
                    row.put("failure", failure(outcome.failure()));
                    retry.add(row);
                }
                default -> {
                    row.put("status", outcome.status() == TaskStatus.Cancelled ? "Cancelled" : "Error");
                    row.put("message", truncate(outcome.message()));
                    row.put("failure", failure(outcome.failure()));
                    failed.add(row);
                }
            }
        }
        List<Map<String, Object>> unitDone = new ArrayList<>();
        completedBySlice.forEach((slice, members) -> {
            List<Long> slots = members.stream().map(h -> (long) h.slot()).sorted().toList();
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("unit", members.get(0).unit());
            g.put("slice", slice);
            g.put("slots", slots);
            g.put("ranges", ranges(slots));
            g.put("started", members.get(0).started());
            unitDone.add(g);
        });
        List<Map<String, Object>> signals = new ArrayList<>();
        retried.forEach((queue, delay) -> {
            Map<String, Object> signal = signal(queue, 0, null);
            signal.remove("earliest");
            signal.put("delay", delay);
            signals.add(signal);
        });
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("owner", owner);
        vars.put("done", done);
        vars.put("doneResults", doneResults);
        vars.put("retry", retry);
        vars.put("failed", failed);
        vars.put("unitDone", unitDone);
        vars.put("moves", moves);
        vars.put("closed", held.closedBy(writing));
        vars.put("finishSignals", signals);
        return vars;
    }

    /**
     * A result as a row keeps it: CBOR bytes of kafru's own encoding, one value to the engine. Stored
     * as a SurrealDB value, a decimal lost its scale (1234.50 came back 1234.5) and digits past 28
     * (1E-30 came back 0); the bytes give back exactly what the handler gave.
     */
    static byte[] resultBytes(Object result) {
        return dev.kafru.surrealdb.SurrealCbor.encode(result);
    }

    /** A failed attempt as a row keeps it; NONE for none. */
    static Object failure(TaskFailure f) {
        if (f == null) {
            return None.NONE;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("attempt", (long) f.attempt());
        m.put("at", f.at() == null ? Instant.now() : f.at());
        putIfSet(m, "server", f.server());
        putIfSet(m, "exception", f.exception());
        m.put("message", truncate(f.message()));
        putIfSet(m, "stack", f.stackTrace() == null || f.stackTrace().length() <= TaskFailure.STACK_LIMIT ? f.stackTrace()
                : f.stackTrace().substring(0, TaskFailure.STACK_LIMIT));
        return m;
    }

    /** Consecutive slots as [first, last + 1) ranges. */
    private static List<List<Long>> ranges(List<Long> sortedSlots) {
        List<List<Long>> ranges = new ArrayList<>();
        long a = -1;
        long b = -1;
        for (long s : sortedSlots) {
            if (s == b) {
                b++;
            } else {
                if (a >= 0) {
                    ranges.add(List.of(a, b));
                }
                a = s;
                b = s + 1;
            }
        }
        if (a >= 0) {
            ranges.add(List.of(a, b));
        }
        return ranges;
    }

    /**
     * A held member's move to a row of its own ({@link #MOVE_HELD}): Waiting again after
     * {@code delay} (null: now), or Error; {@code attempts} as the row will count them.
     */
    private static Map<String, Object> move(Held member, TaskStatus status, int attempts, String message, Duration delay,
                                            TaskFailure failure) {
        Task t = member.task();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", t.name());
        row.put("queue", t.queue());
        row.put("handler", t.handler());
        row.put("parameters", t.parameters());
        row.put("status", status.name());
        row.put("message", message == null ? None.NONE : message);
        row.put("priority", (long) t.priority());
        row.put("rank", status == TaskStatus.Waiting ? -(long) t.priority() : 0L);
        row.put("attempts", (long) attempts);
        row.put("max_attempts", (long) t.maxAttempts());
        row.put("run_at", member.dateCreated() == null ? None.NONE : member.dateCreated());
        row.put("date_created", member.dateCreated() == null ? None.NONE : member.dateCreated());
        row.put("started_at", member.started() == null ? None.NONE : member.started());
        putIfSet(row, "author", t.author());
        putIfSet(row, "timeout", t.timeout() == null ? null : t.timeout().toMillis());
        if (failure != null) {
            row.put("failures", List.of(failure(failure)));
        }
        Map<String, Object> move = new LinkedHashMap<>();
        move.put("unit", member.unit());
        move.put("slot", (long) member.slot());
        move.put("slice", member.slice());
        move.put("id", id(t.id()));
        move.put("row", row);
        move.put("delay", delay == null ? None.NONE : delay);
        return move;
    }

    /** Extends the leases of tasks this owner holds (a unit's members: their slices). */
    @Override
    public void noteRunning(String owner, String key, String message) {
        db().query("UPDATE $id SET message = $message WHERE status = 'InProgress' AND owner = $owner RETURN NONE",
                Map.of("id", id(key), "owner", owner, "message", truncate(message)));
    }

    @Override
    public void renewLeases(String owner, List<String> keys, Duration lease) {
        if (keys.isEmpty()) {
            return;
        }
        List<RecordId> rows = new ArrayList<>();
        for (String key : keys) {
            if (held.get(key) == null) {
                rows.add(id(key));
            }
        }
        List<RecordId> slices = List.copyOf(held.slicesOf(keys));
        ConflictRetry.run(() -> db().query("""
                LET $now = time::now();
                IF array::len($ids) > 0 {
                    UPDATE $ids SET lease_until = $now + $lease, due = time::nano($now + $lease)
                        WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
                };
                IF array::len($slices) > 0 {
                    UPDATE $slices SET due = time::nano($now + $lease) WHERE owner = $owner RETURN NONE;
                };""", Map.of("ids", rows, "slices", slices, "lease", lease, "owner", owner)));
    }

    /**
     * Returns the queue's tasks whose owner stopped renewing its lease (a dead server) to
     * Waiting, due now — or ends them Error when that was their last attempt. The attempt stays
     * counted. Reads only the expired leases: an index range, at most {@code limit} per call, of
     * rows and of slices (whose unreported members leave their unit as rows).
     *
     * @return how many tasks were recovered
     */
    @Override
    public int recoverExpiredLeases(String queue, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $ids = (SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'InProgress' AND rank = 0
                            AND due < time::nano($now) LIMIT $limit);
                LET $back = (UPDATE $ids SET
                    status = IF attempts >= max_attempts THEN 'Error' ELSE 'Waiting' END,
                    message = 'lease of ' + (owner ?? 'unknown owner') + ' expired during attempt ' + <string> attempts,
                    failures =""" + keepFailure("{attempt: attempts, at: $now, server: owner, exception: 'LeaseLapsed',"
                        + " message: 'lease of ' + (owner ?? 'unknown owner') + ' expired during attempt ' + <string> attempts}") + """
                    ,
                    finished_at = IF attempts >= max_attempts THEN $now ELSE NONE END,
                    rank = IF attempts >= max_attempts THEN 0 ELSE 0 - priority END,
                    due = time::nano($now), run_at = IF attempts >= max_attempts THEN run_at ELSE $now END,
                    owner = NONE, lease_until = NONE, date_modified = $now
                WHERE status = 'InProgress' AND lease_until < $now RETURN id, status, batch, chained);
                """ + follow("$back", "$now") + """
                LET $back = $back.status;
                IF $back CONTAINS 'Waiting' {
                    INSERT INTO kafru_signals {queue: $queue, created: 0, earliest: NONE, at: time::nano($now)} RETURN NONE;
                };
                IF array::len($back) > 0 {
                """ + delta("$queue", "array::len($back.filter(|$s| $s = 'Waiting'))", "0 - array::len($back)", "0",
                        "array::len($back.filter(|$s| $s = 'Error'))") + """
                };
                RETURN array::len($back);
                COMMIT TRANSACTION;
                """, Map.of("queue", queue, "limit", (long) limit)));
        int rows = ((Number) result.get(result.size() - 2)).intValue();
        return rows + recoverExpiredSlices(queue, limit);
    }

    /**
     * The members of the queue's lapsed slices that were not reported: each leaves its unit as a
     * row of its own, Waiting with its attempt counted (Error when it was its last). The rows are
     * built here from the payload, read first; the write checks again, in its transaction, that
     * the slice is still lapsed and each member still unreported.
     */
    private int recoverExpiredSlices(String queue, int limit) {
        List<Object> found = db().query("""
                LET $s = (SELECT * FROM kafru_slices WHERE queue = $queue AND due < time::nano(time::now()) LIMIT $limit);
                RETURN $s.map(|$x| {slice: $x, unit: (SELECT * FROM ONLY $x.unit),
                    payload: (SELECT VALUE tasks FROM ONLY type::record('kafru_payloads', record::id($x.unit)))});""",
                Map.of("queue", queue, "limit", (long) limit));
        List<?> lapsed = (List<?>) found.get(found.size() - 1);
        if (lapsed.isEmpty()) {
            return 0;
        }
        List<Map<String, Object>> recoveries = new ArrayList<>();
        List<RecordId> candidates = new ArrayList<>();
        for (Object o : lapsed) {
            Map<?, ?> r = (Map<?, ?>) o;
            Map<?, ?> slice = (Map<?, ?>) r.get("slice");
            List<Map<String, Object>> rows = new ArrayList<>();
            if (r.get("unit") instanceof Map<?, ?> unit) {
                Snapshot snapshot = new Snapshot(unit, r.get("payload"), List.of(slice));
                String owner = text(slice.get("owner"));
                for (int slot = (int) number(slice.get("a")); slot < number(slice.get("b")); slot++) {
                    if (snapshot.status(slot) != TaskStatus.InProgress || slot >= snapshot.tasks.size()) {
                        continue;
                    }
                    PayloadTask t = snapshot.tasks.get(slot);
                    boolean last = t.maxAttempts() <= 1;
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", new RecordId(Schema.QUEUES, Units.memberKey(snapshot.key, slot)));
                    row.put("name", t.name());
                    row.put("queue", snapshot.queue);
                    row.put("handler", t.handler());
                    row.put("parameters", t.parameters());
                    row.put("status", last ? "Error" : "Waiting");
                    row.put("message", "lease of " + (owner == null ? "unknown owner" : owner) + " expired during attempt 1");
                    row.put("priority", (long) snapshot.priority);
                    row.put("rank", last ? 0L : -(long) snapshot.priority);
                    row.put("attempts", 1L);
                    row.put("max_attempts", (long) t.maxAttempts());
                    row.put("date_created", snapshot.dateCreated == null ? None.NONE : snapshot.dateCreated);
                    row.put("started_at", slice.get("started") == null ? None.NONE : slice.get("started"));
                    putIfSet(row, "author", snapshot.author);
                    if (!snapshot.labels.isEmpty()) {
                        row.put("labels", snapshot.labels);
                    }
                    putIfSet(row, "timeout", t.timeout() == null ? null : t.timeout().toMillis());
                    row.put("failures", List.of(failure(new TaskFailure(1, Instant.now(), owner, "LeaseLapsed",
                            (String) row.get("message"), null))));
                    if (last) {
                        row.put("run_at", snapshot.runAt == null ? None.NONE : snapshot.runAt);
                    }
                    rows.add(Map.of("slot", (long) slot, "row", row));
                    candidates.add((RecordId) row.get("id"));
                }
            }
            recoveries.add(Map.of("slice", slice.get("id"), "unit", slice.get("unit"), "rows", rows));
        }
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $t = time::nano($now);
                FOR $r IN $recoveries {
                    LET $gone = (DELETE $r.slice WHERE due < $t RETURN BEFORE);
                    LET $u = (SELECT moved, fin, done, n, queue FROM ONLY $r.unit);
                    IF array::len($gone) > 0 AND $u != NONE {
                        LET $rows = $r.rows.filter(|$x| $x.slot NOTINSIDE $u.moved AND !$u.fin.any(|$f| $x.slot >= $f.a AND $x.slot < $f.b));
                        IF array::len($rows) > 0 {
                            LET $end = ($u.done + array::len($rows) >= $u.n);
                            UPDATE $r.unit SET moved += $rows.map(|$x| $x.slot), done += array::len($rows),
                                status = IF $end THEN 'Done' ELSE status END, rank = IF $end THEN 0 ELSE rank END,
                                due = IF $end THEN $t ELSE due END, finished_at = IF $end THEN $now ELSE finished_at END,
                                date_modified = $now RETURN NONE;
                            INSERT INTO kafru_queues $rows.map(|$x| $x.row + {run_at: $x.row.run_at ?? $now, due: $t, date_modified: $now,
                                finished_at: IF $x.row.status = 'Error' THEN $now ELSE NONE END}) RETURN NONE;
                            LET $lk = """ + labelEntries("$rows.map(|$x| $x.row)") + ";\n" + """
                            IF array::len($lk) > 0 { INSERT INTO kafru_labels $lk.map(|$k| {id: $k}) RETURN NONE; };
                """ + delta("$u.queue", "array::len($rows.filter(|$x| $x.row.status = 'Waiting'))", "0 - array::len($rows)", "0",
                        "array::len($rows.filter(|$x| $x.row.status = 'Error'))") + """
                        };
                    };
                };
                LET $back = (SELECT VALUE status FROM $candidates WHERE date_modified = $now);
                IF $back CONTAINS 'Waiting' {
                    INSERT INTO kafru_signals {queue: $queue, created: 0, earliest: NONE, at: $t} RETURN NONE;
                };
                RETURN array::len($back);
                COMMIT TRANSACTION;
                """, Map.of("recoveries", recoveries, "candidates", candidates, "queue", queue)));
        return ((Number) result.get(result.size() - 2)).intValue();
    }

    /**
     * Gives tasks back to the queue: Waiting again, due now. When {@code uncount} is true the
     * attempt is not counted (the task never ran). A unit's member leaves it as a row of its own.
     */
    @Override
    public void handBack(String owner, List<String> keys, boolean uncount) {
        if (keys.isEmpty()) {
            return;
        }
        List<RecordId> rows = new ArrayList<>();
        List<Held> members = new ArrayList<>();
        for (String key : keys) {
            Held member = held.get(key);
            if (member != null && member.owner().equals(owner)) {
                members.add(member);
            } else if (member == null) {
                rows.add(id(key));
            }
        }
        if (!rows.isEmpty()) {
            ConflictRetry.run(() -> db().query("""
                    BEGIN TRANSACTION;
                    LET $now = time::now();
                    LET $back = (UPDATE $ids SET status = 'Waiting', owner = NONE, lease_until = NONE, run_at = $now,
                            due = time::nano($now), rank = 0 - priority, date_modified = $now,
                            attempts = IF $uncount THEN math::max([attempts - 1, 0]) ELSE attempts END
                        WHERE status = 'InProgress' AND owner = $owner RETURN VALUE queue);
                    INSERT INTO kafru_signals array::distinct($back).map(|$q| {queue: $q, created: 0, earliest: NONE, at: time::nano($now)}) RETURN NONE;
                    FOR $q IN array::distinct($back) {
                    """ + delta("$q", "array::len($back.filter(|$x| $x = $q))", "0 - array::len($back.filter(|$x| $x = $q))", "0", "0") + """
                    };
                    COMMIT TRANSACTION;
                    """, Map.of("ids", rows, "owner", owner, "uncount", uncount)));
        }
        if (!members.isEmpty()) {
            List<Map<String, Object>> moves = new ArrayList<>();
            for (Held member : members) {
                moves.add(move(member, TaskStatus.Waiting, uncount ? 0 : 1, null, null, null));
            }
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("owner", owner);
            vars.put("moves", moves);
            vars.put("closed", held.closedBy(members));
            ConflictRetry.run(() -> db().query(HAND_BACK_MEMBERS, vars));
            held.written(members);
        }
    }

    /**
     * The earliest due among the first 100 Waiting rows and units of the queue (in claim order: the
     * earliest of each priority among them), if any — also when it is already due: a task that came
     * due just after a claim looked must still set the caller's timer. Bounded by its LIMIT; a
     * fallback only, since pushes and retries announce their run_at (see {@link #onSignal}).
     */
    @Override
    public Optional<Instant> nextRunAt(String queue) {
        // math::min of no values is infinity, which read as a due time in the year 2262 made a worker
        // sleep a whole poll interval past a retry whose write was still in flight
        Object value = db().query("RETURN array::min((SELECT VALUE due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting'"
                + " AND rank < $parked LIMIT 100))", Map.of("queue", queue, "parked", PARKED)).get(0);
        return value instanceof Number n ? Optional.of(instant(n.longValue())) : Optional.empty();
    }

    // ------------------------------------------------------------------------------------------
    // signals
    // ------------------------------------------------------------------------------------------

    /**
     * A live query on {@code kafru_signals}: one notification per push, schedule firing, retry
     * batch or lease recovery — not per task — so that every server's workers wake at once (or
     * when the earliest task comes due) and count enqueued tasks.
     */
    @Override
    public Subscription onSignal(Consumer<Signal> listener) {
        SurrealConnection.LiveSubscription live = db().live(Schema.SIGNALS, n -> {
            if ("CREATE".equals(n.action()) && n.result() instanceof Map<?, ?> row && row.get("queue") instanceof String queue) {
                listener.accept(new Signal(queue, (int) number(row.get("created")), row.get("earliest") instanceof Instant i ? i : null,
                        !Boolean.FALSE.equals(row.get("wake"))));
            }
        });
        return live::close;
    }

    /** Deletes signals older than {@code age} (every live query has long seen them), at most {@code limit}. */
    @Override
    public int forgetSignals(Duration age, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query("DELETE (SELECT VALUE id FROM kafru_signals"
                        + " WHERE at < time::nano(time::now() - $age) LIMIT $limit) RETURN BEFORE",
                Map.of("age", age, "limit", (long) limit)));
        return ((List<?>) result.get(0)).size();
    }

    // ------------------------------------------------------------------------------------------
    // queues
    // ------------------------------------------------------------------------------------------

    /**
     * Records queue names in {@code kafru_queue_names} (nothing is written for a name already
     * there), so that the admin API and retention find every queue without reading every task.
     */
    @Override
    public void registerQueues(Collection<String> queues) {
        if (queues.isEmpty()) {
            return;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String queue : queues) {
            rows.add(Map.of("id", new RecordId(Schema.QUEUE_NAMES, queue)));
        }
        ConflictRetry.run(() -> db().query("INSERT IGNORE INTO kafru_queue_names $rows RETURN NONE", Map.of("rows", rows)));
    }

    /** Every queue name ever used. */
    @Override
    public List<String> queueNames() {
        List<String> names = new ArrayList<>();
        for (Object id : (List<?>) db().query("SELECT VALUE id FROM kafru_queue_names", Map.of()).get(0)) {
            names.add(String.valueOf(((RecordId) id).key()));
        }
        return names;
    }

    /**
     * How many tasks of the queue have each status, exactly: the queue's totals plus the changes
     * not folded into them yet, read in one transaction. {@code cap} is not needed: nothing is
     * counted row by row.
     */
    @Override
    public Map<TaskStatus, Long> counts(String queue, int cap) {
        List<Object> result = db().query("""
                BEGIN TRANSACTION;
                LET $base = (SELECT * FROM ONLY type::record('kafru_counts', $queue));
                LET $d = (SELECT w, p, c, e, x FROM kafru_count_deltas WHERE queue = $queue);
                RETURN {Waiting: ($base.w ?? 0) + math::sum($d.w), InProgress: ($base.p ?? 0) + math::sum($d.p),
                        Completed: ($base.c ?? 0) + math::sum($d.c), Error: ($base.e ?? 0) + math::sum($d.e),
                        Cancelled: ($base.x ?? 0) + math::sum($d.map(|$r| $r.x ?? 0))};
                COMMIT TRANSACTION;""", Map.of("queue", queue));
        Map<?, ?> row = (Map<?, ?>) result.get(result.size() - 2);
        Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
        for (TaskStatus status : TaskStatus.values()) {
            counts.put(status, number(row.get(status.name())));
        }
        return counts;
    }

    /** {@link #counts} summed over every queue, in one read transaction. */
    private Map<TaskStatus, Long> countsOfEveryQueue() {
        List<Object> result = db().query("""
                BEGIN TRANSACTION;
                LET $base = (SELECT w, p, c, e, x FROM kafru_counts);
                LET $d = (SELECT w, p, c, e, x FROM kafru_count_deltas);
                RETURN {Waiting: math::sum($base.w) + math::sum($d.w), InProgress: math::sum($base.p) + math::sum($d.p),
                        Completed: math::sum($base.c) + math::sum($d.c), Error: math::sum($base.e) + math::sum($d.e),
                        Cancelled: math::sum($base.map(|$r| $r.x ?? 0)) + math::sum($d.map(|$r| $r.x ?? 0))};
                COMMIT TRANSACTION;""", Map.of());
        Map<?, ?> row = (Map<?, ?>) result.get(result.size() - 2);
        Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
        for (TaskStatus status : TaskStatus.values()) {
            counts.put(status, number(row.get(status.name())));
        }
        return counts;
    }

    /** Waiting tasks of the queue, exactly. */
    @Override
    public long waiting(String queue) {
        return counts(queue, 0).get(TaskStatus.Waiting);
    }

    /**
     * Folds the count changes older than {@code age} into their queues' totals, at most
     * {@code limit} changes; returns how many. Any server may run it at any time: a change is
     * deleted in the transaction that adds it to the totals.
     */
    public int foldCounts(Duration age, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $d = (SELECT id, queue, w, p, c, e, x FROM kafru_count_deltas WHERE at < time::nano(time::now() - $age) LIMIT $limit);
                FOR $q IN array::distinct($d.queue) {
                    LET $mine = $d.filter(|$x| $x.queue = $q);
                    // (in an UPSERT's SET, SurrealDB 3.0.2 reads a field of the existing row as NONE; += adds to it)
                    UPSERT type::record('kafru_counts', $q) SET w += math::sum($mine.w), p += math::sum($mine.p),
                        c += math::sum($mine.c), e += math::sum($mine.e), x += math::sum($mine.map(|$r| $r.x ?? 0)) RETURN NONE;
                };
                IF array::len($d) > 0 { DELETE $d.id RETURN NONE; };
                RETURN array::len($d);
                COMMIT TRANSACTION;""", Map.of("age", age, "limit", (long) limit)));
        return ((Number) result.get(result.size() - 2)).intValue();
    }

    /**
     * Deletes at most {@code limit} tasks of the queue that ended with {@code status}
     * (Completed or Error) before {@code cutoff}, oldest first — an index range. Completed also
     * deletes the units all of whose members were reported before the cutoff (with their payloads).
     *
     * @return how many were deleted
     */
    @Override
    public int deleteFinished(String queue, TaskStatus status, Instant cutoff, int limit) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("queue", queue);
        vars.put("status", status.name());
        vars.put("cutoff", TaskRepository.nanos(cutoff));
        vars.put("limit", (long) limit);
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $rows = (SELECT id, unique, labels, date_created FROM kafru_queues WHERE queue = $queue AND status = $status AND rank = 0
                        AND due <= $cutoff LIMIT $limit);
                IF array::len($rows) > 0 { DELETE array::concat($rows.id, """ + labelEntries("$rows") + ") RETURN NONE; };\n" + """
                LET $keys = $rows.filter(|$r| $r.unique != NONE).map(|$r| type::record('kafru_unique', [$queue, $r.unique]));
                IF array::len($keys) > 0 { DELETE $keys WHERE task INSIDE $rows.id RETURN NONE; };
                // units up to the limit's tasks: a unit holds 4 to 500 of them (one per pass let units of 25 pile up)
                LET $units = (IF $status = 'Completed' THEN (SELECT id, completed, labels, date_created FROM kafru_queues WHERE queue = $queue
                        AND status = 'Done' AND rank = 0 AND due <= $cutoff LIMIT $limit) ELSE [] END)
                    .fold({n: 0, take: []}, |$acc, $u| IF $acc.n >= $limit THEN $acc
                        ELSE {n: $acc.n + ($u.completed ?? 0), take: array::push($acc.take, $u)} END).take;
                IF array::len($units) > 0 {
                    DELETE array::concat($units.id, $units.map(|$u| type::record('kafru_payloads', record::id($u.id))),
                        """ + labelEntries("$units") + ") RETURN NONE;\n" + """
                };
                LET $k = array::len($rows) + math::sum($units.completed);
                IF $k > 0 {
                """ + delta("$queue", "0", "0", "IF $status = 'Completed' THEN 0 - $k ELSE 0 END",
                        "IF $status = 'Error' THEN 0 - $k ELSE 0 END", "IF $status = 'Cancelled' THEN 0 - $k ELSE 0 END") + """
                };
                RETURN $k;
                COMMIT TRANSACTION;""", vars));
        return ((Number) result.get(result.size() - 2)).intValue();
    }

    // ------------------------------------------------------------------------------------------
    // single tasks
    // ------------------------------------------------------------------------------------------

    @Override
    public Optional<Task> get(String key) {
        RecordId id = id(key);
        Member member = Units.member(String.valueOf(id.key()));
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id);
        vars.put("unit", member == null ? None.NONE : member.unitId());
        vars.put("payload", member == null ? None.NONE : member.payloadId());
        vars.put("progress", ProgressRecords.id(id.keyText()));
        List<Object> result = db().query("""
                BEGIN TRANSACTION;
                LET $row = (SELECT * FROM ONLY $id);
                RETURN IF $row != NONE OR $unit = NONE THEN {row: $row} ELSE {unit: (SELECT * FROM ONLY $unit),
                    payload: (SELECT VALUE tasks FROM ONLY $payload), slices: (SELECT * FROM kafru_slices WHERE unit = $unit)} END
                    + {progress: (SELECT * FROM ONLY $progress)};
                COMMIT TRANSACTION;""", vars);
        Map<?, ?> found = (Map<?, ?>) result.get(result.size() - 2);
        Task task = null;
        if (found.get("row") instanceof Map<?, ?> row) {
            task = Boolean.TRUE.equals(row.get("unit")) ? null : SurrealRows.task(row);
        } else if (found.get("unit") instanceof Map<?, ?> unit) {
            task = new Snapshot(unit, found.get("payload"), (List<?>) found.get("slices")).task(member.slot());
        }
        if (task != null && found.get("progress") != null) {
            task = task.withProgress(ProgressRecords.read(found.get("progress"), task.status()));
        }
        return Optional.ofNullable(task);
    }

    @Override
    public void saveProgress(Map<String, dev.kafru.TaskProgress> reports) {
        ProgressRecords.save(db(), reports);
    }

    @Override
    public String forgetProgress(String after, int limit) {
        return ProgressRecords.forget(db(), after, limit);
    }

    /** Tasks matching the filter, oldest first (the matching rows are sorted: see the README's limits). */
    @Override
    public List<Task> list(TaskFilter filter, int limit, int offset) {
        List<Task> page = new ArrayList<>();
        walk(filter, offset, limit, page);
        return ProgressRecords.withProgress(db(), page);
    }

    /**
     * How many tasks match the filter: exactly, from the kept counts, when it filters by status
     * and queue only; otherwise counted up to {@code cap}.
     */
    @Override
    public long count(TaskFilter filter, int cap) {
        if (filter.handler() == null && filter.name() == null && filter.author() == null && filter.label() == null) {
            Map<TaskStatus, Long> counts = filter.queue() != null ? counts(filter.queue(), 0) : countsOfEveryQueue();
            return filter.status() != null ? counts.getOrDefault(filter.status(), 0L)
                    : counts.values().stream().mapToLong(Long::longValue).sum();
        }
        return walk(filter, 0, cap, null);
    }

    /**
     * Walks the rows and units matching the filter, oldest first: skips {@code skip} matching
     * tasks, then adds up to {@code take} to {@code page} (or, when it is null, only counts them);
     * returns how many were taken or counted after the skip. A unit's payload is read only when
     * its members are listed or a filter on handler or name cannot be decided from the unit row.
     */
    private long walk(TaskFilter filter, int skip, int take, List<Task> page) {
        Map<String, Object> vars = filterVars(filter);
        Walk walk = new Walk(filter, skip, take, page);
        if (filter.label() == null) {
            walk.visit((List<?>) db().query("SELECT * OMIT failures, result FROM kafru_queues WHERE " + MATCHES_FILTER
                    + " ORDER BY date_created, id", vars).get(0));
            return walk.counted;
        }
        // the label's key range of kafru_labels, in listing order, a chunk at a time: a first page reads one
        // chunk however many tasks carry the label (an entry whose task is gone reads as nothing)
        vars.put("label", filter.label());
        vars.put("chunk", (long) LABEL_CHUNK);
        for (long start = 0; walk.counted < take; start += LABEL_CHUNK) {
            vars.put("start", start);
            List<Object> result = db().query("""
                    LET $ids = (SELECT VALUE id[2] FROM kafru_labels:[$label, NONE]..[$label, ..] LIMIT $chunk START $start);
                    RETURN {entries: array::len($ids), rows: (SELECT * OMIT failures, result FROM $ids WHERE\s""" + MATCHES_FILTER + ")};", vars);
            Map<?, ?> chunk = (Map<?, ?>) result.get(result.size() - 1);
            List<Map<?, ?>> rows = new ArrayList<>();
            ((List<?>) chunk.get("rows")).forEach(row -> rows.add((Map<?, ?>) row));
            // the engine (3.0.2) answers rows selected from a list of record ids by id, not in the list's order
            rows.sort(java.util.Comparator.comparing((Map<?, ?> r) -> instant(r.get("date_created")),
                            java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                    .thenComparing(r -> ((RecordId) r.get("id")).keyText()));
            walk.visit(rows);
            if (number(chunk.get("entries")) < LABEL_CHUNK) {
                break;
            }
        }
        return walk.counted;
    }

    /** Label entries a label filter reads at a time. */
    private static final int LABEL_CHUNK = 200;

    /** One {@link #walk}: what is left to skip, what was taken or counted. */
    private final class Walk {
        final TaskFilter filter;
        final int take;
        final List<Task> page;
        int toSkip;
        long counted;

        Walk(TaskFilter filter, int skip, int take, List<Task> page) {
            this.filter = filter;
            this.toSkip = skip;
            this.take = take;
            this.page = page;
        }

        void visit(List<?> rows) {
            for (Object o : rows) {
                if (counted >= take) {
                    break;
                }
                Map<?, ?> row = (Map<?, ?>) o;
                if (!Boolean.TRUE.equals(row.get("unit"))) {
                    if (toSkip > 0) {
                        toSkip--;
                        continue;
                    }
                    counted++;
                    if (page != null) {
                        page.add(SurrealRows.task(row));
                    }
                    continue;
                }
                Snapshot bare = new Snapshot(row, null, null);
                List<Integer> slots = bare.slots(filter.status());
                boolean decided = (filter.handler() == null || bare.handlers.equals(List.of(filter.handler())))
                        && (filter.name() == null || (bare.names != null && bare.names.equals(List.of(filter.name()))));
                if (decided && page == null) {
                    int n = slots.size();
                    int skipped = Math.min(toSkip, n);
                    toSkip -= skipped;
                    counted += Math.min(n - skipped, take - counted);
                    continue;
                }
                if (decided && toSkip >= slots.size()) {
                    toSkip -= slots.size();
                    continue;
                }
                Snapshot full = snapshot(row);
                for (int slot : slots) {
                    if (counted >= take) {
                        break;
                    }
                    Task task = full.task(slot);
                    if (task == null || (filter.handler() != null && !filter.handler().equals(task.handler()))
                            || (filter.name() != null && !filter.name().equals(task.name()))) {
                        continue;
                    }
                    if (toSkip > 0) {
                        toSkip--;
                        continue;
                    }
                    counted++;
                    if (page != null) {
                        page.add(task);
                    }
                }
            }
        }
    }

    /** A unit row with its payload and slices read. */
    private Snapshot snapshot(Map<?, ?> unit) {
        RecordId id = (RecordId) unit.get("id");
        Map<?, ?> more = (Map<?, ?>) db().query("RETURN {payload: (SELECT VALUE tasks FROM ONLY $payload),"
                + " slices: (SELECT * FROM kafru_slices WHERE unit = $unit)}",
                Map.of("payload", new RecordId(Units.PAYLOADS, id.keyText()), "unit", id)).get(0);
        return new Snapshot(unit, more.get("payload"), (List<?>) more.get("slices"));
    }

    /**
     * The filter of {@link #list(TaskFilter, int, int)} and {@link #count}, each field bound (NONE
     * for any): rows by their fields, units by whether they may hold a matching member.
     */
    private static final String MATCHES_FILTER = "($queue = NONE OR queue = $queue) AND ($author = NONE OR author = $author) AND ((unit = NONE"
            + " AND ($status = NONE OR status = $status) AND ($handler = NONE OR handler = $handler) AND ($name = NONE OR name = $name))"
            + " OR (unit = true AND ($handler = NONE OR handlers CONTAINS $handler) AND ($name = NONE OR names = NONE OR names CONTAINS $name)"
            + " AND ($status = NONE OR ($status = 'Waiting' AND status = 'Waiting') OR ($status = 'InProgress' AND status != 'Done' AND next > 0)"
            + " OR ($status = 'Completed' AND completed > 0))))";

    private static Map<String, Object> filterVars(TaskFilter filter) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", filter.status() == null ? None.NONE : filter.status().name());
        vars.put("queue", filter.queue() == null ? None.NONE : filter.queue());
        vars.put("handler", filter.handler() == null ? None.NONE : filter.handler());
        vars.put("name", filter.name() == null ? None.NONE : filter.name());
        vars.put("author", filter.author() == null ? None.NONE : filter.author());
        return vars;
    }

    /**
     * Takes a unit's member out into a row of its own built by {@code rowFor} from the member as it
     * is (null: it is removed), unless {@code allowed} refuses its status; returns the member as it
     * was, or empty when there is no such member (or {@code allowed} refused). Read, then written
     * with a check that the member is still what was read; tried again when it changed meanwhile.
     */
    private Optional<Task> moveMember(Member member, java.util.function.Predicate<TaskStatus> allowed,
                                      Function<Task, Map<String, Object>> rowFor) {
        for (int attempt = 1; ; attempt++) {
            Optional<Task> current = get(member.key());
            if (current.isEmpty() || !allowed.test(current.get().status())) {
                return Optional.empty();
            }
            Task task = current.get();
            if (!Units.member(task.id()).equals(member)) {
                return Optional.empty(); // already a row of its own
            }
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("unit", member.unitId());
            vars.put("slot", (long) member.slot());
            vars.put("expected", task.status().name());
            vars.put("id", member.rowId());
            Map<String, Object> row = rowFor.apply(task);
            vars.put("row", row == null ? None.NONE : row);
            try {
                ConflictRetry.run(() -> db().query(MOVE_MEMBER, vars));
                return current;
            } catch (SurrealException e) {
                if (e.getMessage() == null || !e.getMessage().contains(MEMBER_CHANGED) || attempt >= MOVE_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** The row a member becomes when it leaves its unit as it is (its times kept), with {@code changes} applied. */
    private static Map<String, Object> rowOf(Task task, TaskRequest changes) {
        Map<String, Object> row = new LinkedHashMap<>();
        TaskRequest r = changes;
        row.put("name", r == null ? task.name() : r.name());
        row.put("queue", r == null ? task.queue() : r.queue());
        row.put("handler", r == null ? task.handler() : r.handler());
        row.put("parameters", r == null ? task.parameters() : r.parameters());
        int priority = r == null ? task.priority() : r.priority();
        row.put("priority", (long) priority);
        row.put("max_attempts", (long) (r == null ? task.maxAttempts() : r.maxAttempts()));
        row.put("status", task.status().name());
        row.put("attempts", (long) task.attempts());
        Instant runAt = r != null && r.runAt() != null ? r.runAt() : task.runAt();
        row.put("run_at", runAt);
        row.put("rank", task.status() == TaskStatus.Waiting ? -(long) priority : 0L);
        row.put("due", task.finishedAt() == null ? TaskRepository.nanos(runAt) : TaskRepository.nanos(task.finishedAt()));
        row.put("date_created", task.dateCreated());
        putIfSet(row, "owner", task.owner());
        putIfSet(row, "started_at", task.startedAt());
        putIfSet(row, "finished_at", task.finishedAt());
        putIfSet(row, "author", task.author());
        Duration timeout = r != null && r.timeout() != null ? r.timeout() : task.timeout();
        putIfSet(row, "timeout", timeout == null ? null : timeout.toMillis());
        return row;
    }

    private static void putIfSet(Map<String, Object> row, String field, Object value) {
        if (value != null) {
            row.put(field, value);
        }
    }

    /** Replaces the changeable fields of a task that is not running; empty when there is no such task. */
    @Override
    public Optional<Task> update(String key, TaskRequest changes) {
        Member member = Units.member(String.valueOf(id(key).key()));
        if (member != null && !rowExists(id(key))) {
            Optional<Task> before = moveMember(member, s -> s != TaskStatus.InProgress, task -> rowOf(task, changes));
            return before.isEmpty() ? Optional.empty() : get(key);
        }
        Map<String, Object> set = new LinkedHashMap<>();
        set.put("name", changes.name());
        set.put("queue", changes.queue());
        set.put("handler", changes.handler());
        set.put("parameters", changes.parameters());
        set.put("priority", (long) changes.priority());
        set.put("max_attempts", (long) changes.maxAttempts());
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id(key));
        vars.put("set", set);
        vars.put("runAt", changes.runAt() == null ? None.NONE : changes.runAt());
        vars.put("rank", -(long) changes.priority());
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $before = (SELECT queue, status FROM ONLY $id);
                LET $after = (UPDATE $id SET name = $set.name, queue = $set.queue, handler = $set.handler,
                        parameters = $set.parameters, priority = $set.priority, max_attempts = $set.max_attempts,
                        date_modified = $now, run_at = $runAt ?? run_at,
                        rank = IF status = 'Waiting' THEN $rank ELSE rank END,
                        due = IF status = 'Waiting' THEN time::nano($runAt ?? run_at) ELSE due END
                    WHERE status != 'InProgress' AND unit = NONE RETURN AFTER);
                IF array::len($after) > 0 AND $after[0].status = 'Waiting' {
                    INSERT INTO kafru_signals {queue: $after[0].queue, created: 0, earliest: $after[0].run_at, at: time::nano($now)} RETURN NONE;
                };
                IF array::len($after) > 0 AND $before.queue != $after[0].queue {
                    LET $s = $after[0].status;
                """ + delta("$before.queue", "IF $s = 'Waiting' THEN -1 ELSE 0 END", "0", "IF $s = 'Completed' THEN -1 ELSE 0 END",
                        "IF $s = 'Error' THEN -1 ELSE 0 END")
                    + delta("$after[0].queue", "IF $s = 'Waiting' THEN 1 ELSE 0 END", "0", "IF $s = 'Completed' THEN 1 ELSE 0 END",
                        "IF $s = 'Error' THEN 1 ELSE 0 END") + """
                };
                RETURN $after;
                COMMIT TRANSACTION;""", vars));
        return rows(result.get(result.size() - 2), SurrealRows::task).stream().findFirst();
    }

    private boolean rowExists(RecordId id) {
        return db().query("RETURN (SELECT VALUE id FROM ONLY $id) != NONE", Map.of("id", id)).get(0) == Boolean.TRUE;
    }

    /**
     * Puts an Error task back to Waiting, due now, with its attempts counted from zero again;
     * empty when there is no such task or it is not in Error. (A unit's member that failed is a
     * row of its own.)
     */
    @Override
    public Optional<Task> retry(String key) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $after = (UPDATE $id SET status = 'Waiting', attempts = 0, message = NONE, run_at = $now,
                        due = time::nano($now), rank = 0 - priority, owner = NONE, lease_until = NONE,
                        started_at = NONE, finished_at = NONE, date_modified = $now
                    WHERE status = 'Error' RETURN AFTER);
                IF array::len($after) > 0 {
                    INSERT INTO kafru_signals {queue: $after[0].queue, created: 0, earliest: NONE, at: time::nano($now)} RETURN NONE;
                """ + delta("$after[0].queue", "1", "0", "0", "-1") + """
                };
                IF array::len($after) > 0 AND $after[0].batch != NONE {
                    UPDATE type::record('kafru_batch', $after[0].batch) SET failed -= 1 RETURN NONE;
                };
                RETURN $after;
                COMMIT TRANSACTION;""", Map.of("id", id(key))));
        return rows(result.get(result.size() - 2), SurrealRows::task).stream().findFirst();
    }

    /**
     * Puts up to {@code limit} of the queue's Error tasks that ended at or before
     * {@code failedBefore} back to Waiting, as {@link #retry} does one: an index range of Error
     * rows (a unit's member that failed is a row of its own), one transaction with one signal and
     * one count change. The count is taken before the IF block: in SurrealDB 3.0.2 a LET that
     * follows a write inside a block binds NONE.
     */
    @Override
    public int retryFailed(String queue, Instant failedBefore, int limit) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("queue", queue);
        vars.put("before", TaskRepository.nanos(failedBefore));
        vars.put("limit", (long) limit);
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $ids = (SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Error' AND rank = 0
                        AND due <= $before LIMIT $limit);
                LET $back = IF array::len($ids) = 0 THEN [] ELSE (UPDATE $ids SET status = 'Waiting', attempts = 0, message = NONE,
                        run_at = $now, due = time::nano($now), rank = 0 - priority, owner = NONE, lease_until = NONE,
                        started_at = NONE, finished_at = NONE, date_modified = $now
                    WHERE status = 'Error' AND unit = NONE RETURN id, batch) END;
                LET $k = array::len($back);
                LET $retried = $back.filter(|$b| $b.batch != NONE);
                FOR $b IN array::distinct($retried.batch) {
                    UPDATE type::record('kafru_batch', $b) SET failed -= array::len($retried.filter(|$r| $r.batch = $b)) RETURN NONE;
                };
                IF $k > 0 {
                    INSERT INTO kafru_signals {queue: $queue, created: 0, earliest: NONE, at: time::nano($now)} RETURN NONE;
                """ + delta("$queue", "$k", "0", "0", "0 - $k") + """
                };
                RETURN $k;
                COMMIT TRANSACTION;""", vars));
        return ((Number) result.get(result.size() - 2)).intValue();
    }

    /**
     * Cancels a Waiting task: it becomes Cancelled (finished now, with {@code message}) and never
     * runs. Atomic against claims: a task claimed meanwhile is not changed.
     *
     * @return the task as Cancelled, or empty when it is not (or no longer) Waiting
     */
    @Override
    public Optional<Task> cancelWaiting(String key, String message) {
        Member member = Units.member(key);
        if (member != null && !rowExists(member.rowId())) {
            Instant now = Instant.now();
            return moveMember(member, s -> s == TaskStatus.Waiting, task -> {
                Map<String, Object> row = rowOf(task, null);
                row.put("status", TaskStatus.Cancelled.name());
                row.put("message", truncate(message));
                row.put("rank", 0L);
                row.put("finished_at", now);
                row.put("due", TaskRepository.nanos(now));
                return row;
            }).flatMap(was -> get(key));
        }
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $got = (UPDATE $id SET status = 'Cancelled', finished_at = $now, date_modified = $now, message = $message,
                    rank = 0, due = time::nano($now), owner = NONE, lease_until = NONE WHERE status = 'Waiting' RETURN AFTER);
                IF array::len($got) > 0 {
                """ + delta("$got[0].queue", "-1", "0", "0", "0", "1") + """
                };
                """ + follow("$got", "$now") + """
                RETURN $got;
                COMMIT TRANSACTION;""", Map.of("id", id(key), "message", truncate(message))));
        List<?> got = (List<?>) result.get(result.size() - 2);
        return got.isEmpty() ? Optional.empty() : Optional.of(SurrealRows.task((Map<?, ?>) got.get(0)));
    }

    /**
     * Tasks of the queue waiting for a handler that no server serving the queue offers: those set
     * aside by a claim ({@link #PARKED}) at least {@link #UNSERVED_AFTER} ago and not taken back since
     * by a server that has their handler. Reads only the set-aside range, at most {@link #COUNT_CAP} entries.
     *
     * @return handler → how many tasks
     */
    @Override
    public Map<String, Long> unserved(String queue) {
        return SurrealConnection.await(unservedAsync(queue));
    }

    /** {@link #unserved} without waiting (a health check must not hang on a database that is down). */
    @Override
    public CompletableFuture<Map<String, Long>> unservedAsync(String queue) {
        return db().queryAsync("""
                SELECT unit, handler, handlers, n, next, moved FROM kafru_queues WHERE queue = $queue AND status = 'Waiting'
                    AND rank = $parked AND parked_at < time::now() - $after LIMIT $cap""",
                Map.of("queue", queue, "parked", PARKED, "after", UNSERVED_AFTER, "cap", (long) COUNT_CAP)).thenApply(result -> {
            Map<String, Long> unserved = new java.util.TreeMap<>();
            for (Object o : (List<?>) result.get(0)) {
                Map<?, ?> row = (Map<?, ?>) o;
                if (!Boolean.TRUE.equals(row.get("unit"))) {
                    unserved.merge(text(row.get("handler")), 1L, Long::sum);
                    continue;
                }
                long next = number(row.get("next"));
                long left = number(row.get("n")) - next;
                if (row.get("moved") instanceof List<?> moved) {
                    left -= moved.stream().filter(m -> number(m) >= next).count();
                }
                unserved.merge(String.join(",", Units.strings(row.get("handlers"))), left, Long::sum);
            }
            return unserved;
        });
    }

    /** How long a set-aside task waits before it counts as waiting for a handler no server offers. */
    static final Duration UNSERVED_AFTER = Duration.ofSeconds(5);

    /** Removes a task unless it is running; true when it was removed. */
    @Override
    public boolean removeIdle(String key) {
        return remove(key, false);
    }

    /** True when a task was removed. */
    @Override
    public boolean remove(String key) {
        return remove(key, true);
    }

    private boolean remove(String key, boolean evenRunning) {
        RecordId id = id(key);
        Member member = Units.member(String.valueOf(id.key()));
        if (member != null && !rowExists(id)) {
            return moveMember(member, s -> evenRunning || s != TaskStatus.InProgress, task -> null).isPresent();
        }
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $gone = (DELETE $id WHERE unit = NONE AND ($evenRunning OR status != 'InProgress') RETURN BEFORE);
                """ + follow("$gone.filter(|$g| $g.batch != NONE AND $g.status IN ['Waiting', 'InProgress']).map(|$g| {id: $g.id, "
                        + "status: 'Cancelled', batch: $g.batch})", "time::now()") + """
                IF array::len($gone) > 0 {
                    LET $s = $gone[0].status;
                    IF $gone[0].labels != NONE { DELETE """ + labelEntries("$gone") + " RETURN NONE; };\n" + """
                """ + delta("$gone[0].queue", "IF $s = 'Waiting' THEN -1 ELSE 0 END", "IF $s = 'InProgress' THEN -1 ELSE 0 END",
                        "IF $s = 'Completed' THEN -1 ELSE 0 END", "IF $s = 'Error' THEN -1 ELSE 0 END") + """
                };
                RETURN array::len($gone);
                COMMIT TRANSACTION;""", Map.of("id", id, "evenRunning", evenRunning)));
        return ((Number) result.get(result.size() - 2)).intValue() > 0;
    }

    /**
     * Removes the tasks matching the filters (null: any); returns how many. A unit goes whole when
     * every member matches; otherwise its matching members leave it (Waiting ones by shortening it,
     * the others by being marked as gone).
     */
    @Override
    public long purge(TaskStatus status, String queue) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", status == null ? None.NONE : status.name());
        vars.put("queue", queue == null ? None.NONE : queue);
        List<Object> results = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $gone = (DELETE kafru_queues WHERE unit = NONE AND ($status = NONE OR status = $status)
                    AND ($queue = NONE OR queue = $queue) RETURN BEFORE);
                LET $lk = """ + labelEntries("$gone") + ";\n" + """
                IF array::len($lk) > 0 { DELETE $lk RETURN NONE; };
                FOR $q IN array::distinct($gone.queue) {
                    LET $mine = $gone.filter(|$x| $x.queue = $q).status;
                """ + delta("$q", "0 - array::len($mine.filter(|$s| $s = 'Waiting'))", "0 - array::len($mine.filter(|$s| $s = 'InProgress'))",
                        "0 - array::len($mine.filter(|$s| $s = 'Completed'))", "0 - array::len($mine.filter(|$s| $s = 'Error'))") + """
                };
                LET $units = (SELECT * FROM kafru_queues WHERE unit = true AND ($queue = NONE OR queue = $queue) AND status != 'Done'
                    OR unit = true AND ($queue = NONE OR queue = $queue) AND ($status = NONE OR $status = 'Completed'));
                RETURN {rows: array::len($gone), units: $units};
                COMMIT TRANSACTION;""", vars));
        Map<?, ?> r = (Map<?, ?>) results.get(results.size() - 2);
        long removed = number(r.get("rows"));
        for (Object u : (List<?>) r.get("units")) {
            removed += purgeUnit((Map<?, ?>) u, status);
        }
        return removed;
    }

    /**
     * Purges the members of one unit that have {@code status} (any when null); returns how many.
     * Written only if the unit is still as read; read again when it changed meanwhile.
     */
    private long purgeUnit(Map<?, ?> unit, TaskStatus status) {
        Map<?, ?> current = unit;
        for (int attempt = 1; ; attempt++) {
            try {
                return purgeUnitAsRead(current, status);
            } catch (SurrealException e) {
                if (e.getMessage() == null || !e.getMessage().contains(MEMBER_CHANGED) || attempt >= MOVE_ATTEMPTS) {
                    throw e;
                }
                Object again = db().query("SELECT * FROM ONLY $unit", Map.of("unit", unit.get("id"))).get(0);
                if (!(again instanceof Map<?, ?> m)) {
                    return 0;
                }
                current = m;
            }
        }
    }

    private long purgeUnitAsRead(Map<?, ?> unit, TaskStatus status) {
        Snapshot s = new Snapshot(unit, null, null);
        List<Integer> slots = s.slots(status);
        if (slots.isEmpty()) {
            return 0;
        }
        long w = 0;
        long p = 0;
        long c = 0;
        for (int slot : slots) {
            switch (s.status(slot)) {
                case Waiting -> w++;
                case InProgress -> p++;
                default -> c++;
            }
        }
        RecordId id = (RecordId) unit.get("id");
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("unit", id);
        vars.put("payload", new RecordId(Units.PAYLOADS, id.keyText()));
        vars.put("slots", slots.stream().map(Long::valueOf).toList());
        vars.put("all", slots.size() == s.slots(null).size());
        vars.put("dateModified", unit.get("date_modified"));
        vars.put("queue", s.queue);
        vars.put("w", w);
        vars.put("p", p);
        vars.put("c", c);
        ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $u = (SELECT * FROM ONLY $unit);
                IF $u = NONE OR $u.date_modified != $dateModified { THROW 'kafru: member changed' };
                IF $all {
                    DELETE $unit, $payload RETURN NONE;
                    IF $u.labels != NONE { DELETE """ + labelEntries("[$u]") + " RETURN NONE; };\n" + """
                    DELETE kafru_slices WHERE unit = $unit RETURN NONE;
                } ELSE {
                    -- its Completed members were counted done when they were reported
                    LET $end = ($u.done + array::len($slots) - $c >= $u.n);
                    UPDATE $unit SET moved += $slots, done += array::len($slots) - $c, completed -= $c,
                        status = IF $end THEN 'Done' ELSE status END, rank = IF $end THEN 0 ELSE rank END,
                        due = IF $end THEN time::nano($now) ELSE due END, date_modified = $now RETURN NONE;
                };
                """ + delta("$queue", "0 - $w", "0 - $p", "0 - $c", "0") + """
                COMMIT TRANSACTION;""", vars));
        return slots.size();
    }

    // ------------------------------------------------------------------------------------------
    // rows
    // ------------------------------------------------------------------------------------------

    static RecordId id(String key) {
        return RecordId.parse(Schema.QUEUES, key);
    }

    private static String truncate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > 4000 ? message.substring(0, 4000) + "…" : message;
    }
}
