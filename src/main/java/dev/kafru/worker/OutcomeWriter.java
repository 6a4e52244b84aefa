package dev.kafru.worker;

import dev.kafru.TaskStatus;
import dev.kafru.store.Outcome;
import dev.kafru.store.TaskRepository;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Writes the outcomes of a dispatcher's finished tasks in few requests: a flood of short tasks
 * must not cost one round trip each. Outcomes wait in a queue; at most one write is in flight,
 * and what finishes meanwhile goes in the next one. A write that fails keeps its outcomes for a later
 * one (writing an outcome twice changes nothing, also when the first write committed and only its
 * answer was lost: the store counts each task's outcome once; if the lease lapses first, the task
 * runs again).
 */
final class OutcomeWriter {

    private static final Logger LOG = Logger.getLogger(OutcomeWriter.class.getName());
    /** How soon a cycle comes back to write outcomes whose write failed. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final String queue;
    /** Writes a batch (see {@link TaskRepository#finish}); completes when it is stored. */
    private final Function<List<Outcome>, CompletableFuture<Void>> write;
    /** Told when retries were written: their run_at is the database's, to be read back. */
    private final Runnable onRetriesWritten;
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    /** True while a write is in flight. */
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile CompletableFuture<Void> lastWrite = CompletableFuture.completedFuture(null);
    /** Told of outcomes once they are stored (events fire then). */
    private final java.util.function.Consumer<List<Outcome>> onStored;

    OutcomeWriter(String queue, Function<List<Outcome>, CompletableFuture<Void>> write, Runnable onRetriesWritten) {
        this(queue, write, onRetriesWritten, stored -> { });
    }

    OutcomeWriter(String queue, Function<List<Outcome>, CompletableFuture<Void>> write, Runnable onRetriesWritten,
                  java.util.function.Consumer<List<Outcome>> onStored) {
        this.queue = queue;
        this.write = write;
        this.onRetriesWritten = onRetriesWritten;
        this.onStored = onStored;
    }

    private void stored(List<Outcome> batch) {
        try {
            onStored.accept(batch);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "queue " + queue + ": a listener of stored outcomes failed", e);
        }
    }

    /** Queues an outcome for the next write. */
    void add(Outcome outcome) {
        outcomes.add(outcome);
    }

    /** True when no outcome waits (none finished, or all written or in flight). */
    boolean isEmpty() {
        return outcomes.isEmpty();
    }

    /**
     * Writes the waiting outcomes in one request, unless a write is in flight: they then go in the
     * next one, started when that write succeeds. Returns without waiting for the write.
     */
    void flush() {
        if (outcomes.isEmpty() || !writing.compareAndSet(false, true)) {
            return;
        }
        List<Outcome> batch = drain();
        if (batch.isEmpty()) {
            writing.set(false);
            return;
        }
        CompletableFuture<Void> written;
        try {
            written = write.apply(batch);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        lastWrite = written.handle((ok, error) -> {
            if (error != null) {
                outcomes.addAll(batch); // kept: written again by a later cycle
                LOG.log(Level.FINE, "queue " + queue + ": outcomes not written yet", error);
            } else {
                if (hasRetries(batch)) {
                    onRetriesWritten.run();
                }
                stored(batch);
            }
            writing.set(false);
            if (error == null && !outcomes.isEmpty()) {
                flush();
            }
            return null;
        });
    }

    /**
     * Waits until no write is in flight, then writes every
     * outcome left and waits for that (the last step of a stop). A write in flight may have taken
     * its outcomes from the queue before it became {@link #lastWrite}: waiting on that alone let a
     * stop return before they were stored.
     */
    void writeRest() {
        long deadline = System.nanoTime() + WRITE_REST_WAIT.toNanos();
        while (!writing.compareAndSet(false, true)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("queue " + queue + ": a write of outcomes did not end within " + WRITE_REST_WAIT);
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the outcomes' write", e);
            }
        }
        try {
            List<Outcome> rest = drain();
            if (!rest.isEmpty()) {
                write.apply(rest).join();
                stored(rest);
            }
        } finally {
            writing.set(false);
        }
    }

    /**
     * How long a stop waits for a write in flight before it gives up on the outcomes (their leases
     * lapse and the tasks run again): a write takes milliseconds unless SurrealDB is unreachable.
     */
    static final Duration WRITE_REST_WAIT = Duration.ofSeconds(5);

    private List<Outcome> drain() {
        List<Outcome> batch = new ArrayList<>();
        Outcome outcome;
        while ((outcome = outcomes.poll()) != null) {
            batch.add(outcome);
        }
        return batch;
    }

    private static boolean hasRetries(List<Outcome> batch) {
        return batch.stream().anyMatch(o -> o.status() == TaskStatus.Waiting);
    }
}
