package dev.kafru.surrealdb;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One WebSocket and the requests waiting for its answers: each request carries an id, and the
 * answer with that id completes the request's future, so many requests share the socket at
 * once. A session lives until its socket closes; {@link RpcSurrealConnection} then opens a new
 * one, which is why the reconnecting stays out of here.
 *
 * <p>The socket's callbacks run on the HTTP client's I/O thread: nothing here blocks.
 */
final class RpcSession implements WebSocket.Listener {

    /** The connection's logger, so that one logging setting still covers all of the client. */
    private static final Logger LOG = Logger.getLogger(RpcSurrealConnection.class.getName());

    /** Shared by all of a connection's sessions, so that ids never repeat across reconnects. */
    private final AtomicLong requestIds;
    /** Receives the result of each message without an id: a live query's notification. */
    private final Consumer<Object> notifications;
    /** Told when the socket closes or fails while this session is the connection's current one. */
    private final BiConsumer<RpcSession, String> onLost;

    private final Map<Long, CompletableFuture<Object>> pending = new ConcurrentHashMap<>();
    private final Object sendLock = new Object();
    private CompletableFuture<?> sendTail = CompletableFuture.completedFuture(null);
    private final ByteArrayOutputStream incoming = new ByteArrayOutputStream(1024);
    private volatile WebSocket socket;
    /** True while the connection uses this session; set and cleared under the connection's lock. */
    volatile boolean inUse;
    private volatile boolean ended;

    RpcSession(AtomicLong requestIds, Consumer<Object> notifications, BiConsumer<RpcSession, String> onLost) {
        this.requestIds = requestIds;
        this.notifications = notifications;
        this.onLost = onLost;
    }

    /** Opens the WebSocket; completes once it is open, before anything was sent on it. */
    CompletableFuture<WebSocket> open(HttpClient http, URI url) {
        return http.newWebSocketBuilder()
                .buildAsync(url, this)
                .thenApply(opened -> {
                    socket = opened;
                    return opened;
                });
    }

    /** True while the socket is open both ways. */
    boolean isOpen() {
        WebSocket open = socket;
        return open != null && !open.isOutputClosed() && !open.isInputClosed();
    }

    /** Closes the socket politely, telling the server; a failure to say goodbye is ignored. */
    void sayGoodbye() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }

    /** Drops the socket at once, if it was opened at all. */
    void abort() {
        WebSocket open = socket;
        if (open != null) {
            open.abort();
        }
    }

    /** Sends one RPC request; the future completes with its answer's result, or fails with its error. */
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

    /** Ends the session: every request still waiting fails with {@code error}, and later ones at once. */
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
        if (inUse) {
            onLost.accept(this, reason);
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
            notifications.accept(message.get("result"));
            return;
        }
        CompletableFuture<Object> waiting = pending.remove(id instanceof Number n ? n.longValue() : parseId(id));
        if (waiting == null) {
            return;
        }
        Object error = message.get("error");
        if (error != null) {
            Long code = error instanceof Map<?, ?> e && e.get("code") instanceof Number n ? n.longValue() : null;
            waiting.completeExceptionally(SurrealException.fromServer(StatementResults.errorMessage(error), code));
        } else {
            waiting.complete(message.get("result"));
        }
    }

    private static Long parseId(Object id) {
        try {
            return Long.parseLong(String.valueOf(id));
        } catch (NumberFormatException e) {
            return -1L;
        }
    }
}
