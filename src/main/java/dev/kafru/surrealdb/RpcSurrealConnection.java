package dev.kafru.surrealdb;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *
 * <p>This class owns the connection's life: connecting, signing in, reconnecting with backoff
 * and closing. Each socket is an {@link RpcSession}, which matches answers to requests; the
 * live queries that outlive a socket are kept by {@link LiveQueries}.
 */
public final class RpcSurrealConnection implements SurrealConnection {

    private static final Logger LOG = Logger.getLogger(RpcSurrealConnection.class.getName());

    private final SurrealSettings settings;
    private final HttpClient http;
    /** Runs live-query listeners; kept here to shut it down when the connection made it. */
    private final Executor listeners;
    private final boolean ownsListeners;
    private final ScheduledExecutorService scheduler;
    private final boolean ownsScheduler;
    private final AtomicLong requestIds = new AtomicLong();
    private final LiveQueries liveQueries;

    private final Object stateLock = new Object();
    private CompletableFuture<RpcSession> ready = new CompletableFuture<>();
    private volatile RpcSession current;
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
        this.liveQueries = new LiveQueries(this, listeners);
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
        CompletableFuture<RpcSession> waiting;
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
        RpcSession session = current;
        return session != null && !closed && session.isOpen();
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
        return request("query", params).thenApply(StatementResults::of);
    }

    @Override
    public LiveSubscription live(String table, Consumer<LiveNotification> listener) {
        return liveQueries.onTable(table, listener);
    }

    @Override
    public LiveSubscription liveQuery(String liveSelect, Map<String, ?> vars, Consumer<LiveNotification> listener) {
        return liveQueries.ofStatement(liveSelect, vars, listener);
    }

    @Override
    public void close() {
        RpcSession session;
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
            session.sayGoodbye();
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
        CompletableFuture<RpcSession> waiting;
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
        RpcSession session = new RpcSession(requestIds, liveQueries::dispatch, this::connectionLost);
        session.open(http, settings.url())
                .thenCompose(socket -> session.call("signin", List.of(Map.of("user", settings.username(), "pass", settings.password()))))
                .thenCompose(token -> session.call("use", List.of(settings.namespace(), settings.database())))
                .thenCompose(used -> liveQueries.restartAll(session))
                .whenComplete((ok, error) -> attemptFinished(session, error));
    }

    private void attemptFinished(RpcSession session, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        synchronized (stateLock) {
            if (closed) {
                session.abort();
                return;
            }
            if (cause == null) {
                failedAttempts = 0;
                current = session;
                session.inUse = true;
                if (ready.isDone()) {
                    ready = new CompletableFuture<>();
                }
                ready.complete(session);
                LOG.fine(() -> "connected to SurrealDB at " + settings.url());
                return;
            }
            session.abort();
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

    private void connectionLost(RpcSession session, String reason) {
        synchronized (stateLock) {
            if (session != current || closed) {
                session.failAll(new SurrealException(SurrealException.Kind.CONNECTION, "SurrealDB connection closed: " + reason));
                return;
            }
            current = null;
            session.inUse = false;
            if (ready.isDone()) {
                ready = new CompletableFuture<>();
            }
            LOG.warning("lost SurrealDB connection to " + settings.url() + " (" + reason + "); reconnecting");
            scheduler.schedule(this::attempt, backoffMillis(failedAttempts++), TimeUnit.MILLISECONDS);
        }
        session.failAll(new SurrealException(SurrealException.Kind.CONNECTION,
                "SurrealDB connection lost (" + reason + "); the request may or may not have run"));
    }
}
