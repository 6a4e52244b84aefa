package dev.kafru.store;

import dev.kafru.TaskFailure;
import dev.kafru.TaskStatus;

import java.time.Duration;

/**
 * What came of one attempt, to be written with others in one round trip
 * ({@link TaskRepository#finish}, or before a claim in {@link TaskRepository#claim}).
 *
 * @param failure what the failed attempt threw, kept in the task's history; null for a completion
 * @param result  a completion's result (JSON-shaped), or null for none
 */
public record Outcome(String taskKey, String queue, TaskStatus status, String message, Duration retryDelay, TaskFailure failure,
                      Object result) {

    public Outcome(String taskKey, String queue, TaskStatus status, String message, Duration retryDelay) {
        this(taskKey, queue, status, message, retryDelay, null, null);
    }

    public Outcome(String taskKey, String queue, TaskStatus status, String message, Duration retryDelay, TaskFailure failure) {
        this(taskKey, queue, status, message, retryDelay, failure, null);
    }

    /** A completion with the handler's result (see {@code TaskContext.result}). */
    public static Outcome completed(String key, Object result) {
        return new Outcome(key, null, TaskStatus.Completed, null, null, null, result);
    }

    public static Outcome completed(String key) {
        return new Outcome(key, null, TaskStatus.Completed, null, null, null);
    }

    public static Outcome retry(String key, String queue, String message, Duration delay) {
        return new Outcome(key, queue, TaskStatus.Waiting, message, delay, null);
    }

    public static Outcome failed(String key, String message) {
        return new Outcome(key, null, TaskStatus.Error, message, null, null);
    }

    /** This outcome with the failed attempt's details, for the task's history. */
    public Outcome with(TaskFailure failure) {
        return new Outcome(taskKey, queue, status, message, retryDelay, failure, result);
    }
}
