package dev.kafru.surrealdb;

import java.util.Locale;

/**
 * A failure reported by SurrealDB or by the connection to it. The message is SurrealDB's own
 * where it gave one. {@link #isConflict()} tells a write conflict, which the caller may retry.
 */
public class SurrealException extends RuntimeException {

    /** What kind of failure this is, so that callers can decide to retry. */
    public enum Kind {
        /** A statement failed: bad syntax, a failed assertion, a missing table… */
        STATEMENT,
        /** Two transactions wrote the same record; run the transaction again. */
        CONFLICT,
        /** Signin refused, or a request was made without signing in. */
        AUTH,
        /** The WebSocket closed or could not be opened; the request may or may not have run. */
        CONNECTION,
        /** No answer within the request timeout; the request may or may not have run. */
        TIMEOUT,
        /** An answer kafru could not read. */
        PROTOCOL
    }

    private final Kind kind;
    private final Long code;

    public SurrealException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public SurrealException(Kind kind, String message, Long code, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.code = code;
    }

    /** Classifies an error message SurrealDB sent: conflicts and auth failures are told apart. */
    static SurrealException fromServer(String message, Long code) {
        return new SurrealException(classify(message), message, code, null);
    }

    static Kind classify(String message) {
        String text = message == null ? "" : message.toLowerCase(Locale.ROOT);
        if (text.contains("can be retried") || text.contains("transaction conflict")
                || text.contains("write conflict") || text.contains("resource busy")
                || text.contains("transaction read conflict")) {
            return Kind.CONFLICT;
        }
        if (text.contains("authentication") || text.contains("signin") || text.contains("not allowed")
                || text.contains("no record was returned") || text.contains("problem with authentication")
                || text.contains("invalid credentials") || text.contains("not authenticated")) {
            return Kind.AUTH;
        }
        return Kind.STATEMENT;
    }

    public Kind kind() {
        return kind;
    }

    /** SurrealDB's RPC error code, when it gave one. */
    public Long code() {
        return code;
    }

    /** True for a write conflict: the same transaction can be run again. */
    public boolean isConflict() {
        return kind == Kind.CONFLICT;
    }

    /** True when the connection failed or timed out, so the request's outcome is unknown. */
    public boolean isTransient() {
        return kind == Kind.CONNECTION || kind == Kind.TIMEOUT;
    }
}
