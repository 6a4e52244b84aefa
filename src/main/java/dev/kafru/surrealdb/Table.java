package dev.kafru.surrealdb;

import java.util.Objects;

/** A SurrealDB table name sent as a value (CBOR tag 7), e.g. for {@code SELECT * FROM $table}. */
public record Table(String name) {
    public Table {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return name;
    }
}
