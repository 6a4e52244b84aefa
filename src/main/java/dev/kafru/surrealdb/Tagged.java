package dev.kafru.surrealdb;

/**
 * A CBOR-tagged value kafru has no Java type for (geometries, ranges, future tags). Kept
 * whole so that it survives a round trip unchanged.
 */
public record Tagged(long tag, Object value) {
}
