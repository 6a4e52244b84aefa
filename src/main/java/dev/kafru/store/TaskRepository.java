package dev.kafru.store;

import dev.kafru.Pushed;
import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskProgress;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Where tasks live: enqueue, exclusive claims with leases, outcomes, and the admin reads and
 * writes — in domain types only, so that a second backend is one package beside
 * {@code dev.kafru.store.surreal}. Components {@code @Inject} it.
 *
 * <p>What every implementation promises (the conformance kit, {@code TaskRepositoryContract},
 * checks it): a due Waiting task is claimed by one claimer only, highest priority first and
 * then oldest due; a claimed task is InProgress with a lease, and only its owner's outcome or
 * hand-back changes it; a lapsed lease brings it back (the attempt stays counted) or ends it
 * Error on its last attempt; a hand-back may uncount the attempt.
 *
 * <pre>{@code
 * Claimed claimed = tasks.claim("mail", "node-1/mail", 10, Duration.ofSeconds(30), List.of());
 * tasks.finish("node-1/mail", List.of(Outcome.completed(claimed.tasks().get(0).id()))).join();
 * }</pre>
 */
public interface TaskRepository {

    /** Largest page a list may ask for. */
    int MAX_LIMIT = 1000;
    /** The most a {@link #count} of a filter reads before it answers "at least this many". */
    int COUNT_CAP = 10_000;
    /** Kept for callers of {@link #counts(String, int)}; counts by queue and status are exact. */
    int LIST_COUNT_CAP = 1_000;

    /** Epoch nanoseconds, as the store compares times. */
    static long nanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    // enqueue

    /**
     * Stores validated requests as Waiting tasks, with one signal per queue (queue, how many,
     * earliest run_at) that wakes the queue's workers on every server.
     */
    List<Task> insert(List<TaskRequest> requests);

    /**
     * Stores requests that carry a {@link TaskRequest#uniqueKey unique key}, each unless a task of
     * its queue holds that key (Waiting, InProgress, or finished less than its uniqueFor ago), in
     * one transaction, race-free across servers; answers, in order, the task stored or the one
     * holding the key.
     */
    List<Pushed> insertUnique(List<TaskRequest> requests);

    /** {@link #insert} without waiting: several may be in flight. */
    CompletableFuture<List<Task>> insertAsync(List<TaskRequest> requests);

    /**
     * The keys these requests are to be stored under, made now, before anything is written: a push
     * inside a JTA transaction answers its tasks' ids at once and stores them at the commit.
     */
    List<String> newKeys(List<TaskRequest> requests);

    /**
     * {@link #insertAsync(List)} under keys from {@link #newKeys}: one call's keys, or several calls'
     * keys one after the other, each call's in its order.
     */
    CompletableFuture<List<Task>> insertAsync(List<TaskRequest> requests, List<String> keys);

    /**
     * Stores one request as a task already InProgress for {@code owner} (with its first attempt
     * counted and a lease), for a worker of this server that has a free thread.
     */
    Task insertClaimed(TaskRequest request, String owner, Duration lease);

    /**
     * Stores a batch in one transaction: its members as Waiting tasks (keys {@code <id>_<n>}) and,
     * when given, the task to push when the last member ends (key {@code <id>}) — all or none.
     * Each member's end counts once; the one that ends it pushes the completion task, once.
     */
    default dev.kafru.Batch insertBatch(List<TaskRequest> members, TaskRequest onComplete) {
        throw new UnsupportedOperationException("this store keeps no batches");
    }

    /** A batch as it stands, or empty when there is none with this id. */
    default Optional<dev.kafru.Batch> batch(String id) {
        return Optional.empty();
    }

    /** Members of a batch in their order, from {@code offset}; a member deleted since is left out. */
    default List<Task> batchMembers(String id, int limit, int offset) {
        return List.of();
    }

    /**
     * Deletes what chains and batches keep that nobody can need any more: chain records pushed
     * before {@code before}, or whose parent is gone; batches whose last member ended before it.
     * At most {@code limit} of each; returns how many.
     */
    default int forgetFollowers(Instant before, int limit) {
        return 0;
    }

    /**
     * Chains {@code next} after the task {@code key} that is already stored: pushed once when it
     * completes ({@code onFailure} false) or ends Error or Cancelled (true), in the transaction that
     * ends it — or now, when it has already ended so.
     *
     * @return the follower, or empty when there is no such task
     * @throws IllegalStateException when it cannot follow that task: the task ended otherwise (it would
     *                               never be pushed), or it runs or ended inside its push unit
     */
    default Optional<dev.kafru.TaskLink> chain(String key, TaskRequest next, boolean onFailure) {
        throw new UnsupportedOperationException("this store keeps no chains");
    }

    /** The tasks chained after a task, pushed or still waiting for it. */
    default List<dev.kafru.TaskLink> children(String key) {
        return List.of();
    }

    // claim and finish

    /**
     * Moves up to {@code n} due Waiting tasks of a queue to InProgress for {@code owner}, with a
     * lease — highest priority first, then oldest due; never a task another claimer took.
     * {@code outcomes} of earlier attempts are written first (once, even when the claim is tried
     * again after a write conflict).
     */
    Claimed claim(String queue, String owner, int n, Duration lease, List<Outcome> outcomes);

    /**
     * Says which handlers {@code owner} runs (null: any): its claims take only tasks of those, and
     * leave the others for a server that has their handler — never claiming a task only to fail
     * it as unknown (a rolling upgrade, two applications on one queue).
     */
    default void offers(String owner, java.util.Set<String> handlers) {
    }

    /** Moves up to {@code n} due tasks to InProgress: {@link #claim(String, String, int, Duration, List)} without outcomes. */
    default List<Task> claim(String queue, String owner, int n, Duration lease) {
        return claim(queue, owner, n, lease, List.of()).tasks();
    }

    /**
     * A task of the owner's queue is Waiting from {@code due}, maybe earlier than the tasks the
     * owner's claims took last (a run_at given in the past, a hand-back): its next claim must
     * still find it. A store that keeps no such position does nothing.
     */
    default void waitingFrom(String owner, Instant due) {
    }

    /**
     * Writes the outcomes of attempts. Only tasks still InProgress and owned by {@code owner}
     * change: a task whose lease lapsed and that another server took is left alone. Writing the
     * same outcomes again (after a write whose answer was lost) changes nothing more: each task's
     * outcome is stored and counted once.
     */
    CompletableFuture<Void> finish(String owner, List<Outcome> outcomes);

    /**
     * Says on a task this owner still runs why it is still InProgress ({@code message}, e.g. that its
     * run was abandoned and its thread has not returned), changing nothing else; a task not held by
     * this owner, or a member still inside its push unit, is left as it is.
     */
    default void noteRunning(String owner, String key, String message) {
    }

    /** Extends the leases of tasks this owner holds. */
    void renewLeases(String owner, List<String> keys, Duration lease);

    /**
     * Returns the queue's tasks whose lease lapsed to Waiting, due now — or ends them Error when
     * that was their last attempt. The attempt stays counted. At most {@code limit} per call.
     *
     * @return how many tasks were recovered
     */
    int recoverExpiredLeases(String queue, int limit);

    /**
     * Gives the owner's tasks back to the queue: Waiting again, due now. When {@code uncount}
     * is true the attempt is not counted (the task never ran).
     */
    void handBack(String owner, List<String> keys, boolean uncount);

    /** The earliest run_at among the first Waiting tasks of the queue, due or not (a fallback for timers). */
    Optional<Instant> nextRunAt(String queue);

    // signals

    /**
     * Calls {@code listener} once per push, schedule firing, retry batch or lease recovery on any
     * server — not per task — so that every server's workers wake at once and count enqueued tasks.
     */
    Subscription onSignal(Consumer<Signal> listener);

    /** Deletes signals older than {@code age}, at most {@code limit}; returns how many. */
    int forgetSignals(Duration age, int limit);

    /**
     * Folds what a store keeps to answer {@link #counts} exactly (changes older than {@code age},
     * at most {@code limit}) into their totals; returns how many. Any server may run it at any
     * time; a store that counts otherwise does nothing.
     */
    default int foldCounts(Duration age, int limit) {
        return 0;
    }

    // queues

    /** Records queue names, so that the admin API and retention find every queue without reading every task. */
    void registerQueues(Collection<String> queues);

    /** Every queue name ever registered. */
    List<String> queueNames();

    /**
     * How many tasks of the queue have each status, exactly, at any size (a store may stop at
     * {@code cap} per status where it cannot count cheaply; kafru's own store does not).
     */
    Map<TaskStatus, Long> counts(String queue, int cap);

    /** Waiting tasks of the queue, exactly (what an autoscaler or an alert reads). */
    long waiting(String queue);

    /**
     * Deletes at most {@code limit} tasks of the queue that ended with {@code status}
     * (Completed or Error) before {@code cutoff}, oldest first.
     *
     * @return how many were deleted
     */
    int deleteFinished(String queue, TaskStatus status, Instant cutoff, int limit);

    /**
     * Stores handlers' progress reports (task key → report) in one request. A report behind the
     * stored one (a smaller share of its total: another attempt starting again) changes nothing,
     * so a task's progress never goes backwards, across attempts and servers. Read back as
     * {@link Task#progress()}, 100% once the task is Completed.
     */
    void saveProgress(Map<String, TaskProgress> reports);

    /**
     * Deletes the stored progress of tasks that are gone (retention, remove, purge), checking up
     * to {@code limit} stored reports in key order after {@code after} (null: from the first).
     *
     * @return the key to go on after, or null when the check reached the end
     */
    String forgetProgress(String after, int limit);

    // single tasks

    Optional<Task> get(String key);

    /** Tasks oldest first, filtered by status and queue when given. */
    default List<Task> list(TaskStatus status, String queue, int limit, int offset) {
        return list(new TaskFilter(status, queue, null, null), limit, offset);
    }

    /** Tasks matching the filter, oldest first. */
    List<Task> list(TaskFilter filter, int limit, int offset);

    /** How many tasks match the filter, counted up to {@code cap} (at the cap: at least that many). */
    long count(TaskFilter filter, int cap);

    /** Replaces the changeable fields of a task that is not running; empty when there is no such task. */
    Optional<Task> update(String key, TaskRequest changes);

    /** Puts an Error task back to Waiting, due now, attempts from zero; empty when there is no such task in Error. */
    Optional<Task> retry(String key);

    /**
     * Puts up to {@code limit} of the queue's Error tasks that ended at or before
     * {@code failedBefore} back to Waiting, due now, attempts from zero, in one transaction, with
     * one signal that wakes the queue's workers; returns how many. Callers loop until fewer than
     * {@code limit} come back: the cutoff keeps a task that fails again meanwhile from being
     * retried twice.
     */
    int retryFailed(String queue, Instant failedBefore, int limit);

    /**
     * Cancels a Waiting task: Cancelled, finished now, never run; atomic against claims.
     *
     * @return the task as Cancelled, or empty when it is not (or no longer) Waiting
     */
    Optional<Task> cancelWaiting(String key, String message);

    /**
     * Tasks of the queue that wait for a handler no server serving the queue offers (a server
     * without it met them and set them aside, and no server with it took them back since),
     * by handler; counted up to {@link #COUNT_CAP} entries.
     */
    default Map<String, Long> unserved(String queue) {
        return Map.of();
    }

    /** {@link #unserved} without waiting. */
    default CompletableFuture<Map<String, Long>> unservedAsync(String queue) {
        return CompletableFuture.completedFuture(unserved(queue));
    }

    /** Removes a task unless it is running; true when it was removed. */
    boolean removeIdle(String key);

    /** True when a task was removed. */
    boolean remove(String key);

    /** Removes the tasks matching the filters (null: any); returns how many. */
    long purge(TaskStatus status, String queue);
}
