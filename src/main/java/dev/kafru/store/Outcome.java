package dev.kafru.store;

import dev.kafru.TaskStatus;

import java.time.Duration;

/**
 * What came of one attempt, to be written with others in one round trip
 * ({@link TaskRepository#finish}, or before a claim in {@link TaskRepository#claim}).
 */
public record Outcome(String taskKey, String queue, TaskStatus status, String message, Duration retryDelay) {

    public static Outcome completed(String key) {
        return new Outcome(key, null, TaskStatus.Completed, null, null);
    }

    public static Outcome retry(String key, String queue, String message, Duration delay) {
        return new Outcome(key, queue, TaskStatus.Waiting, message, delay);
    }

    public static Outcome failed(String key, String message) {
        return new Outcome(key, null, TaskStatus.Error, message, null);
    }
}
