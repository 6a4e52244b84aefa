package dev.kafru.surrealdb;

import dev.kafru.surrealdb.SurrealConnection.LiveSubscription;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The live queries of one connection, kept across reconnects: the server forgets them when the
 * socket closes, so each new session starts them all again ({@link #restartAll}) and they get
 * new server ids. Notifications find their query by that server id and reach its listener on
 * the listeners' executor, never on the socket's thread.
 */
final class LiveQueries {

    /** The connection's logger, so that one logging setting still covers all of the client. */
    private static final Logger LOG = Logger.getLogger(RpcSurrealConnection.class.getName());

    private final RpcSurrealConnection connection;
    /** How long a drain of notifications waits for the next one before it gives its thread back. */
    static final long DRAIN_LINGER_MILLIS = 20;

    /** Runs live-query listeners (which may block on queries of their own), never the socket's thread. */
    private final Executor listeners;
    private final Map<UUID, Live> lives = new ConcurrentHashMap<>();
    private final Map<UUID, Live> livesByServerId = new ConcurrentHashMap<>();

    /** @param connection sends the requests that start and kill live queries */
    LiveQueries(RpcSurrealConnection connection, Executor listeners) {
        this.connection = connection;
        this.listeners = listeners;
    }

    /** The table-wide live queries, one per table however many listen to it; guarded by itself. */
    private final Map<String, Shared> byTable = new java.util.HashMap<>();

    /**
     * Listens to every change of {@code table}: starts {@code LIVE SELECT * FROM table} and waits
     * until the server runs it, unless this connection has one on the table already — then the
     * listener joins it. A server's workers and its metrics both follow {@code kafru_signals}: with
     * a live query each, the engine matched and sent every signal twice.
     */
    LiveSubscription onTable(String table, Consumer<LiveNotification> listener) {
        synchronized (byTable) {
            Shared shared = byTable.get(table);
            if (shared == null) {
                Shared fresh = new Shared(table);
                fresh.live = start(new Live(UUID.randomUUID(), table, null, null, fresh::deliver));
                byTable.put(table, fresh);
                shared = fresh;
            }
            return shared.join(listener);
        }
    }

    /** One table-wide live query and its listeners, each told of every notification in turn. */
    private final class Shared {
        final String table;
        final java.util.List<Consumer<LiveNotification>> listening = new java.util.concurrent.CopyOnWriteArrayList<>();
        LiveSubscription live;

        Shared(String table) {
            this.table = table;
        }

        void deliver(LiveNotification notification) {
            for (Consumer<LiveNotification> listener : listening) {
                try {
                    listener.accept(notification);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "live query listener on " + table + " failed", e);
                }
            }
        }

        LiveSubscription join(Consumer<LiveNotification> listener) {
            Consumer<LiveNotification> own = listener::accept; // a handle of its own, even for a listener given twice
            listening.add(own);
            AtomicBoolean closed = new AtomicBoolean();
            return () -> {
                if (!closed.compareAndSet(false, true)) {
                    return;
                }
                synchronized (byTable) {
                    listening.remove(own);
                    if (listening.isEmpty() && byTable.get(table) == this) {
                        byTable.remove(table);
                        live.close();
                    }
                }
            };
        }
    }

    /** Starts a {@code LIVE SELECT …} statement with bound variables and waits until the server runs it. */
    LiveSubscription ofStatement(String liveSelect, Map<String, ?> vars, Consumer<LiveNotification> listener) {
        return start(new Live(UUID.randomUUID(), null, liveSelect, vars == null ? Map.of() : Map.copyOf(vars), listener));
    }

    private LiveSubscription start(Live live) {
        lives.put(live.handle, live);
        try {
            SurrealConnection.await(connection.request(live.method(), live.params()).thenAccept(live::started));
        } catch (RuntimeException e) {
            lives.remove(live.handle);
            throw e;
        }
        return live;
    }

    /** Starts every live query again on a new session, one after the other, before it takes requests. */
    CompletableFuture<Void> restartAll(RpcSession session) {
        livesByServerId.clear();
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (Live live : lives.values()) {
            all = all.thenCompose(v -> session.call(live.method(), live.params()).thenAccept(live::started));
        }
        return all;
    }

    /** Hands a notification the server pushed to its live query's listener; unknown ones are dropped. */
    void dispatch(Object payload) {
        if (!(payload instanceof Map<?, ?> map)) {
            return;
        }
        Object id = map.get("id");
        if (!(id instanceof UUID liveId)) {
            return;
        }
        Live live = livesByServerId.get(liveId);
        if (live == null) {
            return;
        }
        Object record = map.get("record");
        LiveNotification notification = new LiveNotification(liveId, String.valueOf(map.get("action")),
                record instanceof RecordId r ? r : null, map.get("result"));
        live.deliver(notification);
    }

    /** One live query, kept across reconnects. */
    private final class Live implements LiveSubscription {
        final UUID handle;
        final String table;
        final String statement;
        final Map<String, ?> vars;
        final Consumer<LiveNotification> listener;
        volatile UUID serverId;
        /**
         * Notifications reach the listener one after the other, in the order they came, from one
         * drain at a time on the listeners' executor: one submission per burst, not per
         * notification (on Payara each submission captures the application's context, which
         * showed in its profile).
         */
        private final ConcurrentLinkedQueue<LiveNotification> queued = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean draining = new AtomicBoolean();
        /** Notified when a notification is queued, for a drain that lingers. */
        private final Object more = new Object();

        Live(UUID handle, String table, String statement, Map<String, ?> vars, Consumer<LiveNotification> listener) {
            this.handle = handle;
            this.table = table != null ? table : statement;
            this.statement = statement;
            this.vars = vars;
            this.listener = listener;
        }

        String method() {
            return statement == null ? "live" : "query";
        }

        void deliver(LiveNotification notification) {
            queued.add(notification);
            if (draining.get()) {
                synchronized (more) {
                    more.notifyAll();
                }
            }
            drainSoon();
        }

        private void drainSoon() {
            if (!queued.isEmpty() && draining.compareAndSet(false, true)) {
                try {
                    listeners.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    draining.set(false);
                    LOG.log(Level.WARNING, "live query listener on " + table + " could not run: " + e);
                }
            }
        }

        /**
         * Delivers what is queued, then waits up to {@link #DRAIN_LINGER_MILLIS} for more before it
         * leaves: during a flood notifications come every few milliseconds, and a drain that left
         * at once cost a submission (a context capture on Payara) for nearly each one.
         */
        private void drain() {
            try {
                while (true) {
                    LiveNotification next;
                    while ((next = queued.poll()) != null) {
                        try {
                            listener.accept(next);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "live query listener on " + table + " failed", e);
                        }
                    }
                    synchronized (more) {
                        if (queued.isEmpty() && lives.containsKey(handle)) {
                            more.wait(DRAIN_LINGER_MILLIS);
                        }
                    }
                    if (queued.isEmpty()) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                draining.set(false);
            }
            drainSoon(); // one that came after the last poll
        }

        List<?> params() {
            return statement == null ? List.of(new Table(table)) : Arrays.asList(statement, vars);
        }

        void started(Object answer) {
            Object liveId = answer;
            if (statement != null) {
                liveId = StatementResults.of(answer).get(0);
            }
            if (!(liveId instanceof UUID uuid)) {
                throw new SurrealException(SurrealException.Kind.PROTOCOL, "live query on " + table + " answered " + liveId);
            }
            serverId = uuid;
            livesByServerId.put(uuid, this);
        }

        @Override
        public void close() {
            if (lives.remove(handle) == null) {
                return;
            }
            UUID id = serverId;
            if (id != null) {
                livesByServerId.remove(id);
                if (connection.isConnected()) {
                    connection.request("kill", List.of(id)).exceptionally(e -> null);
                }
            }
        }
    }
}
