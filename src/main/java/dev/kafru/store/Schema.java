package dev.kafru.store;

import java.util.Map;

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
    /** Queues paused cluster-wide, keyed by queue name; kept while no worker of the queue runs. */
    public static final String PAUSED_QUEUES = "kafru_paused_queues";

    /**
     * The claim index walks {@code due} (run_at in epoch nanoseconds), not {@code run_at}:
     * SurrealDB 3.0.2 compares datetimes wrongly in an index range scan (as text with the
     * fraction trimmed: {@code 12:01:00Z <= 12:01:00.4Z} is false there), which would claim
     * tasks up to a second late, or a little early.
     */
    public static final String CLAIM_INDEX = "kafru_queues_claim_due";

    /** Task statuses, as the crate names them. */
    public static final String STATUSES = "['Waiting', 'InProgress', 'Completed', 'Error']";

    static final String DEFINITIONS = """
            DEFINE TABLE IF NOT EXISTS kafru_queues SCHEMALESS;
            DEFINE FIELD IF NOT EXISTS name ON kafru_queues TYPE string;
            DEFINE FIELD IF NOT EXISTS queue ON kafru_queues TYPE string;
            DEFINE FIELD IF NOT EXISTS handler ON kafru_queues TYPE string;
            DEFINE FIELD IF NOT EXISTS parameters ON kafru_queues TYPE option<object>;
            DEFINE FIELD IF NOT EXISTS status ON kafru_queues TYPE string DEFAULT 'Waiting' ASSERT $value IN ['Waiting', 'InProgress', 'Completed', 'Error'];
            DEFINE FIELD IF NOT EXISTS message ON kafru_queues TYPE option<string>;
            DEFINE FIELD IF NOT EXISTS priority ON kafru_queues TYPE int;
            DEFINE FIELD IF NOT EXISTS rank ON kafru_queues TYPE int;
            DEFINE FIELD IF NOT EXISTS run_at ON kafru_queues TYPE datetime DEFAULT time::now();
            DEFINE FIELD IF NOT EXISTS due ON kafru_queues TYPE int VALUE time::nano(run_at ?? time::now());
            DEFINE FIELD IF NOT EXISTS attempts ON kafru_queues TYPE int DEFAULT 0;
            DEFINE FIELD IF NOT EXISTS max_attempts ON kafru_queues TYPE int;
            DEFINE FIELD IF NOT EXISTS owner ON kafru_queues TYPE option<string>;
            DEFINE FIELD IF NOT EXISTS lease_until ON kafru_queues TYPE option<datetime>;
            DEFINE FIELD IF NOT EXISTS date_created ON kafru_queues TYPE datetime DEFAULT time::now() READONLY;
            DEFINE FIELD IF NOT EXISTS date_modified ON kafru_queues TYPE datetime VALUE time::now();
            DEFINE FIELD IF NOT EXISTS started_at ON kafru_queues TYPE option<datetime>;
            DEFINE FIELD IF NOT EXISTS finished_at ON kafru_queues TYPE option<datetime>;
            DEFINE INDEX IF NOT EXISTS kafru_queues_claim_due ON kafru_queues FIELDS queue, status, rank, due;
            DEFINE INDEX IF NOT EXISTS kafru_queues_lease ON kafru_queues FIELDS status, lease_until;

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
            DEFINE FIELD IF NOT EXISTS command ON kafru_agents TYPE option<string> ASSERT $value = NONE OR $value IN ['QueueGracefulShutdown', 'QueueForceShutdown', 'SchedulerGracefulShutdown', 'SchedulerForceShutdown', 'TaskTerminate', 'TaskRemove'];
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
        // Waiting tasks stored before the due field existed: any write recomputes it (VALUE),
        // and without it they could never be claimed
        ConflictRetry.run(() -> connection.query(
                "UPDATE kafru_queues SET run_at = run_at WHERE status = 'Waiting' AND due = NONE RETURN NONE", Map.of()));
    }

    /** The tables that exist in the current database. */
    @SuppressWarnings("unchecked")
    public static java.util.Set<String> tables(SurrealConnection connection) {
        Object info = connection.query("INFO FOR DB", Map.of()).get(0);
        Object tables = info instanceof Map<?, ?> map ? map.get("tables") : null;
        return tables instanceof Map<?, ?> t ? (java.util.Set<String>) (java.util.Set<?>) t.keySet() : java.util.Set.of();
    }

    /** The index names defined on one table. */
    public static java.util.Set<String> indexes(SurrealConnection connection, String table) {
        Object info = connection.query("INFO FOR TABLE $t", Map.of("t", table)).get(0);
        Object indexes = info instanceof Map<?, ?> map ? map.get("indexes") : null;
        java.util.Set<String> names = new java.util.TreeSet<>();
        if (indexes instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> names.add(String.valueOf(k)));
        }
        return names;
    }
}
