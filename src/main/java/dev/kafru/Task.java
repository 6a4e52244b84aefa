package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A task as stored in {@code kafru_queues}.
 *
 * @param id          the record key (without the table)
 * @param name        a label for people; defaults to the handler name
 * @param queue       the queue it waits in
 * @param handler     the {@link TaskName} of the bean that runs it
 * @param parameters  the handler's input, a JSON object
 * @param status      where it is in its life
 * @param message     why it failed, or what the last failed attempt said
 * @param priority    higher runs first among due tasks of a queue
 * @param runAt       not before this time
 * @param attempts    attempts started so far
 * @param maxAttempts attempts allowed before it ends Error
 * @param owner       the server holding it while InProgress
 * @param leaseUntil  when the owner's claim lapses unless renewed
 * @param author      who pushed it: the caller's principal, {@code schedule:<name>}, or null when unknown
 * @param timeout     how long one attempt may run before it is interrupted; null: no limit
 * @param uniqueKey   while this task is Waiting or InProgress, a push with the same key in its queue returns it
 * @param failures    its failed attempts, oldest first (read with a single task; empty in lists)
 * @param result      what its handler gave {@link TaskContext#result(Object)} when it completed (JSON-shaped), or null
 * @param labels      the labels it was pushed with ({@link TaskRequest#labels}), empty when none
 * @param progress    how far its handler said it got ({@link TaskContext#progress}), or null when it never said
 * @param parent      the task whose finish pushed it ({@link TaskRequest#then}, {@link TaskRequest#onFailure}), or null
 * @param batch       the batch it is a member of, or whose completion pushed it ({@link KafruQueue#batch}), or null
 */
@Schema(name = "Task", description = "A task as stored in kafru_queues; times are ISO-8601 UTC")
public record Task(String id, String name, String queue, String handler, Map<String, Object> parameters,
                   TaskStatus status, String message, int priority, Instant runAt, int attempts, int maxAttempts,
                   String owner, Instant leaseUntil, Instant dateCreated, Instant dateModified,
                   Instant startedAt, Instant finishedAt, String author, Duration timeout, String uniqueKey,
                   List<TaskFailure> failures, Object result, List<String> labels, TaskProgress progress,
                   String parent, String batch) {

    public Task {
        failures = failures == null ? List.of() : List.copyOf(failures);
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    /** A task without labels, progress, parent or batch. */
    public Task(String id, String name, String queue, String handler, Map<String, Object> parameters,
                TaskStatus status, String message, int priority, Instant runAt, int attempts, int maxAttempts,
                String owner, Instant leaseUntil, Instant dateCreated, Instant dateModified,
                Instant startedAt, Instant finishedAt, String author, Duration timeout, String uniqueKey,
                List<TaskFailure> failures, Object result) {
        this(id, name, queue, handler, parameters, status, message, priority, runAt, attempts, maxAttempts, owner, leaseUntil,
                dateCreated, dateModified, startedAt, finishedAt, author, timeout, uniqueKey, failures, result,
                List.of(), null, null, null);
    }

    /** A task without a result. */
    public Task(String id, String name, String queue, String handler, Map<String, Object> parameters,
                TaskStatus status, String message, int priority, Instant runAt, int attempts, int maxAttempts,
                String owner, Instant leaseUntil, Instant dateCreated, Instant dateModified,
                Instant startedAt, Instant finishedAt, String author, Duration timeout, String uniqueKey,
                List<TaskFailure> failures) {
        this(id, name, queue, handler, parameters, status, message, priority, runAt, attempts, maxAttempts, owner, leaseUntil,
                dateCreated, dateModified, startedAt, finishedAt, author, timeout, uniqueKey, failures, null);
    }

    /** A task without the optional fields (author, time-out, unique key, failures). */
    public Task(String id, String name, String queue, String handler, Map<String, Object> parameters,
                TaskStatus status, String message, int priority, Instant runAt, int attempts, int maxAttempts,
                String owner, Instant leaseUntil, Instant dateCreated, Instant dateModified,
                Instant startedAt, Instant finishedAt) {
        this(id, name, queue, handler, parameters, status, message, priority, runAt, attempts, maxAttempts, owner, leaseUntil,
                dateCreated, dateModified, startedAt, finishedAt, null, null, null, List.of());
    }

    /** The Waiting task a request is stored as under {@code id}, created at {@code now} (due then unless it has a runAt). */
    public static Task waiting(String id, TaskRequest request, Instant now) {
        Instant runAt = request.runAt() != null ? request.runAt() : now;
        return new Task(id, request.name(), request.queue(), request.handler(), request.parameters(), TaskStatus.Waiting, null,
                request.priority(), runAt, 0, request.maxAttempts(), null, null, now, now, null, null,
                request.author(), request.timeout(), request.uniqueKey(), List.of(), null, request.labels(), null, null, null);
    }

    /** This task with its failed attempts. */
    public Task withFailures(List<TaskFailure> failures) {
        return new Task(id, name, queue, handler, parameters, status, message, priority, runAt, attempts, maxAttempts, owner,
                leaseUntil, dateCreated, dateModified, startedAt, finishedAt, author, timeout, uniqueKey, failures, result,
                labels, progress, parent, batch);
    }

    /** This task with its progress. */
    public Task withProgress(TaskProgress progress) {
        return new Task(id, name, queue, handler, parameters, status, message, priority, runAt, attempts, maxAttempts, owner,
                leaseUntil, dateCreated, dateModified, startedAt, finishedAt, author, timeout, uniqueKey, failures, result,
                labels, progress, parent, batch);
    }

    /** This task with its labels, parent and batch as stored. */
    public Task withLinks(List<String> labels, String parent, String batch) {
        return new Task(id, name, queue, handler, parameters, status, message, priority, runAt, attempts, maxAttempts, owner,
                leaseUntil, dateCreated, dateModified, startedAt, finishedAt, author, timeout, uniqueKey, failures, result,
                labels, progress, parent, batch);
    }
}
