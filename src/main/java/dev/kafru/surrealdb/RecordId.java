package dev.kafru.surrealdb;

import java.util.Objects;

/**
 * A SurrealDB record id: a table name and a key (CBOR tag 8). The key is usually a string,
 * but may be a number, an array, an object or a UUID, as SurrealDB allows.
 */
public record RecordId(String table, Object key) {

    public RecordId {
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(key, "key");
        if (table.isBlank()) {
            throw new IllegalArgumentException("record id table must not be blank");
        }
    }

    /**
     * Reads {@code table:key}, {@code table:⟨key⟩} or a bare key (when {@code table} is given),
     * the forms an admin path or a user may give. The key is always taken as a string.
     *
     * @param expectedTable the table the id must belong to
     * @param text          the id as typed
     * @throws IllegalArgumentException when the id is empty or names another table
     */
    public static RecordId parse(String expectedTable, String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("id must not be empty; give the record key or " + expectedTable + ":key");
        }
        String key = text;
        int colon = text.indexOf(':');
        if (colon > 0 && text.substring(0, colon).equals(expectedTable)) {
            key = text.substring(colon + 1);
        }
        if (key.length() >= 2 && ((key.startsWith("⟨") && key.endsWith("⟩")) || (key.startsWith("`") && key.endsWith("`")))) {
            key = key.substring(1, key.length() - 1);
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("id '" + text + "' has an empty key");
        }
        return new RecordId(expectedTable, key);
    }

    /** The key as text, as an admin path shows it. */
    public String keyText() {
        return String.valueOf(key);
    }

    @Override
    public String toString() {
        return table + ":⟨" + key + "⟩";
    }
}
