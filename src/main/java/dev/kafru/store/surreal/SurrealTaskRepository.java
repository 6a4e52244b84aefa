package dev.kafru.store.surreal;

import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.ClaimFloors;
import dev.kafru.store.Claimed;
import dev.kafru.store.Outcome;
import dev.kafru.store.Signal;
import dev.kafru.store.Subscription;
import dev.kafru.store.TaskRepository;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.None;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static dev.kafru.store.surreal.SurrealRows.instant;
import static dev.kafru.store.surreal.SurrealRows.key;
import static dev.kafru.store.surreal.SurrealRows.number;
import static dev.kafru.store.surreal.SurrealRows.parameters;
import static dev.kafru.store.surreal.SurrealRows.rows;
import static dev.kafru.store.surreal.SurrealRows.text;

/**
 * Every SurrealQL statement on {@code kafru_queues}. Values are bound parameters only.
 *
 * <p><b>The claim index.</b> One index, {@code (queue, status, rank, due)}, serves every hot and
 * periodic query; {@code due} is an epoch-nanosecond number whose meaning follows the status, and
 * {@code rank} is the negated priority while Waiting and 0 otherwise:
 * <ul>
 *   <li>Waiting: due = run_at (a task given back or recovered: when that happened) — the claim
 *       takes rank by rank (highest priority first), oldest due first;</li>
 *   <li>InProgress: due = lease_until — the lease reaper reads the expired ones as a range;</li>
 *   <li>Completed / Error: due = finished_at — retention deletes the oldest as a range.</li>
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
 * both write its record; RocksDB's optimistic transactions fail the second at commit ("can be
 * retried") and it runs again on what is left (measured: an extra {@code WHERE status =
 * 'Waiting'} on the claim's UPDATE changed nothing but cost ~10 µs a task). This is why memory
 * and SurrealKV storage, which lose such conflicts, are unsafe for kafru.
 *
 * <p>The table has no per-field definitions (they doubled the cost of every row write): the rows
 * are written by this class only, from validated requests.
 */
public final class SurrealTaskRepository extends SurrealRepository implements TaskRepository {

    /** How many distinct priorities one claim statement walks before it hands back a continuation. */
    private static final int RANKS_PER_CLAIM = 3;

    private static final String INSERT = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            INSERT INTO kafru_queues $rows.map(|$r| $r + {run_at: $r.run_at ?? $now, due: time::nano($r.run_at ?? $now) + $r.due,
                date_created: $now, date_modified: $now}) RETURN NONE;
            INSERT INTO kafru_signals $signals.map(|$s| $s + {at: time::nano($now)}) RETURN NONE;
            IF array::len($batches) > 0 THEN {
                INSERT INTO kafru_batches $batches.map(|$b| {queue: $b.queue, rank: $b.rank, first: time::nano($now) + $b.lo,
                    last: time::nano($now) + $b.hi}) RETURN NONE;
            } END;
            RETURN $now;
            COMMIT TRANSACTION;
            """;

    /**
     * The same row inserted already claimed by this server (a push handed straight to a free
     * thread): one statement, no transaction, nothing else awaited — this is the latency path.
     */
    private static final String INSERT_CLAIMED = """
            INSERT INTO kafru_queues $rows.map(|$r| { LET $now = time::now(); $r + {run_at: $now, date_created: $now,
                date_modified: $now, status: 'InProgress', owner: $owner, lease_until: $now + $lease, rank: 0,
                due: time::nano($now + $lease), started_at: $now, attempts: 1} }) RETURN VALUE run_at;
            """;

    /**
     * Up to {@code $n} due Waiting tasks of a queue, priority by priority (each a pure index
     * range), moved to InProgress in one transaction. {@code more} is the rank to go on from when
     * {@link #RANKS_PER_CLAIM} priorities did not fill the claim; {@code floors} is the latest due
     * taken per rank.
     *
     * <p>{@code $floors} (rank → due) lets each range start where the caller's last claims ended:
     * RocksDB keeps a deleted index entry as a tombstone until it compacts, and a scan from the
     * start of a busy queue's range stepped over every task claimed since (measured: 1.4 ms after
     * 500 claimed, 11.7 ms after 20,000). {@code $top} is the highest priority the caller knows:
     * only ranks above it are looked for from the start of the range.
     */
    private static final String CLAIM = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            LET $t = time::nano($now);
            LET $r1 = IF $from != NONE THEN
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $from LIMIT 1)[0]
                ELSE IF $top != NONE THEN
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank <= $top - 1 LIMIT 1)[0] ?? $top
                ELSE
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' LIMIT 1)[0]
                END;
            LET $a = IF $r1 = NONE THEN [] ELSE
                (SELECT id, due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $r1
                    AND due >= ($floors[<string> $r1] ?? 0) AND due <= $t LIMIT $n START $skip) END;
            LET $n2 = $n - array::len($a);
            LET $r2 = IF $r1 = NONE OR $n2 <= 0 THEN NONE ELSE
                (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $r1 + 1 LIMIT 1)[0] END;
            LET $b = IF $r2 = NONE THEN [] ELSE
                (SELECT id, due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $r2
                    AND due >= ($floors[<string> $r2] ?? 0) AND due <= $t LIMIT $n2) END;
            LET $n3 = $n2 - array::len($b);
            LET $r3 = IF $r2 = NONE OR $n3 <= 0 THEN NONE ELSE
                (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $r2 + 1 LIMIT 1)[0] END;
            LET $c = IF $r3 = NONE THEN [] ELSE
                (SELECT id, due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $r3
                    AND due >= ($floors[<string> $r3] ?? 0) AND due <= $t LIMIT $n3) END;
            LET $more = IF $r3 = NONE OR $n3 - array::len($c) <= 0 THEN NONE ELSE $r3 + 1 END;
            LET $got = (UPDATE array::concat($a.id, $b.id, $c.id) SET status = 'InProgress', owner = $owner,
                        lease_until = $now + $lease, rank = 0, due = time::nano($now + $lease), started_at = $now,
                        date_modified = $now, attempts += 1
                        RETURN id, name, handler, parameters, priority, attempts, max_attempts);
            RETURN {tasks: $got, more: $more, floors: [[$r1, $a.due], [$r2, $b.due], [$r3, $c.due]]};
            COMMIT TRANSACTION;
            """;

    /** Pushes of at least this many tasks of one queue and priority, due at once, record a push batch. */
    static final int BATCH_AT_LEAST = 32;
    /** Most push batches one claim reserves. */
    private static final int BATCHES_PER_CLAIM = 2;

    /**
     * Reserves up to {@code $k} push batches of the queue's highest Waiting priority, by deleting
     * their rows: a small transaction, so that two claimers reaching for one batch lose ~4 ms in
     * the retry, not a whole claim. {@code $top} as in {@link #CLAIM}; when that priority has no
     * Waiting task left from {@code $floor} on, the next one down is the highest.
     */
    private static final String RESERVE_BATCHES = """
            BEGIN TRANSACTION;
            LET $r = IF $top != NONE THEN
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank <= $top - 1 LIMIT 1)[0]
                    ?? (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $top AND due >= $floor LIMIT 1)[0]
                    ?? (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank >= $top + 1 LIMIT 1)[0]
                ELSE
                    (SELECT VALUE rank FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' LIMIT 1)[0]
                END;
            LET $b = IF $r = NONE THEN [] ELSE
                (SELECT id, rank, first, last FROM kafru_batches WHERE queue = $queue AND rank = $r LIMIT $k START $skip) END;
            IF array::len($b) > 0 THEN { DELETE $b.id RETURN NONE; } END;
            RETURN {batches: $b};
            COMMIT TRANSACTION;
            """;

    /**
     * Up to {@code $n} Waiting tasks inside one or two reserved push batches (each a due range of
     * one rank), moved to InProgress in one transaction; what a full claim left of a batch goes
     * back as a batch of its own.
     */
    private static final String CLAIM_BATCHES = """
            BEGIN TRANSACTION;
            LET $now = time::now();
            LET $x = (SELECT id, due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' AND rank = $r1
                AND due >= $f1 AND due <= $l1 LIMIT $n);
            LET $n2 = $n - array::len($x);
            LET $y = IF $r2 = NONE OR $n2 <= 0 THEN [] ELSE (SELECT id, due FROM kafru_queues WHERE queue = $queue
                AND status = 'Waiting' AND rank = $r2 AND due >= $f2 AND due <= $l2 LIMIT $n2) END;
            LET $rest = array::concat(
                IF array::len($x) = $n AND math::max($x.due) < $l1 THEN [{queue: $queue, rank: $r1, first: math::max($x.due) + 1, last: $l1}] ELSE [] END,
                IF $r2 = NONE THEN [] ELSE IF $n2 <= 0 THEN [{queue: $queue, rank: $r2, first: $f2, last: $l2}]
                    ELSE IF array::len($y) = $n2 AND math::max($y.due) < $l2 THEN [{queue: $queue, rank: $r2, first: math::max($y.due) + 1, last: $l2}]
                    ELSE [] END);
            IF array::len($rest) > 0 THEN { INSERT INTO kafru_batches $rest RETURN NONE; } END;
            LET $got = (UPDATE array::concat($x.id, $y.id) SET status = 'InProgress', owner = $owner,
                        lease_until = $now + $lease, rank = 0, due = time::nano($now + $lease), started_at = $now,
                        date_modified = $now, attempts += 1
                        RETURN id, name, handler, parameters, priority, attempts, max_attempts);
            RETURN {tasks: $got};
            COMMIT TRANSACTION;
            """;

    /** Outcomes of finished attempts; only tasks still InProgress and owned by {@code $owner} change. */
    private static final String FINISH = """
            BEGIN TRANSACTION;
            LET $fnow = time::now();
            UPDATE $done SET status = 'Completed', finished_at = $fnow, date_modified = $fnow, lease_until = NONE,
                message = NONE, rank = 0, due = time::nano($fnow)
                WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            FOR $f IN $retry {
                UPDATE $f.id SET status = 'Waiting', run_at = $fnow + $f.delay, due = time::nano($fnow + $f.delay),
                       rank = 0 - priority, message = $f.message, owner = NONE, lease_until = NONE, date_modified = $fnow
                WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            };
            FOR $f IN $failed {
                UPDATE $f.id SET status = 'Error', finished_at = $fnow, date_modified = $fnow, message = $f.message,
                       lease_until = NONE, rank = 0, due = time::nano($fnow)
                WHERE status = 'InProgress' AND owner = $owner RETURN NONE;
            };
            INSERT INTO kafru_signals $finishSignals.map(|$s| $s + {at: time::nano($fnow), earliest: $fnow + $s.delay}) RETURN NONE;
            COMMIT TRANSACTION;
            """;

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

    /** {@link #insert} without waiting: several may be in flight, and the engine works on them at once. */
    @Override
    public CompletableFuture<List<Task>> insertAsync(List<TaskRequest> requests) {
        List<Map<String, Object>> rows = new ArrayList<>(requests.size());
        for (TaskRequest request : requests) {
            Map<String, Object> row = row(request);
            // a nanosecond apart: tasks of one statement share its time, and are claimed in the order given
            row.put("due", (long) rows.size());
            rows.add(row);
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("rows", rows);
        vars.put("signals", signals(requests));
        vars.put("batches", batches(rows));
        return db().queryAsync(INSERT, vars).thenApply(result -> {
            Instant now = (Instant) result.get(result.size() - 2);
            List<Task> tasks = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                tasks.add(waiting(rows.get(i), requests.get(i), now));
            }
            return tasks;
        });
    }

    /**
     * The push batches of one insert statement: per queue and rank, the first and last row offset
     * (its due is the statement's time plus the offset) of the tasks due at once, when there are
     * at least {@link #BATCH_AT_LEAST} of them. Tasks with a run_at of their own are found by the
     * head claim.
     */
    private static List<Map<String, Object>> batches(List<Map<String, Object>> rows) {
        Map<List<Object>, long[]> ranges = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            if (!row.containsKey("run_at")) {
                long offset = (Long) row.get("due");
                ranges.merge(List.of(row.get("queue"), row.get("rank")), new long[] {offset, offset, 1},
                        (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1]), a[2] + b[2]});
            }
        }
        List<Map<String, Object>> batches = new ArrayList<>();
        ranges.forEach((key, range) -> {
            if (range[2] >= BATCH_AT_LEAST) {
                batches.add(Map.of("queue", key.get(0), "rank", key.get(1), "lo", range[0], "hi", range[1]));
            }
        });
        return batches;
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
        Instant now = (Instant) ((List<?>) db().query(INSERT_CLAIMED, vars).get(0)).get(0);
        // counted by every server's enqueued metric; it wakes nobody, so it is not waited for
        db().queryAsync("INSERT INTO kafru_signals $signals.map(|$s| $s + {at: time::nano(time::now())}) RETURN NONE",
                Map.of("signals", List.of(claimedSignal(request.queue(), 1))));
        RecordId id = (RecordId) row.get("id");
        return new Task(id.keyText(), request.name(), request.queue(), request.handler(), request.parameters(),
                TaskStatus.InProgress, null, request.priority(), now, 1, request.maxAttempts(), owner, now.plus(lease),
                now, now, now, null);
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
     * had got to, see {@link ClaimFloors#lowerTo}).
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

    private static Task waiting(Map<String, Object> row, TaskRequest request, Instant now) {
        RecordId id = (RecordId) row.get("id");
        Instant runAt = request.runAt() != null ? request.runAt() : now;
        return new Task(id.keyText(), request.name(), request.queue(), request.handler(), request.parameters(),
                TaskStatus.Waiting, null, request.priority(), runAt, 0, request.maxAttempts(), null, null, now, now, null, null);
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
    // claim and finish
    // ------------------------------------------------------------------------------------------

    /**
     * Moves up to {@code n} due Waiting tasks of a queue to InProgress for {@code owner}, with a
     * lease, in one transaction — highest priority first, then oldest due; a write conflict with
     * another claimer is retried. {@code outcomes} of earlier attempts are written in the same
     * round trip, before the claim. {@code floors} (may be null) remembers where this claimer's
     * ranges continue.
     */
    @Override
    public Claimed claim(String queue, String owner, int n, Duration lease, List<Outcome> outcomes, ClaimFloors floors) {
        List<Task> tasks = new ArrayList<>();
        Map<Long, Long> latest = new LinkedHashMap<>();
        Long from = null;
        List<Outcome> pending = outcomes;
        boolean reread = false;
        if (floors != null && floors.byBatch() && n >= BATCH_AT_LEAST) {
            // a flood: whole push batches, so that claimers sharing the queue do not meet on its rows
            // (small claims meet at little cost: they stay at the head, one round trip)
            pending = claimBatches(queue, owner, n, lease, pending, floors, tasks);
        }
        while (tasks.size() < n || (pending != null && !pending.isEmpty())) {
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("queue", queue);
            vars.put("owner", owner);
            vars.put("n", (long) (n - tasks.size()));
            vars.put("lease", lease);
            vars.put("from", from == null ? None.NONE : from);
            Long top = floors == null ? null : floors.top();
            vars.put("top", top == null ? None.NONE : top);
            vars.put("floors", floors == null ? Map.of() : floorsVariable(floors));
            String surql = withOutcomes(CLAIM, vars, owner, pending);
            int wanted = n - tasks.size();
            boolean[] skipped = {false};
            Map<?, ?> result = ConflictRetry.run(attempt -> {
                // another claimer took the same tasks: try past them, where it is less likely to be
                // claiming again right now (each collision costs a whole claim's work)
                long skip = attempt == 1 ? 0 : ThreadLocalRandom.current().nextLong(1, 2L * wanted + 1);
                if (attempt > 1 && floors != null) {
                    floors.met(); // another claimer shares this queue: during a flood, claim by push batch
                }
                skipped[0] = skip > 0;
                vars.put("skip", skip);
                List<Object> results = db().query(surql, vars);
                return (Map<?, ?>) results.get(results.size() - 2);
            });
            pending = null; // written: a conflict retry of the whole request writes them again, which changes nothing
            for (Object row : (List<?>) result.get("tasks")) {
                tasks.add(claimedTask((Map<?, ?>) row, queue, owner));
            }
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
            if (skipped[0] && ((List<?>) result.get("tasks")).size() < wanted && !reread && tasks.size() < n) {
                reread = true; // what the skip passed over may still be there: look from the start once more
                from = null;
                continue;
            }
            if (from == null || tasks.size() >= n) {
                break;
            }
        }
        if (floors != null) {
            floors.record(latest);
            floors.claimed(tasks.size() >= n);
        }
        return new Claimed(tasks, from, latest);
    }

    /**
     * Claims into {@code tasks} from push batches reserved for this claim, up to {@code n} in all,
     * with {@code outcomes} written in the first claim's round trip; returns the outcomes still to
     * write (null once written). Stops when no batch is left at the highest Waiting priority.
     */
    private List<Outcome> claimBatches(String queue, String owner, int n, Duration lease, List<Outcome> outcomes, ClaimFloors floors,
                                       List<Task> tasks) {
        List<Outcome> pending = outcomes;
        for (int round = 0; round < 3 && tasks.size() < n; round++) {
            List<?> batches = reserveBatches(queue, floors);
            if (batches.isEmpty()) {
                break;
            }
            Map<String, Object> vars = new LinkedHashMap<>();
            vars.put("queue", queue);
            vars.put("owner", owner);
            vars.put("lease", lease);
            vars.put("n", (long) (n - tasks.size()));
            for (int i = 0; i < 2; i++) {
                Map<?, ?> batch = i < batches.size() ? (Map<?, ?>) batches.get(i) : null;
                vars.put("r" + (i + 1), batch == null ? None.NONE : batch.get("rank"));
                vars.put("f" + (i + 1), batch == null ? None.NONE : batch.get("first"));
                vars.put("l" + (i + 1), batch == null ? None.NONE : batch.get("last"));
            }
            String surql = withOutcomes(CLAIM_BATCHES, vars, owner, pending);
            Map<?, ?> result = ConflictRetry.run(attempt -> {
                List<Object> results = db().query(surql, vars);
                return (Map<?, ?>) results.get(results.size() - 2);
            });
            pending = null;
            for (Object row : (List<?>) result.get("tasks")) {
                tasks.add(claimedTask((Map<?, ?>) row, queue, owner));
            }
        }
        return pending;
    }

    /**
     * {@code claim}, preceded by the writing of {@code pending} outcomes in the same request when
     * there are any (their variables added to {@code vars}).
     */
    private static String withOutcomes(String claim, Map<String, Object> vars, String owner, List<Outcome> pending) {
        if (pending == null || pending.isEmpty()) {
            return claim;
        }
        vars.putAll(finishVars(owner, pending));
        return FINISH + claim;
    }

    /** Reserves up to {@link #BATCHES_PER_CLAIM} push batches of the queue's highest Waiting priority (deleting their rows). */
    private List<?> reserveBatches(String queue, ClaimFloors floors) {
        Long top = floors.top();
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("queue", queue);
        vars.put("top", top == null ? None.NONE : top);
        vars.put("floor", top == null ? 0L : floors.byRank().getOrDefault(top, 0L));
        vars.put("k", (long) BATCHES_PER_CLAIM);
        Map<?, ?> result = ConflictRetry.run(attempt -> {
            // another claimer reserved the same batch: reach past it
            vars.put("skip", attempt == 1 ? 0L : ThreadLocalRandom.current().nextLong(1, 2L * BATCHES_PER_CLAIM + 1));
            List<Object> results = db().query(RESERVE_BATCHES, vars);
            return (Map<?, ?>) results.get(results.size() - 2);
        });
        return (List<?>) result.get("batches");
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
                (int) number(row.get("max_attempts")), owner, null, null, null, null, null);
    }

    /**
     * Writes the outcomes of attempts in one request. Only tasks still InProgress and owned by
     * {@code owner} change: a task whose lease lapsed and that another server took is left alone.
     */
    @Override
    public CompletableFuture<Void> finish(String owner, List<Outcome> outcomes) {
        return db().queryAsync(FINISH, finishVars(owner, outcomes)).thenApply(r -> null);
    }

    private static Map<String, Object> finishVars(String owner, List<Outcome> outcomes) {
        List<RecordId> done = new ArrayList<>();
        List<Map<String, Object>> retry = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        Map<String, Duration> retried = new LinkedHashMap<>();
        for (Outcome outcome : outcomes) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id(outcome.taskKey()));
            switch (outcome.status()) {
                case Completed -> done.add(id(outcome.taskKey()));
                case Waiting -> {
                    row.put("message", truncate(outcome.message()));
                    row.put("delay", outcome.retryDelay());
                    retry.add(row);
                    if (outcome.queue() != null) {
                        retried.merge(outcome.queue(), outcome.retryDelay(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
                    }
                }
                default -> {
                    row.put("message", truncate(outcome.message()));
                    failed.add(row);
                }
            }
        }
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
        vars.put("retry", retry);
        vars.put("failed", failed);
        vars.put("finishSignals", signals);
        return vars;
    }

    /** Extends the leases of tasks this owner holds. */
    @Override
    public void renewLeases(String owner, List<String> keys, Duration lease) {
        if (keys.isEmpty()) {
            return;
        }
        ConflictRetry.run(() -> db().query("LET $now = time::now(); UPDATE $ids SET lease_until = $now + $lease,"
                        + " due = time::nano($now + $lease) WHERE status = 'InProgress' AND owner = $owner RETURN NONE",
                Map.of("ids", ids(keys), "lease", lease, "owner", owner)));
    }

    /**
     * Returns the queue's tasks whose owner stopped renewing its lease (a dead server) to
     * Waiting, due now — or ends them Error when that was their last attempt. The attempt stays
     * counted. Reads only the expired leases: an index range, at most {@code limit} per call.
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
                    finished_at = IF attempts >= max_attempts THEN $now ELSE NONE END,
                    rank = IF attempts >= max_attempts THEN 0 ELSE 0 - priority END,
                    due = time::nano($now), run_at = IF attempts >= max_attempts THEN run_at ELSE $now END,
                    owner = NONE, lease_until = NONE, date_modified = $now
                WHERE status = 'InProgress' AND lease_until < $now RETURN VALUE status);
                IF $back CONTAINS 'Waiting' {
                    INSERT INTO kafru_signals {queue: $queue, created: 0, earliest: NONE, at: time::nano($now)} RETURN NONE;
                };
                RETURN array::len($back);
                COMMIT TRANSACTION;
                """, Map.of("queue", queue, "limit", (long) limit)));
        return ((Number) result.get(result.size() - 2)).intValue();
    }

    /**
     * Gives tasks back to the queue: Waiting again, due now. When {@code uncount} is true the
     * attempt is not counted (the task never ran).
     */
    @Override
    public void handBack(String owner, List<String> keys, boolean uncount) {
        if (keys.isEmpty()) {
            return;
        }
        ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                LET $now = time::now();
                LET $back = (UPDATE $ids SET status = 'Waiting', owner = NONE, lease_until = NONE, run_at = $now,
                        due = time::nano($now), rank = 0 - priority, date_modified = $now,
                        attempts = IF $uncount THEN math::max([attempts - 1, 0]) ELSE attempts END
                    WHERE status = 'InProgress' AND owner = $owner RETURN VALUE queue);
                INSERT INTO kafru_signals array::distinct($back).map(|$q| {queue: $q, created: 0, earliest: NONE, at: time::nano($now)}) RETURN NONE;
                COMMIT TRANSACTION;
                """, Map.of("ids", ids(keys), "owner", owner, "uncount", uncount)));
    }

    /**
     * The earliest run_at among the first 100 Waiting tasks of the queue (in claim order: the
     * earliest of each priority among them), if any — also when it is already due: a task that came due just after a claim
     * looked must still set the caller's timer. Bounded by its LIMIT; a fallback only, since
     * pushes and retries announce their run_at (see {@link #onSignal}).
     */
    @Override
    public Optional<Instant> nextRunAt(String queue) {
        Object value = db().query("RETURN math::min((SELECT VALUE due FROM kafru_queues WHERE queue = $queue AND status = 'Waiting'"
                + " LIMIT 100))", Map.of("queue", queue)).get(0);
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
        return forgetOlderThan("kafru_signals", "at", age, limit);
    }

    @Override
    public int forgetBatches(Duration age, int limit) {
        return forgetOlderThan("kafru_batches", "first", age, limit);
    }

    /**
     * Deletes up to {@code limit} rows of {@code table} whose {@code field} (epoch nanoseconds,
     * indexed) is older than {@code age}; returns how many. Table and field are this class's constants.
     */
    private int forgetOlderThan(String table, String field, Duration age, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query("DELETE (SELECT VALUE id FROM " + table
                        + " WHERE " + field + " < time::nano(time::now() - $age) LIMIT $limit) RETURN BEFORE",
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
     * How many tasks of the queue have each status, each counted up to {@code cap} (an index
     * range with a LIMIT; a count at the cap means "at least").
     */
    @Override
    public Map<TaskStatus, Long> counts(String queue, int cap) {
        List<Object> result = db().query("""
                RETURN {
                    Waiting: count((SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' LIMIT $cap)),
                    InProgress: count((SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'InProgress' LIMIT $cap)),
                    Completed: count((SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Completed' LIMIT $cap)),
                    Error: count((SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Error' LIMIT $cap))
                };""", Map.of("queue", queue, "cap", (long) cap));
        Map<?, ?> row = (Map<?, ?>) result.get(0);
        Map<TaskStatus, Long> counts = new EnumMap<>(TaskStatus.class);
        for (TaskStatus status : TaskStatus.values()) {
            counts.put(status, number(row.get(status.name())));
        }
        return counts;
    }

    /** Waiting tasks of the queue, counted up to {@link #COUNT_CAP}. */
    @Override
    public long waiting(String queue) {
        return number(db().query("RETURN count((SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = 'Waiting' LIMIT $cap))",
                Map.of("queue", queue, "cap", (long) COUNT_CAP)).get(0));
    }

    /**
     * Deletes at most {@code limit} tasks of the queue that ended with {@code status}
     * (Completed or Error) before {@code cutoff}, oldest first — an index range.
     *
     * @return how many were deleted
     */
    @Override
    public int deleteFinished(String queue, TaskStatus status, Instant cutoff, int limit) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                DELETE (SELECT VALUE id FROM kafru_queues WHERE queue = $queue AND status = $status AND rank = 0
                        AND due <= $cutoff LIMIT $limit) RETURN BEFORE""",
                Map.of("queue", queue, "status", status.name(), "cutoff", TaskRepository.nanos(cutoff), "limit", (long) limit)));
        return ((List<?>) result.get(0)).size();
    }

    // ------------------------------------------------------------------------------------------
    // single tasks
    // ------------------------------------------------------------------------------------------

    @Override
    public Optional<Task> get(String key) {
        List<Task> found = rows(db().query("SELECT * FROM $id", Map.of("id", id(key))).get(0), SurrealRows::task);
        return found.stream().findFirst();
    }

    /** Tasks matching the filter, oldest first (the matching rows are sorted: see the README's limits). */
    @Override
    public List<Task> list(TaskFilter filter, int limit, int offset) {
        Map<String, Object> vars = filterVars(filter);
        vars.put("limit", (long) limit);
        vars.put("offset", (long) offset);
        return rows(db().query("SELECT * FROM kafru_queues WHERE " + MATCHES_FILTER
                + " ORDER BY date_created, id LIMIT $limit START $offset", vars).get(0), SurrealRows::task);
    }

    /** Counts matching ids up to {@code cap}: a LIMIT stops the read there, however many tasks there are. */
    @Override
    public long count(TaskFilter filter, int cap) {
        Map<String, Object> vars = filterVars(filter);
        vars.put("cap", (long) cap);
        return number(db().query("RETURN count((SELECT VALUE id FROM kafru_queues WHERE " + MATCHES_FILTER + " LIMIT $cap))",
                vars).get(0));
    }

    /** The filter of {@link #list(TaskFilter, int, int)} and {@link #count}: each field bound, NONE for any. */
    private static final String MATCHES_FILTER = "($status = NONE OR status = $status) AND ($queue = NONE OR queue = $queue)"
            + " AND ($handler = NONE OR handler = $handler) AND ($name = NONE OR name = $name)";

    private static Map<String, Object> filterVars(TaskFilter filter) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", filter.status() == null ? None.NONE : filter.status().name());
        vars.put("queue", filter.queue() == null ? None.NONE : filter.queue());
        vars.put("handler", filter.handler() == null ? None.NONE : filter.handler());
        vars.put("name", filter.name() == null ? None.NONE : filter.name());
        return vars;
    }

    /** Replaces the changeable fields of a task that is not running; empty when there is no such task. */
    @Override
    public Optional<Task> update(String key, TaskRequest changes) {
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
                LET $after = (UPDATE $id SET name = $set.name, queue = $set.queue, handler = $set.handler,
                        parameters = $set.parameters, priority = $set.priority, max_attempts = $set.max_attempts,
                        date_modified = $now, run_at = $runAt ?? run_at,
                        rank = IF status = 'Waiting' THEN $rank ELSE rank END,
                        due = IF status = 'Waiting' THEN time::nano($runAt ?? run_at) ELSE due END
                    WHERE status != 'InProgress' RETURN AFTER);
                IF array::len($after) > 0 AND $after[0].status = 'Waiting' {
                    INSERT INTO kafru_signals {queue: $after[0].queue, created: 0, earliest: $after[0].run_at, at: time::nano($now)} RETURN NONE;
                };
                RETURN $after;
                COMMIT TRANSACTION;""", vars));
        return rows(result.get(result.size() - 2), SurrealRows::task).stream().findFirst();
    }

    /**
     * Puts an Error task back to Waiting, due now, with its attempts counted from zero again;
     * empty when there is no such task or it is not in Error.
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
                };
                RETURN $after;
                COMMIT TRANSACTION;""", Map.of("id", id(key))));
        return rows(result.get(result.size() - 2), SurrealRows::task).stream().findFirst();
    }

    /** Removes a task unless it is running; true when it was removed. */
    @Override
    public boolean removeIdle(String key) {
        return !((List<?>) ConflictRetry.run(() -> db().query("DELETE $id WHERE status != 'InProgress' RETURN BEFORE",
                Map.of("id", id(key)))).get(0)).isEmpty();
    }

    /** True when a task was removed. */
    @Override
    public boolean remove(String key) {
        return !((List<?>) db().query("DELETE $id RETURN BEFORE", Map.of("id", id(key))).get(0)).isEmpty();
    }

    /** Removes the tasks matching the filters; returns how many. */
    @Override
    public long purge(TaskStatus status, String queue) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("status", status == null ? None.NONE : status.name());
        vars.put("queue", queue == null ? None.NONE : queue);
        // the push batches of purged Waiting tasks go with them (a stale one would only cost a claim a round trip)
        List<Object> results = ConflictRetry.run(() -> db().query("DELETE kafru_queues WHERE ($status = NONE OR status = $status)"
                + " AND ($queue = NONE OR queue = $queue) RETURN VALUE id;"
                + " IF $status = NONE OR $status = 'Waiting' THEN { DELETE kafru_batches WHERE $queue = NONE OR queue = $queue RETURN NONE; } END;",
                vars));
        return ((List<?>) results.get(0)).size();
    }

    // ------------------------------------------------------------------------------------------
    // rows
    // ------------------------------------------------------------------------------------------

    static RecordId id(String key) {
        return RecordId.parse(Schema.QUEUES, key);
    }

    private static List<RecordId> ids(List<String> keys) {
        return keys.stream().map(SurrealTaskRepository::id).toList();
    }

    private static String truncate(String message) {
        if (message == null) {
            return "";
        }
        return message.length() > 4000 ? message.substring(0, 4000) + "…" : message;
    }
}
