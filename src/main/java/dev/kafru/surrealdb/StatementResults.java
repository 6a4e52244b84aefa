package dev.kafru.surrealdb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the answer to a {@code query} request: one result per statement, or the failure that
 * tells the caller most. Both a plain query and a {@code LIVE SELECT} read their answers here.
 */
final class StatementResults {

    private StatementResults() {
    }

    /**
     * The result of each statement, in order; when any failed, throws the most telling failure:
     * a write conflict before other errors (so that the caller retries), and a statement's own
     * error before the "not executed" of the statements that were skipped because of it.
     */
    @SuppressWarnings("unchecked")
    static List<Object> of(Object answer) {
        if (!(answer instanceof List<?> statements)) {
            throw new SurrealException(SurrealException.Kind.PROTOCOL, "query answered with " + answer + ", expected a list of statement results");
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

    /** SurrealDB's text for an error, which it sends as a string or as a map with a message. */
    static String errorMessage(Object error) {
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
}
