package dev.kafru.surrealdb;

import java.util.UUID;

/**
 * One change reported by a live query.
 *
 * @param liveId the live query's id on the server (it changes when kafru reconnects)
 * @param action CREATE, UPDATE, DELETE or KILLED
 * @param record the id of the record that changed
 * @param result the record after the change (before it, for DELETE)
 */
public record LiveNotification(UUID liveId, String action, RecordId record, Object result) {
}
