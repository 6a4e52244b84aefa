package dev.kafru.surrealdb;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.dataformat.cbor.CBORGenerator;
import com.fasterxml.jackson.dataformat.cbor.CBORParser;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Java values to and from CBOR with SurrealDB's tags, as its RPC protocol carries them.
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>Java</th><th>SurrealDB</th><th>CBOR</th></tr>
 *   <tr><td>null</td><td>NULL</td><td>null</td></tr>
 *   <tr><td>{@link None#NONE}</td><td>NONE</td><td>tag 6</td></tr>
 *   <tr><td>{@link Table}</td><td>table</td><td>tag 7 text</td></tr>
 *   <tr><td>{@link RecordId}</td><td>record id</td><td>tag 8 [table, key]</td></tr>
 *   <tr><td>{@link BigDecimal}</td><td>decimal</td><td>tag 10 text</td></tr>
 *   <tr><td>{@link Instant} (and OffsetDateTime, ZonedDateTime, Date)</td><td>datetime</td><td>tag 12 [secs, nanos]</td></tr>
 *   <tr><td>{@link Duration}</td><td>duration</td><td>tag 14 [secs, nanos]</td></tr>
 *   <tr><td>{@link UUID}</td><td>uuid</td><td>tag 37 bytes</td></tr>
 *   <tr><td>{@link Set}</td><td>set</td><td>tag 56 array</td></tr>
 * </table>
 * Strings, booleans, integers (as {@code Long}), floats (as {@code Double}), {@code byte[]},
 * lists and maps map to their plain CBOR kinds. Enums are written by name.
 */
public final class SurrealCbor {

    static final int TAG_DATETIME_TEXT = 0;
    static final int TAG_NONE = 6;
    static final int TAG_TABLE = 7;
    static final int TAG_RECORD_ID = 8;
    static final int TAG_DECIMAL_TEXT = 10;
    static final int TAG_DATETIME = 12;
    static final int TAG_DURATION_TEXT = 13;
    static final int TAG_DURATION = 14;
    static final int TAG_UUID_TEXT = 9;
    static final int TAG_UUID = 37;
    static final int TAG_SET = 56;

    private static final CBORFactory FACTORY = CBORFactory.builder().build();

    private SurrealCbor() {
    }

    public static byte[] encode(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (CBORGenerator gen = (CBORGenerator) FACTORY.createGenerator(out)) {
            write(gen, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static Object decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    public static Object decode(byte[] bytes, int offset, int length) {
        try (CBORParser parser = (CBORParser) FACTORY.createParser(bytes, offset, length)) {
            JsonToken token = parser.nextToken();
            if (token == null) {
                throw new IllegalArgumentException("empty CBOR message");
            }
            return read(parser, token);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed CBOR message: " + e.getMessage(), e);
        }
    }

    private static void write(CBORGenerator gen, Object value) throws IOException {
        if (value == null) {
            gen.writeNull();
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            gen.writeNumber(((Number) value).longValue());
        } else if (value instanceof Double || value instanceof Float) {
            gen.writeNumber(((Number) value).doubleValue());
        } else if (value instanceof BigInteger big) {
            gen.writeNumber(big);
        } else if (value instanceof BigDecimal decimal) {
            gen.writeTag(TAG_DECIMAL_TEXT);
            gen.writeString(decimal.toPlainString());
        } else if (value instanceof None) {
            gen.writeTag(TAG_NONE);
            gen.writeNull();
        } else if (value instanceof Table table) {
            gen.writeTag(TAG_TABLE);
            gen.writeString(table.name());
        } else if (value instanceof RecordId id) {
            gen.writeTag(TAG_RECORD_ID);
            gen.writeStartArray(null, 2);
            gen.writeString(id.table());
            write(gen, id.key());
            gen.writeEndArray();
        } else if (value instanceof Instant instant) {
            writeSecondsNanos(gen, TAG_DATETIME, instant.getEpochSecond(), instant.getNano());
        } else if (value instanceof OffsetDateTime odt) {
            write(gen, odt.toInstant());
        } else if (value instanceof ZonedDateTime zdt) {
            write(gen, zdt.toInstant());
        } else if (value instanceof Date date) {
            write(gen, date.toInstant());
        } else if (value instanceof Duration duration) {
            if (duration.isNegative()) {
                throw new IllegalArgumentException("SurrealDB durations cannot be negative: " + duration);
            }
            writeSecondsNanos(gen, TAG_DURATION, duration.getSeconds(), duration.getNano());
        } else if (value instanceof UUID uuid) {
            gen.writeTag(TAG_UUID);
            ByteBuffer buffer = ByteBuffer.allocate(16);
            buffer.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            gen.writeBinary(buffer.array());
        } else if (value instanceof byte[] bytes) {
            gen.writeBinary(bytes);
        } else if (value instanceof Set<?> set) {
            gen.writeTag(TAG_SET);
            writeArray(gen, set);
        } else if (value instanceof Collection<?> collection) {
            writeArray(gen, collection);
        } else if (value instanceof Object[] array) {
            writeArray(gen, List.of(array));
        } else if (value instanceof Map<?, ?> map) {
            gen.writeStartObject(map, map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (entry.getKey() == null) {
                    throw new IllegalArgumentException("map keys sent to SurrealDB must not be null");
                }
                gen.writeFieldName(String.valueOf(entry.getKey()));
                write(gen, entry.getValue());
            }
            gen.writeEndObject();
        } else if (value instanceof Enum<?> e) {
            gen.writeString(e.name());
        } else if (value instanceof Tagged tagged) {
            gen.writeTag((int) tagged.tag());
            write(gen, tagged.value());
        } else {
            throw new IllegalArgumentException("cannot send a " + value.getClass().getName()
                    + " to SurrealDB; use a String, number, boolean, Instant, Duration, UUID, BigDecimal, RecordId, List or Map");
        }
    }

    private static void writeArray(CBORGenerator gen, Collection<?> items) throws IOException {
        gen.writeStartArray(items, items.size());
        for (Object item : items) {
            write(gen, item);
        }
        gen.writeEndArray();
    }

    private static void writeSecondsNanos(CBORGenerator gen, int tag, long seconds, int nanos) throws IOException {
        gen.writeTag(tag);
        gen.writeStartArray(null, 2);
        gen.writeNumber(seconds);
        gen.writeNumber(nanos);
        gen.writeEndArray();
    }

    private static Object read(CBORParser parser, JsonToken token) throws IOException {
        int tag = parser.getCurrentTag();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_OBJECT) {
                    if (next != JsonToken.FIELD_NAME) {
                        throw new IOException("expected a map key, found " + next);
                    }
                    String key = parser.currentName();
                    map.put(key, read(parser, parser.nextToken()));
                }
                return tag < 0 ? map : tagged(tag, map);
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                JsonToken next;
                while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
                    list.add(read(parser, next));
                }
                return tag < 0 ? list : tagged(tag, list);
            }
            case VALUE_STRING -> {
                String text = parser.getText();
                return tag < 0 ? text : tagged(tag, text);
            }
            case VALUE_NUMBER_INT -> {
                Object number = switch (parser.getNumberType()) {
                    case INT, LONG -> parser.getLongValue();
                    default -> parser.getBigIntegerValue();
                };
                return tag < 0 ? number : tagged(tag, number);
            }
            case VALUE_NUMBER_FLOAT -> {
                double number = parser.getDoubleValue();
                return tag < 0 ? number : tagged(tag, number);
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return tag == TAG_NONE ? None.NONE : (tag < 0 ? null : tagged(tag, null));
            }
            case VALUE_EMBEDDED_OBJECT -> {
                Object embedded = parser.getEmbeddedObject();
                return tag < 0 ? embedded : tagged(tag, embedded);
            }
            default -> throw new IOException("unexpected CBOR token " + token);
        }
    }

    private static Object tagged(int tag, Object value) {
        switch (tag) {
            case TAG_NONE:
                return None.NONE;
            case TAG_TABLE:
                return new Table(String.valueOf(value));
            case TAG_RECORD_ID:
                if (value instanceof List<?> parts && parts.size() == 2) {
                    return new RecordId(String.valueOf(parts.get(0)), parts.get(1));
                }
                if (value instanceof String text && text.indexOf(':') > 0) {
                    int colon = text.indexOf(':');
                    return RecordId.parse(text.substring(0, colon), text);
                }
                break;
            case TAG_DECIMAL_TEXT:
                if (value instanceof String text) {
                    return new BigDecimal(text);
                }
                break;
            case TAG_DATETIME:
                if (value instanceof List<?> parts) {
                    return Instant.ofEpochSecond(longAt(parts, 0), longAt(parts, 1));
                }
                break;
            case TAG_DATETIME_TEXT:
                if (value instanceof String text) {
                    return Instant.parse(text);
                }
                break;
            case TAG_DURATION:
                if (value instanceof List<?> parts) {
                    return Duration.ofSeconds(longAt(parts, 0), longAt(parts, 1));
                }
                break;
            case TAG_UUID:
                if (value instanceof byte[] bytes && bytes.length == 16) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    return new UUID(buffer.getLong(), buffer.getLong());
                }
                break;
            case TAG_UUID_TEXT:
                if (value instanceof String text) {
                    return UUID.fromString(text);
                }
                break;
            case TAG_SET:
                if (value instanceof List<?> items) {
                    return new LinkedHashSet<>(items);
                }
                break;
            default:
                break;
        }
        return new Tagged(tag, value);
    }

    private static long longAt(List<?> parts, int index) {
        return parts.size() > index ? ((Number) parts.get(index)).longValue() : 0L;
    }
}
