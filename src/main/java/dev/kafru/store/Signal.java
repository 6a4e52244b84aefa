package dev.kafru.store;

import java.time.Instant;

/**
 * One signal, as {@link TaskRepository#onSignal} hands it on: {@code created} tasks pushed to
 * {@code queue} (0 for a retry or recovery), due from {@code earliest} (null: now); {@code wake}
 * is false when they were inserted already claimed, so no worker needs to look.
 */
public record Signal(String queue, int created, Instant earliest, boolean wake) {
}
