package dev.kafru;

/**
 * What a push with a {@link TaskRequest#uniqueKey unique key} came to: a new task, or the one
 * that already holds the key.
 *
 * @param task    the task stored, or the one already holding the key
 * @param created true when this push stored a new task
 */
public record Pushed(Task task, boolean created) {
}
