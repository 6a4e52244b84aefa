package dev.kafru.admin;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed reads of a request body's fields. Every problem found is collected, so that one 400
 * names all the fields at fault; {@link #done()} throws it. A field given as null counts as
 * left out. Unknown fields are refused (a typo must not silently do nothing).
 */
final class Fields {

    private final Map<String, Object> body;
    private final List<Problem.InvalidField> errors;
    /** What this body's fields are named under in errors: "" at the top, {@code then[0].} inside. */
    private final String prefix;

    private Fields(Map<String, Object> body) {
        this(body, new ArrayList<>(), "");
    }

    private Fields(Map<String, Object> body, List<Problem.InvalidField> errors, String prefix) {
        this.body = body;
        this.errors = errors;
        this.prefix = prefix;
    }

    static Fields of(Map<String, Object> body, Set<String> allowed) {
        return check(new Fields(body), allowed);
    }

    /**
     * The objects of the array field {@code name} (null when left out), each read as a body of its
     * own whose errors are named {@code name[i].field} and collected with this one's.
     */
    List<Fields> objects(String name, Set<String> allowed, int max) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            return wrongType(name, "an array of objects", value);
        }
        if (list.size() > max) {
            return error(name, name + " may hold at most " + max + " entries, not " + list.size());
        }
        List<Fields> all = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Fields inner = object(name + "[" + i + "]", list.get(i), allowed);
            if (inner != null) {
                all.add(inner);
            }
        }
        return all;
    }

    /** The object field {@code name} read as a body of its own (see {@link #objects}); null when left out. */
    Fields nested(String name, Set<String> allowed) {
        Object value = body.get(name);
        return value == null ? null : object(name, value, allowed);
    }

    @SuppressWarnings("unchecked")
    private Fields object(String name, Object value, Set<String> allowed) {
        if (!(value instanceof Map<?, ?> map)) {
            return wrongType(name, "an object", value);
        }
        return check(new Fields((Map<String, Object>) map, errors, prefix + name + "."), allowed);
    }

    private static Fields check(Fields fields, Set<String> allowed) {
        Map<String, Object> body = fields.body;
        for (String key : body.keySet()) {
            if (!allowed.contains(key)) {
                fields.error(key, "unknown field '" + JsonText.abbreviate(key) + "': the fields are " + String.join(", ", allowed));
            }
        }
        return fields;
    }

    String string(String name, int maxLength) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            return wrongType(name, "a string", value);
        }
        if (s.length() > maxLength) {
            return error(name, name + " is longer than " + maxLength + " characters");
        }
        return s;
    }

    Integer integer(String name, long min, long max) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Long n)) {
            return wrongType(name, "a whole number from " + min + " to " + max, value);
        }
        if (n < min || n > max) {
            return error(name, name + " " + n + " is out of range: use " + min + " to " + max);
        }
        return n.intValue();
    }

    Boolean bool(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Boolean b)) {
            return wrongType(name, "true or false", value);
        }
        return b;
    }

    /** An ISO-8601 time with a zone or offset, such as 2026-12-01T08:00:00Z. */
    Instant instant(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            return wrongType(name, "an ISO-8601 time such as 2026-12-01T08:00:00Z", value);
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return error(name, name + " '" + JsonText.abbreviate(s) + "' is not an ISO-8601 time with an offset,"
                    + " such as 2026-12-01T08:00:00Z");
        }
    }

    /** A positive ISO-8601 duration such as PT30S, at most {@code max}. */
    java.time.Duration duration(String name, java.time.Duration max) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            return wrongType(name, "an ISO-8601 duration such as PT30S", value);
        }
        java.time.Duration d;
        try {
            d = java.time.Duration.parse(s);
        } catch (DateTimeParseException e) {
            return error(name, name + " '" + JsonText.abbreviate(s) + "' is not an ISO-8601 duration, such as PT30S or PT5M");
        }
        if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
            return error(name, name + " " + d + " is out of range: give a positive duration up to " + max + ", such as PT30S");
        }
        return d;
    }

    /** A JSON object, as a map of JSON values. */
    @SuppressWarnings("unchecked")
    Map<String, Object> object(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            return wrongType(name, "a JSON object", value);
        }
        return new LinkedHashMap<>((Map<String, Object>) map);
    }

    /** An array of strings, or null when absent. */
    List<String> strings(String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list) || !list.stream().allMatch(o -> o instanceof String)) {
            return wrongType(name, "an array of strings", value);
        }
        return list.stream().map(String.class::cast).toList();
    }

    boolean has(String name) {
        return body.get(name) != null;
    }

    Object raw(String name) {
        return body.get(name);
    }

    <T> T error(String name, String reason) {
        errors.add(new Problem.InvalidField(prefix + name, prefix.isEmpty() ? reason : prefix + name + ": " + reason));
        return null;
    }

    private <T> T wrongType(String name, String expected, Object value) {
        return error(name, name + " must be " + expected + ", not " + kind(value));
    }

    static String kind(Object value) {
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof Number) {
            return "the number " + value;
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        return String.valueOf(value);
    }

    /** Throws the collected problems, if any. */
    void done() {
        if (!errors.isEmpty()) {
            throw ProblemException.invalid(errors);
        }
    }
}
