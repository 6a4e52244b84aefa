package dev.kafru.admin;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParsingException;
import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * JSON in and out of the admin API. Answers are written with JSON-B (ISO-8601 UTC times, nulls
 * kept so that every field is always present). Request bodies are read strictly, event by
 * event with JSON-P: size-limited, UTF-8 only, one object, no duplicate keys, no trailing
 * content, bounded nesting — each refusal a 400 (413 for size) that says what was wrong.
 */
final class JsonText {

    /** Largest request body read. */
    static final int MAX_BODY = 1 << 20;
    /** Deepest nesting of arrays and objects accepted in a body. */
    static final int MAX_DEPTH = 32;
    /** How much of a too large body is read and dropped before answering 413. */
    static final long MAX_DRAIN = 64L << 20;

    /** Created on first use: reading bodies needs only JSON-P. */
    private static final class Writer {
        static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig().withNullValues(true).withSerializers(new ProgressJson()));
    }

    private JsonText() {
    }

    static String write(Object value) {
        return Writer.JSONB.toJson(value);
    }

    /** Reads a request body that must be one JSON object; keys keep their order. */
    static Map<String, Object> readObject(InputStream body) {
        String text = utf8(readLimited(body));
        if (text.isBlank()) {
            throw ProblemException.invalid("body", "the request body is empty: send a JSON object");
        }
        try (JsonParser parser = Json.createParser(new StringReader(text))) {
            JsonParser.Event first = parser.next();
            if (first != JsonParser.Event.START_OBJECT) {
                throw ProblemException.invalid("body", "the request body must be a JSON object ({...}), not " + describe(first));
            }
            Map<String, Object> object = readMap(parser, "", 1);
            if (parser.hasNext()) {
                JsonLocation at = parser.getLocation();
                throw ProblemException.invalid("body", "malformed JSON: content after the object ends, at line "
                        + at.getLineNumber() + ", column " + at.getColumnNumber());
            }
            return object;
        } catch (JsonParsingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNumber() + ", column " + at.getColumnNumber();
            throw ProblemException.invalid("body", "malformed JSON" + where + ": " + e.getMessage());
        } catch (JsonException | IllegalStateException | NoSuchElementException e) {
            throw ProblemException.invalid("body", "malformed JSON: " + e.getMessage());
        }
    }

    private static Map<String, Object> readMap(JsonParser parser, String path, int depth) {
        Map<String, Object> map = new LinkedHashMap<>();
        while (true) {
            JsonParser.Event event = parser.next();
            if (event == JsonParser.Event.END_OBJECT) {
                return map;
            }
            String key = parser.getString();
            String at = path.isEmpty() ? key : path + "." + key;
            if (map.containsKey(key)) {
                throw ProblemException.invalid(at, "'" + at + "' is given twice; give each field once");
            }
            map.put(key, readValue(parser, parser.next(), at, depth));
        }
    }

    private static Object readValue(JsonParser parser, JsonParser.Event event, String path, int depth) {
        switch (event) {
            case START_OBJECT, START_ARRAY -> {
                if (depth >= MAX_DEPTH) {
                    throw ProblemException.invalid(path, "'" + path + "' nests deeper than " + MAX_DEPTH + " levels");
                }
                if (event == JsonParser.Event.START_OBJECT) {
                    return readMap(parser, path, depth + 1);
                }
                List<Object> list = new ArrayList<>();
                for (JsonParser.Event e = parser.next(); e != JsonParser.Event.END_ARRAY; e = parser.next()) {
                    list.add(readValue(parser, e, path + "[" + list.size() + "]", depth + 1));
                }
                return list;
            }
            case VALUE_STRING -> {
                return parser.getString();
            }
            case VALUE_NUMBER -> {
                return number(parser.getBigDecimal(), path);
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw ProblemException.invalid(path, "malformed JSON near '" + path + "'");
        }
    }

    /** Whole numbers that fit become Long, others Double; anything beyond double is refused. */
    private static Object number(BigDecimal value, String path) {
        try {
            if (value.stripTrailingZeros().scale() <= 0) {
                return (Object) value.longValueExact();
            }
            return finite(value, path);
        } catch (ArithmeticException e) {
            return finite(value, path);
        }
    }

    private static Double finite(BigDecimal value, String path) {
        double d = value.doubleValue();
        if (Double.isInfinite(d) || (d == 0.0 && value.signum() != 0)) {
            throw ProblemException.invalid(path, "'" + path + "' is a number out of range: " + abbreviate(value.toString()));
        }
        return d;
    }

    private static byte[] readLimited(InputStream body) {
        if (body == null) {
            return new byte[0];
        }
        try {
            byte[] bytes = body.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                drain(body);
                throw ProblemException.of(413, "too-large", "Body too large",
                        "the request body is larger than " + MAX_BODY + " bytes; send less (batch tasks in several requests)");
            }
            return bytes;
        } catch (IOException e) {
            throw ProblemException.invalid("body", "the request body could not be read: " + e.getMessage());
        }
    }

    /**
     * Reads and drops what is left of a request body (up to {@link #MAX_DRAIN}), so that a client
     * still sending a large body receives the answer instead of a stalled or reset connection.
     */
    static void drain(InputStream body) {
        try {
            long drained = 0;
            for (long n; drained < MAX_DRAIN && (n = body.skip(64 * 1024)) > 0; ) {
                drained += n;
            }
        } catch (IOException e) {
            // the client went away; nothing to answer
        }
    }

    /** {@link #drain(InputStream)} for a request whose body no one has read yet (or has read in part). */
    static void drainRequest(HttpServletRequest request) {
        try {
            drain(request.getInputStream());
        } catch (IOException | IllegalStateException e) {
            // no body to read, or it was taken as a reader
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ProblemException.invalid("body", "the request body is not UTF-8 text; send JSON in UTF-8");
        }
    }

    private static String describe(JsonParser.Event event) {
        return switch (event) {
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> String.valueOf(event);
        };
    }

    static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
