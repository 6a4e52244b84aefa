package dev.kafru.store.surreal;

import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.SurrealConnection;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * kafru's tables, fields and indexes, applied at start-up with {@code IF NOT EXISTS} so that
 * applying twice, or from two servers at once, is harmless. SurrealDB 3 refuses reads and live
 * queries on a table that does not exist, so this runs before anything else touches the store.
 */
public final class Schema {

    public static final String QUEUES = "kafru_queues";
    public static final String SCHEDULES = "kafru_schedules";
    public static final String AGENTS = "kafru_agents";
    public static final String METRICS = "kafru_metrics";
    /**
     * Finished attempts per server, queue and minute ({@code at}: the minute in epoch seconds, a
     * number because datetimes compare wrongly in index ranges — see {@link #CLAIM_INDEX}).
     */
    public static final String MINUTES = "kafru_minutes";
    /** One row per push batch, retry batch or recovery: what wakes workers on every server (see SurrealTaskRepository#onSignal). */
    public static final String SIGNALS = "kafru_signals";
    /** Every queue name used, keyed by the name: how the admin API and retention find queues without a scan. */
    public static final String QUEUE_NAMES = "kafru_queue_names";
    /** kafru's own bookkeeping: the schema version a database was upgraded to. */
    public static final String META = "kafru_meta";
    /** The schema version this code writes; older databases are upgraded at start-up. */
    public static final int VERSION = 4;

    /** Queues paused cluster-wide, keyed by queue name; kept while no worker of the queue runs. */
    public static final String PAUSED_QUEUES = "kafru_paused_queues";

    /**
     * The claim index walks {@code due} (run_at in epoch nanoseconds), not {@code run_at}:
     * SurrealDB 3.0.2 compares datetimes wrongly in an index range scan (as text with the
     * fraction trimmed: {@code 12:01:00Z <= 12:01:00.4Z} is false there), which would claim
     * tasks up to a second late, or a little early.
     */
    public static final String CLAIM_INDEX = "kafru_queues_claim_due";

    /** A push unit's tasks as one value (see Units): written once, read by claims. */
    public static final String PAYLOADS = "kafru_payloads";
    /** The slots of a unit one claim took: owner and lease, renewed and reaped like a row's. */
    public static final String SLICES = "kafru_slices";
    /**
     * One entry per label of a labelled task or unit, keyed {@code [label, task or unit]}: a filter on
     * a label reads one key range. Written only for labelled tasks (docs/storage-shapes.md, Labels).
     */
    public static final String LABELS = "kafru_labels";
    /** Changes of a queue's counts by status, one per statement, folded into {@link #COUNTS}. */
    public static final String COUNT_DELTAS = "kafru_count_deltas";
    /** A queue's counts by status, keyed by the queue name. */
    public static final String COUNTS = "kafru_counts";

    /** Handlers' progress reports, one per task, keyed by the task's key (see ProgressRecords). */
    public static final String PROGRESS = "kafru_progress";

    /** Task statuses, as the Rust crate kafru names them. */
    public static final String STATUSES = "['Waiting', 'InProgress', 'Completed', 'Error']";

    static final String DEFINITIONS = """
            DEFINE TABLE IF NOT EXISTS kafru_queues SCHEMALESS;
            DEFINE INDEX IF NOT EXISTS kafru_queues_claim_due ON kafru_queues FIELDS queue, status, rank, due;
            DEFINE TABLE IF NOT EXISTS kafru_payloads SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_unique SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_chains SCHEMALESS;
            DEFINE INDEX IF NOT EXISTS kafru_chains_parent ON TABLE kafru_chains FIELDS parent;
            DEFINE TABLE IF NOT EXISTS kafru_batch SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_slices SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_labels SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_progress SCHEMALESS;
            DEFINE INDEX IF NOT EXISTS kafru_slices_due ON TABLE kafru_slices FIELDS queue, due;
            DEFINE INDEX IF NOT EXISTS kafru_slices_unit ON TABLE kafru_slices FIELDS unit;
            DEFINE TABLE IF NOT EXISTS kafru_count_deltas SCHEMALESS;
            DEFINE INDEX IF NOT EXISTS kafru_count_deltas_queue ON TABLE kafru_count_deltas FIELDS queue;
            DEFINE INDEX IF NOT EXISTS kafru_count_deltas_at ON TABLE kafru_count_deltas FIELDS at;
            DEFINE TABLE IF NOT EXISTS kafru_counts SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_signals SCHEMALESS;
            DEFINE INDEX IF NOT EXISTS kafru_signals_at ON kafru_signals FIELDS at;
            DEFINE TABLE IF NOT EXISTS kafru_queue_names SCHEMALESS;
            DEFINE TABLE IF NOT EXISTS kafru_meta SCHEMALESS;

            DEFINE TABLE IF NOT EXISTS kafru_schedules SCHEMALESS;
            DEFINE FIELD IF NOT EXISTS name ON kafru_schedules TYPE string;
            DEFINE FIELD IF NOT EXISTS queue ON kafru_schedules TYPE string;
            DEFINE FIELD IF NOT EXISTS handler ON kafru_schedules TYPE string;
            DEFINE FIELD IF NOT EXISTS parameters ON kafru_schedules TYPE option<object>;
            DEFINE FIELD IF NOT EXISTS cron_expression ON kafru_schedules TYPE option<string>;
            DEFINE FIELD IF NOT EXISTS time_zone ON kafru_schedules TYPE string;
            DEFINE FIELD IF NOT EXISTS status ON kafru_schedules TYPE string ASSERT $value IN ['Enabled', 'Disabled'];
            DEFINE FIELD IF NOT EXISTS one_time ON kafru_schedules TYPE bool;
            DEFINE FIELD IF NOT EXISTS start_schedule ON kafru_schedules TYPE option<datetime>;
            DEFINE FIELD IF NOT EXISTS until_schedule ON kafru_schedules TYPE option<datetime>;
            DEFINE FIELD IF NOT EXISTS next_schedule ON kafru_schedules TYPE option<datetime>;
            DEFINE FIELD IF NOT EXISTS date_created ON kafru_schedules TYPE datetime;
            DEFINE FIELD IF NOT EXISTS date_modified ON kafru_schedules TYPE datetime;
            DEFINE INDEX IF NOT EXISTS kafru_schedules_due ON kafru_schedules FIELDS status, next_schedule;
            DEFINE INDEX IF NOT EXISTS kafru_schedules_name ON kafru_schedules FIELDS name UNIQUE;

            DEFINE TABLE IF NOT EXISTS kafru_agents SCHEMALESS;
            DEFINE FIELD IF NOT EXISTS name ON kafru_agents TYPE string;
            DEFINE FIELD IF NOT EXISTS kind ON kafru_agents TYPE string ASSERT $value IN ['Queue', 'Scheduler', 'Task'];
            DEFINE FIELD IF NOT EXISTS server ON kafru_agents TYPE string;
            DEFINE FIELD IF NOT EXISTS status ON kafru_agents TYPE string ASSERT $value IN ['Initialized', 'Running', 'Terminated', 'Error', 'Completed'];
            DEFINE FIELD IF NOT EXISTS parent_id ON kafru_agents TYPE option<record<kafru_agents>>;
            DEFINE FIELD IF NOT EXISTS queue_id ON kafru_agents TYPE option<record<kafru_queues>>;
            DEFINE FIELD IF NOT EXISTS heartbeat ON kafru_agents TYPE datetime;
            DEFINE FIELD IF NOT EXISTS message ON kafru_agents TYPE option<string>;
            DEFINE FIELD IF NOT EXISTS author ON kafru_agents TYPE option<string>;
            DEFINE FIELD IF NOT EXISTS command ON kafru_agents TYPE option<string> ASSERT $value = NONE OR $value IN ['QueueGracefulShutdown', 'QueueForceShutdown', 'SchedulerGracefulShutdown', 'SchedulerForceShutdown', 'TaskTerminate', 'TaskRemove', 'TaskCancel'];
            DEFINE FIELD IF NOT EXISTS command_is_executed ON kafru_agents TYPE bool DEFAULT false;
            DEFINE FIELD IF NOT EXISTS paused ON kafru_agents TYPE bool DEFAULT false;
            DEFINE FIELD IF NOT EXISTS date_created ON kafru_agents TYPE datetime DEFAULT time::now() READONLY;
            DEFINE FIELD IF NOT EXISTS date_modified ON kafru_agents TYPE datetime VALUE time::now();
            DEFINE INDEX IF NOT EXISTS kafru_agents_server ON kafru_agents FIELDS server, kind;
            DEFINE INDEX IF NOT EXISTS kafru_agents_heartbeat ON kafru_agents FIELDS heartbeat;

            DEFINE TABLE IF NOT EXISTS kafru_metrics SCHEMALESS;
            DEFINE FIELD IF NOT EXISTS name ON kafru_metrics TYPE string;
            DEFINE FIELD IF NOT EXISTS kind ON kafru_metrics TYPE string;
            DEFINE FIELD IF NOT EXISTS num_alive_tasks ON kafru_metrics TYPE int;
            DEFINE FIELD IF NOT EXISTS num_workers ON kafru_metrics TYPE int;
            DEFINE FIELD IF NOT EXISTS timestamp ON kafru_metrics TYPE datetime;
            DEFINE INDEX IF NOT EXISTS kafru_metrics_name ON kafru_metrics FIELDS name UNIQUE;
            DEFINE TABLE IF NOT EXISTS kafru_minutes SCHEMALESS;
            DEFINE INDEX IF NOT EXISTS kafru_minutes_at ON kafru_minutes FIELDS at;

            DEFINE TABLE IF NOT EXISTS kafru_paused_queues SCHEMALESS;
            DEFINE FIELD IF NOT EXISTS paused_at ON kafru_paused_queues TYPE datetime;
            """;

    private Schema() {
    }

    /**
     * Defines whatever is missing. Safe to run any number of times, from any number of servers
     * at once: a write conflict between two servers defining the same thing is retried.
     */
    public static void apply(SurrealConnection connection) {
        ConflictRetry.run(() -> connection.query(DEFINITIONS, Map.of()));
        Object version = connection.query("RETURN (SELECT VALUE version FROM ONLY kafru_meta:schema)", Map.of()).get(0);
        if (!(version instanceof Number n) || n.intValue() < VERSION) {
            upgrade(connection);
        }
    }

    /**
     * Upgrades a database written by an earlier kafru (version 1: typed fields on kafru_queues,
     * {@code due} computed by the database, a second index for leases) in place, idempotently —
     * two servers starting together may both run it. Reads every task once; later starts skip it.
     */
    static void upgrade(SurrealConnection connection) {
        ConflictRetry.run(() -> connection.query(UPGRADE_TO_2, Map.of()));
        ConflictRetry.run(() -> connection.query(UPGRADE_TO_3, Map.of()));
        ConflictRetry.run(() -> connection.query(UPGRADE_TO_4, Map.of()));
    }

    /**
     * Version 3 → 4: an agent may be sent TaskCancel. Tasks gain fields (author, timeout, unique,
     * failures; status Cancelled), which need nothing here: kafru_queues has no field definitions,
     * and a row without them reads as "none".
     */
    static final String UPGRADE_TO_4 = """
            DEFINE FIELD OVERWRITE command ON kafru_agents TYPE option<string> ASSERT $value = NONE OR $value IN
                ['QueueGracefulShutdown', 'QueueForceShutdown', 'SchedulerGracefulShutdown', 'SchedulerForceShutdown',
                 'TaskTerminate', 'TaskRemove', 'TaskCancel'];
            UPSERT kafru_meta:schema SET version = math::max([4, (SELECT VALUE version FROM ONLY kafru_meta:schema) ?? 0]) RETURN NONE;
            """;

    /** Version 1 → 2: no field definitions on kafru_queues; due/rank follow the status (see SurrealTaskRepository). */
    static final String UPGRADE_TO_2 = """
            REMOVE INDEX IF EXISTS kafru_queues_lease ON kafru_queues;
            REMOVE FIELD IF EXISTS name ON kafru_queues;
            REMOVE FIELD IF EXISTS queue ON kafru_queues;
            REMOVE FIELD IF EXISTS handler ON kafru_queues;
            REMOVE FIELD IF EXISTS parameters ON kafru_queues;
            REMOVE FIELD IF EXISTS status ON kafru_queues;
            REMOVE FIELD IF EXISTS message ON kafru_queues;
            REMOVE FIELD IF EXISTS priority ON kafru_queues;
            REMOVE FIELD IF EXISTS rank ON kafru_queues;
            REMOVE FIELD IF EXISTS run_at ON kafru_queues;
            REMOVE FIELD IF EXISTS due ON kafru_queues;
            REMOVE FIELD IF EXISTS attempts ON kafru_queues;
            REMOVE FIELD IF EXISTS max_attempts ON kafru_queues;
            REMOVE FIELD IF EXISTS owner ON kafru_queues;
            REMOVE FIELD IF EXISTS lease_until ON kafru_queues;
            REMOVE FIELD IF EXISTS date_created ON kafru_queues;
            REMOVE FIELD IF EXISTS date_modified ON kafru_queues;
            REMOVE FIELD IF EXISTS started_at ON kafru_queues;
            REMOVE FIELD IF EXISTS finished_at ON kafru_queues;
            UPDATE kafru_queues SET rank = 0 - (priority ?? 0), due = time::nano(run_at ?? time::now()) WHERE status = 'Waiting' RETURN NONE;
            UPDATE kafru_queues SET rank = 0, due = time::nano(lease_until ?? time::now()) WHERE status = 'InProgress' RETURN NONE;
            UPDATE kafru_queues SET rank = 0, due = time::nano(finished_at ?? date_modified ?? time::now())
                WHERE status IN ['Completed', 'Error'] RETURN NONE;
            INSERT IGNORE INTO kafru_queue_names (SELECT queue AS id FROM kafru_queues GROUP BY queue).map(|$q| {id: type::record('kafru_queue_names', $q.id)}) RETURN NONE;
            UPSERT kafru_meta:schema SET version = math::max([2, (SELECT VALUE version FROM ONLY kafru_meta:schema) ?? 0]) RETURN NONE;
            """;

    /**
     * Version 2 → 3: tasks of one push are stored as units (new tables, nothing to convert: every
     * row of version 2 is a task on its own); a queue's counts are kept, so they are counted once
     * here — in the transaction that marks the version, so that a second server upgrading at the
     * same moment conflicts, retries, and finds it done. The push batches of version 2 are gone.
     */
    static final String UPGRADE_TO_3 = """
            BEGIN TRANSACTION;
            IF ((SELECT VALUE version FROM ONLY kafru_meta:schema) ?? 0) < 3 {
                REMOVE TABLE IF EXISTS kafru_batches;
                LET $c = (SELECT queue, status, count() AS n FROM kafru_queues WHERE unit = NONE GROUP BY queue, status);
                FOR $q IN array::distinct($c.queue) {
                    LET $mine = $c.filter(|$x| $x.queue = $q);
                    UPSERT type::record('kafru_counts', $q) SET
                        w = math::sum($mine.filter(|$x| $x.status = 'Waiting').n), p = math::sum($mine.filter(|$x| $x.status = 'InProgress').n),
                        c = math::sum($mine.filter(|$x| $x.status = 'Completed').n), e = math::sum($mine.filter(|$x| $x.status = 'Error').n)
                        RETURN NONE;
                };
                DELETE kafru_count_deltas RETURN NONE;
                UPSERT kafru_meta:schema SET version = 3 RETURN NONE;
            };
            COMMIT TRANSACTION;
            """;

    /** The tables that exist in the current database. */
    @SuppressWarnings("unchecked")
    public static Set<String> tables(SurrealConnection connection) {
        Object info = connection.query("INFO FOR DB", Map.of()).get(0);
        Object tables = info instanceof Map<?, ?> map ? map.get("tables") : null;
        return tables instanceof Map<?, ?> t ? (Set<String>) (Set<?>) t.keySet() : Set.of();
    }

    /** The index names defined on one table. */
    public static Set<String> indexes(SurrealConnection connection, String table) {
        Object info = connection.query("INFO FOR TABLE $t", Map.of("t", table)).get(0);
        Object indexes = info instanceof Map<?, ?> map ? map.get("indexes") : null;
        Set<String> names = new TreeSet<>();
        if (indexes instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> names.add(String.valueOf(k)));
        }
        return names;
    }
}
