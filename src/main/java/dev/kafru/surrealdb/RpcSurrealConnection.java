package dev.kafru.surrealdb;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * SurrealDB's RPC protocol over one WebSocket, with CBOR frames ({@link SurrealCbor}).
 *
 * <ul>
 *   <li>Thread-safe: requests from any number of threads share the socket; each carries an id
 *       and its answer completes that request's future, so many are in flight at once.</li>
 *   <li>When the socket closes, requests in flight fail with {@link SurrealException.Kind#CONNECTION}
 *       (their outcome is unknown), and a new socket is opened with exponential backoff; it
 *       signs in, selects the namespace and database, and restarts live queries before any
 *       waiting request is sent.</li>
 *   <li>A refused signin is final: it is not retried, and every request fails with it.</li>
 * </ul>
 */
public final class RpcSurrealConnection implements SurrealConnection {

    private static final Logger LOG = Logger.getLogger(RpcSurrealConnection.class.getName());

    private final SurrealSettings settings;
    private final HttpClient http;
    /** Runs live-query listeners (which may block on queries of their own), never the socket's thread. */
    private final Executor listeners;
    private final boolean ownsListeners;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final AtomicLong requestIds = new AtomicLong();
    private final Map<UUID, Live> lives = new ConcurrentHashMap<>();
    private final Map<UUID, Live> livesByServerId = new ConcurrentHashMap<>();

    private final Object stateLock = new Object();
    private CompletableFuture<Session> ready = new CompletableFuture<>();
    private volatile Session current;
    private int failedAttempts;
    private volatile boolean closed;

    private RpcSurrealConnection(SurrealSettings settings, ScheduledExecutorService scheduler, Executor executor) {
        this.settings = settings;
        this.ownsScheduler = scheduler == null;
        this.scheduler = scheduler != null ? scheduler : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "kafru-surrealdb-reconnect");
            thread.setDaemon(true);
            return thread;
        });
        // the socket's callbacks run on the client's own I/O thread: an answer completes its request
        // there at once, without a hop through a pool (each hop costs a thread wake-up, and an idle
        // round trip took ~0.5 ms longer with one); nothing that blocks runs there — listeners go to
        // {@code listeners}, and callers wait on their own threads
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(Runnable::run);
        this.ownsListeners = executor == null;
        this.listeners = executor != null ? executor : Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "kafru-surrealdb-live");
            thread.setDaemon(true);
            return thread;
        });
        this.http = builder.build();
    }

    /**
     * Opens a connection and returns at once; it keeps trying in the background until the
     * server answers. Use {@link #awaitReady(Duration)} to wait for the first signin.
     *
     * @param scheduler times reconnects (in a container, its ManagedScheduledExecutorService);
     *                  null for a private daemon thread
     * @param executor  runs live-query listeners (in a container, its ManagedExecutorService);
     *                  null for a private daemon thread
     */
    public static RpcSurrealConnection connect(SurrealSettings settings, ScheduledExecutorService scheduler, Executor executor) {
        RpcSurrealConnection connection = new RpcSurrealConnection(settings, scheduler, executor);
        connection.attempt();
        return connection;
    }

    /** Opens a connection and waits until it is signed in. */
    public static RpcSurrealConnection open(SurrealSettings settings) {
        RpcSurrealConnection connection = connect(settings, null, null);
        try {
            connection.awaitReady(settings.requestTimeout());
            return connection;
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** Waits until the connection is signed in and using its database. */
    public void awaitReady(Duration timeout) {
        CompletableFuture<Session> waiting;
        synchronized (stateLock) {
            waiting = ready;
        }
        SurrealConnection.await(withTimeout(waiting, timeout, "connecting to " + settings.url()));
    }

    public SurrealSettings settings() {
        return settings;
    }

    @Override
    public boolean isConnected() {
        Session session = current;
        return session != null && !closed && !session.socket.isOutputClosed() && !session.socket.isInputClosed();
    }

    @Override
    public void ping() {
        SurrealConnection.await(request("ping", List.of()));
    }

    @Override
    public CompletableFuture<List<Object>> queryAsync(String surql, Map<String, ?> vars) {
        List<Object> params = new ArrayList<>(2);
        params.add(surql);
        params.add(vars == null ? Map.of() : vars);
        return request("query", params).thenApply(RpcSurrealConnection::statementResults);
    }

    @Override
    public LiveSubscription live(String table, Consumer<LiveNotification> listener) {
        return startLive(new Live(UUID.randomUUID(), table, null, null, listener));
    }

    @Override
    public LiveSubscription liveQuery(String liveSelect, Map<String, ?> vars, Consumer<LiveNotification> listener) {
        return startLive(new Live(UUID.randomUUID(), null, liveSelect, vars == null ? Map.of() : Map.copyOf(vars), listener));
    }

    private LiveSubscription startLive(Live live) {
        lives.put(live.handle, live);
        try {
            SurrealConnection.await(request(live.method(), live.params()).thenAccept(live::started));
        } catch (RuntimeException e) {
            lives.remove(live.handle);
            throw e;
        }
        return live;
    }

    @Override
    public void close() {
        Session session;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            session = current;
            current = null;
            ready.completeExceptionally(new SurrealException(SurrealException.Kind.CONNECTION, "connection closed"));
        }
        if (session != null) {
            session.failAll(new SurrealException(SurrealException.Kind.CONNECTION, "connection closed"));
            session.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
        }
        if (ownsScheduler) {
            scheduler.shutdownNow();
        }
        if (ownsListeners && listeners instanceof ExecutorService own) {
            own.shutdown();
        }
    }

    /**
     * Sends one RPC request once a session is ready; fails after the request timeout. A request
     * that timed out before a session was ready is never sent: its caller was told it failed, so
     * a write must not happen after all once the connection is back.
     */
    CompletableFuture<Object> request(String method, List<?> params) {
        CompletableFuture<Session> waiting;
        synchronized (stateLock) {
            waiting = ready;
        }
        CompletableFuture<Object> answer = new CompletableFuture<>();
        CompletableFuture<Object> timed = withTimeout(answer, settings.requestTimeout(), method);
        waiting.whenComplete((session, failed) -> {
            if (failed != null) {
                answer.completeExceptionally(failed);
            } else if (!answer.isDone()) {
                session.call(method, params).whenComplete((value, error) -> {
                    if (error != null) {
                        answer.completeExceptionally(error);
                    } else {
                        answer.complete(value);
                    }
                });
            }
        });
        return timed;
    }

    private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future, Duration timeout, String what) {
        return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(new SurrealException(SurrealException.Kind.TIMEOUT,
                        what + ": no answer from SurrealDB at " + settings.url() + " within " + timeout.toMillis() + " ms"));
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    private void attempt() {
        if (closed) {
            return;
        }
        Session session = new Session();
        http.newWebSocketBuilder()
                .buildAsync(settings.url(), session)
                .thenCompose(socket -> {
                    session.socket = socket;
                    return session.call("signin", List.of(Map.of("user", settings.username(), "pass", settings.password())));
                })
                .thenCompose(token -> session.call("use", List.of(settings.namespace(), settings.database())))
                .thenCompose(used -> restartLives(session))
                .whenComplete((ok, error) -> attemptFinished(session, error));
    }

    private void attemptFinished(Session session, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        synchronized (stateLock) {
            if (closed) {
                if (session.socket != null) {
                    session.socket.abort();
                }
                return;
            }
            if (cause == null) {
                failedAttempts = 0;
                current = session;
                session.live = true;
                if (ready.isDone()) {
                    ready = new CompletableFuture<>();
                }
                ready.complete(session);
                LOG.fine(() -> "connected to SurrealDB at " + settings.url());
                return;
            }
            if (session.socket != null) {
                session.socket.abort();
            }
            if (cause instanceof SurrealException surreal && surreal.kind() == SurrealException.Kind.AUTH) {
                LOG.severe("SurrealDB at " + settings.url() + " refused signin as '" + settings.username()
                        + "': " + surreal.getMessage() + " — check kafru.db.username / kafru.db.password");
                ready.completeExceptionally(new SurrealException(SurrealException.Kind.AUTH,
                        "SurrealDB refused signin as '" + settings.username() + "': " + surreal.getMessage()
                                + " (check kafru.db.username and kafru.db.password)", surreal.code(), surreal));
                return;
            }
            long delay = backoffMillis(failedAttempts++);
            if (failedAttempts == 1 || failedAttempts % 20 == 0) {
                LOG.log(Level.WARNING, "cannot reach SurrealDB at " + settings.url() + " (" + cause
                        + "); retrying in " + delay + " ms");
            }
            scheduler.schedule(this::attempt, delay, TimeUnit.MILLISECONDS);
        }
    }

    private long backoffMillis(int failures) {
        long min = settings.reconnectMin().toMillis();
        long max = settings.reconnectMax().toMillis();
        long delay = Math.min(max, min << Math.min(failures, 20));
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    }

    private void connectionLost(Session session, String reason) {
        synchronized (stateLock) {
            if (session != current || closed) {
                session.failAll(new SurrealException(SurrealException.Kind.CONNECTION, "SurrealDB connection closed: " + reason));
                return;
            }
            current = null;
            session.live = false;
            if (ready.isDone()) {
                ready = new CompletableFuture<>();
            }
            LOG.warning("lost SurrealDB connection to " + settings.url() + " (" + reason + "); reconnecting");
            scheduler.schedule(this::attempt, backoffMillis(failedAttempts++), TimeUnit.MILLISECONDS);
        }
        session.failAll(new SurrealException(SurrealException.Kind.CONNECTION,
                "SurrealDB connection lost (" + reason + "); the request may or may not have run"));
    }

    private CompletableFuture<Void> restartLives(Session session) {
        livesByServerId.clear();
        CompletableFuture<Void> all = CompletableFuture.completedFuture(null);
        for (Live live : lives.values()) {
            all = all.thenCompose(v -> session.call(live.method(), live.params()).thenAccept(live::started));
        }
        return all;
    }

    private void notify(Object payload) {
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

    @SuppressWarnings("unchecked")
    private static List<Object> statementResults(Object result) {
        if (!(result instanceof List<?> statements)) {
            throw new SurrealException(SurrealException.Kind.PROTOCOL, "query answered with " + result + ", expected a list of statement results");
        }
        List<Object> values = new ArrayList<>(statements.size());
        SurrealException failure = null;
        for (int i = 0; i < statements.size(); i++) {
            Map<String, Object> statement = (Map<String, Object>) statements.get(i);
            if ("OK".equals(statement.get("status"))) {
                values.add(statement.get("result"));
                continue;
            }
            String message = errorMessage(statement.get("result"));
            if (message == null) {
                message = errorMessage(statement);
            }
            SurrealException error = SurrealException.fromServer("statement " + (i + 1) + ": " + message, null);
            if (failure == null || (error.isConflict() && !failure.isConflict())
                    || (failure.getMessage().contains("not executed") && !message.contains("not executed"))) {
                failure = error;
            }
            values.add(null);
        }
        if (failure != null) {
            throw failure;
        }
        return values;
    }

    private static String errorMessage(Object error) {
        if (error instanceof String text) {
            return text;
        }
        if (error instanceof Map<?, ?> map) {
            Object message = map.get("message");
            if (message == null) {
                message = map.get("result");
            }
            return message == null ? String.valueOf(map) : String.valueOf(message);
        }
        return error == null ? null : String.valueOf(error);
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

        private void drain() {
            try {
                LiveNotification next;
                while ((next = queued.poll()) != null) {
                    try {
                        listener.accept(next);
                    } catch (RuntimeException e) {
                        LOG.log(Level.WARNING, "live query listener on " + table + " failed", e);
                    }
                }
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
                liveId = statementResults(answer).get(0);
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
                if (isConnected()) {
                    request("kill", List.of(id)).exceptionally(e -> null);
                }
            }
        }
    }

    /** One WebSocket and the requests waiting for its answers. */
    private final class Session implements WebSocket.Listener {
        final Map<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
        final Object sendLock = new Object();
        CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
        final ByteArrayOutputStream incoming = new ByteArrayOutputStream(1024);
        volatile WebSocket socket;
        volatile boolean live;
        volatile boolean ended;

        CompletableFuture<Object> call(String method, List<?> params) {
            CompletableFuture<Object> answer = new CompletableFuture<>();
            if (ended) {
                answer.completeExceptionally(new SurrealException(SurrealException.Kind.CONNECTION, "SurrealDB connection closed"));
                return answer;
            }
            long id = requestIds.incrementAndGet();
            Map<String, Object> message = new LinkedHashMap<>(4);
            message.put("id", id);
            message.put("method", method);
            message.put("params", params);
            byte[] frame;
            try {
                frame = SurrealCbor.encode(message);
            } catch (IllegalArgumentException e) {
                answer.completeExceptionally(e);
                return answer;
            }
            pending.put(id, answer);
            synchronized (sendLock) {
                // java.net.http.WebSocket allows one outstanding send: queue behind the last one
                sendTail = sendTail.handle((r, e) -> null)
                        .thenCompose(x -> socket.sendBinary(ByteBuffer.wrap(frame), true))
                        .whenComplete((r, e) -> {
                            if (e != null && pending.remove(id) != null) {
                                answer.completeExceptionally(new SurrealException(SurrealException.Kind.CONNECTION,
                                        "could not send to SurrealDB: " + e.getMessage(), null, e));
                            }
                        });
            }
            if (ended && pending.remove(id) != null) {
                answer.completeExceptionally(new SurrealException(SurrealException.Kind.CONNECTION, "SurrealDB connection closed"));
            }
            return answer;
        }

        void failAll(SurrealException error) {
            ended = true;
            for (Long id : List.copyOf(pending.keySet())) {
                CompletableFuture<Object> waiting = pending.remove(id);
                if (waiting != null) {
                    waiting.completeExceptionally(error);
                }
            }
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            incoming.write(chunk, 0, chunk.length);
            if (last) {
                byte[] message = incoming.toByteArray();
                incoming.reset();
                try {
                    dispatch(SurrealCbor.decode(message));
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "unreadable message from SurrealDB", e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost("closed by server: " + statusCode + (reason == null || reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(String.valueOf(error));
        }

        private void lost(String reason) {
            if (live) {
                connectionLost(this, reason);
            } else {
                failAll(new SurrealException(SurrealException.Kind.CONNECTION, "SurrealDB connection closed: " + reason));
            }
        }

        private void dispatch(Object decoded) {
            if (!(decoded instanceof Map<?, ?> message)) {
                return;
            }
            Object id = message.get("id");
            if (id == null) {
                RpcSurrealConnection.this.notify(message.get("result"));
                return;
            }
            CompletableFuture<Object> waiting = pending.remove(id instanceof Number n ? n.longValue() : parseId(id));
            if (waiting == null) {
                return;
            }
            Object error = message.get("error");
            if (error != null) {
                Long code = error instanceof Map<?, ?> e && e.get("code") instanceof Number n ? n.longValue() : null;
                waiting.completeExceptionally(SurrealException.fromServer(errorMessage(error), code));
            } else {
                waiting.complete(message.get("result"));
            }
        }

        private Long parseId(Object id) {
            try {
                return Long.parseLong(String.valueOf(id));
            } catch (NumberFormatException e) {
                return -1L;
            }
        }
    }
}
