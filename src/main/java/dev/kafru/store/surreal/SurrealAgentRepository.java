package dev.kafru.store.surreal;

import dev.kafru.Agent;
import dev.kafru.AgentFilter;
import dev.kafru.AgentStatus;
import dev.kafru.Command;
import dev.kafru.store.AgentRepository;
import dev.kafru.store.NewAgent;
import dev.kafru.store.Subscription;
import dev.kafru.surrealdb.ConflictRetry;
import dev.kafru.surrealdb.None;
import dev.kafru.surrealdb.RecordId;
import dev.kafru.surrealdb.SurrealConnection;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static dev.kafru.store.surreal.SurrealRows.rows;

/**
 * Every SurrealQL statement on {@code kafru_agents}. Values are bound parameters only.
 *
 * <p>Task agents are written in batches ({@link #writeTaskAgents}): one request per dispatcher
 * cycle inserts the tasks that started and deletes the ones that ended.
 */
public final class SurrealAgentRepository extends SurrealRepository implements AgentRepository {

    private static final String FILTER = """
            SELECT * FROM kafru_agents WHERE ($id = NONE OR id = $id) AND ($ids = NONE OR id IN $ids)
              AND ($parent = NONE OR parent_id = $parent) AND ($queue_id = NONE OR queue_id = $queue_id)
              AND ($name = NONE OR name = $name) AND ($names = NONE OR name IN $names)
              AND ($kind = NONE OR kind = $kind) AND ($server = NONE OR server = $server)
              AND ($status = NONE OR status = $status) AND ($statuses = NONE OR status IN $statuses)
              AND ($command = NONE OR command = $command)
              AND ($executed = NONE OR command_is_executed = $executed)
            ORDER BY server, kind, name LIMIT $limit
            """;

    /** The owning server's view: its pending commands and its queue agents (for the pause flag). */
    private static final String HEARTBEAT = """
            UPDATE kafru_agents SET heartbeat = time::now() WHERE server = $server AND status IN ['Initialized', 'Running'] RETURN NONE;
            SELECT * FROM kafru_agents WHERE server = $server AND ((command != NONE AND command_is_executed = false) OR kind = 'Queue');
            """;

    /** A repository on the connection {@code connection} gives at each call (see {@link SurrealRepository}). */
    public SurrealAgentRepository(Supplier<SurrealConnection> connection) {
        super(connection);
    }

    /** A repository on one connection (tests, benchmarks: a connection per simulated server). */
    public SurrealAgentRepository(SurrealConnection connection) {
        this(() -> connection);
    }


    /** Removes every agent of a server (its old agents, at start). */
    @Override
    public int purgeServer(String server) {
        return ((List<?>) ConflictRetry.run(() -> db().query("DELETE kafru_agents WHERE server = $server RETURN BEFORE",
                Map.of("server", server))).get(0)).size();
    }

    /** Ends a stopping server's live agents (Terminated). */
    @Override
    public void terminateServer(String server) {
        ConflictRetry.run(() -> db().query("UPDATE kafru_agents SET status = 'Terminated' WHERE server = $server"
                + " AND status IN ['Initialized', 'Running'] RETURN NONE", Map.of("server", server)));
    }

    /** Creates one agent. */
    @Override
    public void create(NewAgent agent) {
        ConflictRetry.run(() -> db().query("INSERT INTO kafru_agents $rows RETURN NONE", Map.of("rows", List.of(row(agent)))));
    }

    /** True when the queue is paused cluster-wide: a worker started for it starts paused. */
    @Override
    public boolean isQueuePaused(String queue) {
        return !((List<?>) db().query("SELECT VALUE id FROM $paused", Map.of("paused", paused(queue))).get(0)).isEmpty();
    }

    /** The queues paused cluster-wide. */
    @Override
    public Set<String> pausedQueues() {
        Set<String> names = new TreeSet<>();
        for (Object id : (List<?>) db().query("SELECT VALUE id FROM kafru_paused_queues", Map.of()).get(0)) {
            if (id instanceof RecordId r) {
                names.add(r.keyText());
            }
        }
        return names;
    }

    /**
     * Records the pause flag of a queue (it outlives the queue's workers) and sets it on every
     * server's agent of that queue, in one transaction; returns how many of those agents are live.
     */
    @Override
    public int setQueuePaused(String queue, boolean paused) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                BEGIN TRANSACTION;
                IF $flag { UPSERT $paused SET paused_at = time::now() RETURN NONE } ELSE { DELETE $paused RETURN NONE };
                UPDATE kafru_agents SET paused = $flag WHERE kind = 'Queue' AND name = $name RETURN VALUE status;
                COMMIT TRANSACTION;
                """, Map.of("name", queue, "flag", paused, "paused", paused(queue))));
        // the UPDATE's statuses: the one list among the statements' results (BEGIN, IF and COMMIT give NONE)
        for (int i = result.size() - 1; i >= 0; i--) {
            if (result.get(i) instanceof List<?> statuses) {
                return (int) statuses.stream().filter(st -> "Running".equals(st) || "Initialized".equals(st)).count();
            }
        }
        return 0;
    }

    private static RecordId paused(String queue) {
        return new RecordId(Schema.PAUSED_QUEUES, queue);
    }

    /**
     * Inserts the task agents of tasks that started and deletes those of tasks that ended, in
     * one request. An ended agent that received a command stays (it records the command's outcome).
     */
    @Override
    public CompletableFuture<Void> writeTaskAgents(List<NewAgent> started, List<String> endedKeys) {
        List<Map<String, Object>> rows = started.stream().map(SurrealAgentRepository::row).toList();
        return db().queryAsync("""
                        IF array::len($rows) > 0 { INSERT INTO kafru_agents $rows RETURN NONE };
                        IF array::len($ended) > 0 { DELETE $ended WHERE command = NONE RETURN NONE };
                        """,
                Map.of("rows", rows, "ended", ids(endedKeys))).thenApply(r -> null);
    }

    /**
     * Renews the heartbeat of a server's live agents, and returns what that server must act on:
     * its agents with a command not yet carried out, and its queue agents.
     */
    @Override
    public List<Agent> heartbeat(String server) {
        return rows(ConflictRetry.run(() -> db().query(HEARTBEAT, Map.of("server", server))).get(1), SurrealRows::agent);
    }

    /**
     * Marks the live agents of other servers whose heartbeat is older than {@code expiry} as
     * Error, and deletes agents (and metric rows) not heard of for {@code forget}.
     *
     * @return how many agents were marked
     */
    @Override
    public int expire(String server, Duration expiry, Duration forget) {
        List<Object> result = ConflictRetry.run(() -> db().query("""
                UPDATE kafru_agents SET status = 'Error',
                    message = 'no heartbeat from server ' + server + ' since ' + <string> heartbeat
                  WHERE status IN ['Initialized', 'Running'] AND server != $server AND heartbeat < time::now() - $expiry
                  RETURN VALUE id;
                DELETE kafru_agents WHERE heartbeat < time::now() - $forget RETURN NONE;
                DELETE kafru_metrics WHERE timestamp < time::now() - $forget RETURN NONE;
                """, Map.of("server", server, "expiry", expiry, "forget", forget)));
        return ((List<?>) result.get(0)).size();
    }

    @Override
    public List<Agent> list(AgentFilter f, int limit) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", f.id() == null ? None.NONE : id(f.id()));
        vars.put("ids", f.ids() == null ? None.NONE : ids(f.ids()));
        vars.put("parent", f.parentId() == null ? None.NONE : id(f.parentId()));
        vars.put("queue_id", f.queueId() == null ? None.NONE : SurrealTaskRepository.id(f.queueId()));
        vars.put("name", orNone(f.name()));
        vars.put("names", f.names() == null ? None.NONE : f.names());
        vars.put("kind", f.kind() == null ? None.NONE : f.kind().name());
        vars.put("server", orNone(f.server()));
        vars.put("status", f.status() == null ? None.NONE : f.status().name());
        vars.put("statuses", f.statuses() == null ? None.NONE : f.statuses().stream().map(Enum::name).toList());
        vars.put("command", f.command() == null ? None.NONE : f.command().name());
        vars.put("executed", f.commandIsExecuted() == null ? None.NONE : f.commandIsExecuted());
        vars.put("limit", (long) limit);
        return rows(db().query(FILTER, vars).get(0), SurrealRows::agent);
    }

    @Override
    public Optional<Agent> get(String key) {
        return rows(db().query("SELECT * FROM $id", Map.of("id", id(key))).get(0), SurrealRows::agent).stream().findFirst();
    }

    /** Writes a command on an agent (not yet executed); empty when there is no such agent. */
    @Override
    public Optional<Agent> sendCommand(String key, Command command, String message, String author) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id(key));
        vars.put("command", command.name());
        vars.put("message", orNone(message));
        vars.put("author", orNone(author));
        return rows(ConflictRetry.run(() -> db().query("UPDATE $id SET command = $command, command_is_executed = false,"
                + " message = $message, author = $author RETURN AFTER", vars)).get(0), SurrealRows::agent).stream().findFirst();
    }

    /** Records that an agent's command was carried out, with the agent's new status. */
    @Override
    public void commandExecuted(String key, AgentStatus status, String message) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id(key));
        vars.put("status", status.name());
        vars.put("message", orNone(message));
        ConflictRetry.run(() -> db().query("UPDATE $id SET command_is_executed = true, status = $status, message = $message ?? message"
                + " RETURN NONE", vars));
    }

    @Override
    public void setStatus(String key, AgentStatus status, String message) {
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("id", id(key));
        vars.put("status", status.name());
        vars.put("message", orNone(message));
        ConflictRetry.run(() -> db().query("UPDATE $id SET status = $status, message = $message RETURN NONE", vars));
    }

    /** Removes a task from the queue (the TaskRemove command). */
    @Override
    public boolean removeTask(String taskKey) {
        return !((List<?>) db().query("DELETE $id RETURN BEFORE", Map.of("id", SurrealTaskRepository.id(taskKey))).get(0)).isEmpty();
    }

    /**
     * A live query on a server's agents that have a command not yet carried out, or that are
     * queue agents (whose pause flag may change).
     */
    @Override
    public Subscription onServerAgents(String server, Consumer<Agent> listener) {
        SurrealConnection.LiveSubscription live = db().liveQuery("LIVE SELECT * FROM kafru_agents WHERE server = $server"
                        + " AND ((command != NONE AND command_is_executed = false) OR kind = 'Queue')",
                Map.of("server", server), n -> {
                    if (!"DELETE".equals(n.action()) && n.result() instanceof Map<?, ?> row && row.get("id") instanceof RecordId) {
                        listener.accept(SurrealRows.agent(row));
                    }
                });
        return live::close;
    }

    static RecordId id(String key) {
        return RecordId.parse(Schema.AGENTS, key);
    }

    private static List<RecordId> ids(List<String> keys) {
        return keys.stream().map(SurrealAgentRepository::id).toList();
    }

    private static Object orNone(String value) {
        return value == null ? None.NONE : value;
    }

    private static Map<String, Object> row(NewAgent a) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id(a.key()));
        row.put("name", a.name());
        row.put("kind", a.kind().name());
        row.put("server", a.server());
        row.put("status", a.status().name());
        if (a.parentKey() != null) {
            row.put("parent_id", id(a.parentKey()));
        }
        if (a.queueKey() != null) {
            row.put("queue_id", SurrealTaskRepository.id(a.queueKey()));
        }
        row.put("paused", a.paused());
        row.put("command_is_executed", false);
        row.put("heartbeat", Instant.now());
        return row;
    }
}
