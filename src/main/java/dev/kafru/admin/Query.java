package dev.kafru.admin;

import dev.kafru.TaskRequest;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.UriInfo;

import java.util.List;
import java.util.Set;

/**
 * Query parameters, read strictly: unknown or repeated parameters, numbers out of range and
 * values that are not names are refused with a 400 naming the parameter — a filter that cannot
 * match anything valid is a mistake worth telling, not an empty list.
 */
final class Query {

    private final MultivaluedMap<String, String> params;

    private Query(MultivaluedMap<String, String> params) {
        this.params = params;
    }

    static Query of(UriInfo uri, String... allowed) {
        MultivaluedMap<String, String> params = uri.getQueryParameters();
        Set<String> names = Set.of(allowed);
        for (String key : params.keySet()) {
            if (!names.contains(key)) {
                throw ProblemException.invalid(key, "unknown query parameter '" + JsonText.abbreviate(key) + "'"
                        + (allowed.length == 0 ? ": this endpoint takes none" : ": use " + String.join(", ", List.of(allowed))));
            }
            if (params.get(key).size() > 1) {
                throw ProblemException.invalid(key, "query parameter '" + key + "' is given more than once");
            }
        }
        return new Query(params);
    }

    String text(String name) {
        String value = params.getFirst(name);
        return value == null || value.isEmpty() ? null : value;
    }

    /** A queue or handler name, or null when absent. */
    String name(String name) {
        String value = text(name);
        return value == null ? null : checkName(name, value);
    }

    /** A queue or handler name as kafru accepts them ({@link TaskRequest#NAME_PATTERN}). */
    static String checkName(String field, String value) {
        if (!TaskRequest.NAME_PATTERN.matcher(value).matches()) {
            throw ProblemException.invalid(field, field + " '" + JsonText.abbreviate(value)
                    + "' is not a name: use letters, digits, - _ . : (1 to 100 characters)");
        }
        return value;
    }

    int integer(String name, int min, int max, int otherwise) {
        String value = text(name);
        if (value == null) {
            return otherwise;
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw ProblemException.invalid(name, name + " '" + JsonText.abbreviate(value) + "' is not a whole number: use "
                    + min + " to " + max);
        }
        if (n < min || n > max) {
            throw ProblemException.invalid(name, name + " " + n + " is out of range: use " + min + " to " + max);
        }
        return (int) n;
    }

    Boolean bool(String name) {
        String value = text(name);
        if (value == null) {
            return null;
        }
        return switch (value) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.invalid(name, name + " must be true or false, not '" + JsonText.abbreviate(value) + "'");
        };
    }

    <E extends Enum<E>> E enumeration(String name, Class<E> type) {
        String value = text(name);
        return value == null ? null : Enums.parse(name, type, value);
    }
}
