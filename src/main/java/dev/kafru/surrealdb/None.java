package dev.kafru.surrealdb;

/**
 * SurrealDB's NONE (CBOR tag 6): a field that is absent, as opposed to {@code NULL}, which
 * Java's {@code null} stands for. Binding {@code None.NONE} to a field removes it.
 */
public enum None {
    NONE;

    @Override
    public String toString() {
        return "NONE";
    }
}
