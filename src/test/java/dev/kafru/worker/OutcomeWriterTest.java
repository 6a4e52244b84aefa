package dev.kafru.worker;

import dev.kafru.store.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outcomes are written in few requests, one at a time, and none is lost: not when a write fails,
 * not when a claim carrying some fails. The store's write is stood in for by futures the test
 * completes itself, so that "a write in flight" is a state the test holds, not a race it hopes for.
 */
class OutcomeWriterTest {

    /** The batches handed to the store, in order, each with the future the test completes. */
    final List<List<Outcome>> batches = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<Void>> writes = new CopyOnWriteArrayList<>();
    final AtomicInteger retriesWritten = new AtomicInteger();
    final OutcomeWriter writer = new OutcomeWriter("mail", batch -> {
        CompletableFuture<Void> write = new CompletableFuture<>();
        batches.add(batch);
        writes.add(write);
        return write;
    }, retriesWritten::incrementAndGet);
    ExecutorService executor;

    @AfterEach
    void tearDown() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    static List<Outcome> completed(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> Outcome.completed("t" + i)).toList();
    }

    void add(List<Outcome> outcomes) {
        outcomes.forEach(writer::add);
    }

    @Test
    void onlyOneWriteIsInFlightAndWhatFinishesMeanwhileGoesInTheNext() {
        add(completed(0, 3));
        writer.flush();
        add(completed(3, 2));
        writer.flush();
        assertEquals(List.of(completed(0, 3)), batches, "one write in flight: the second flush leaves it alone");

        writes.get(0).complete(null);
        assertEquals(List.of(completed(0, 3), completed(3, 2)), batches, "the two that waited, written as soon as the first write ended");
    }

    @Test
    void aFailedWriteKeepsItsOutcomesAndALaterOneWritesThem() {
        add(completed(0, 4));
        writer.flush();
        writes.get(0).completeExceptionally(new IllegalStateException("connection lost"));
        assertTrue(!writer.isEmpty(), "kept for the next cycle");

        writer.flush();
        writes.get(1).complete(null);
        assertEquals(List.of(completed(0, 4), completed(0, 4)), batches);
        assertTrue(writer.isEmpty());
    }

    @Test
    void aWriteThatThrowsInsteadOfFailingItsFutureKeepsItsOutcomesToo() {
        OutcomeWriter throwing = new OutcomeWriter("mail", batch -> {
            throw new IllegalStateException("not connected");
        }, () -> { });
        throwing.add(Outcome.completed("t0"));
        throwing.flush();
        assertTrue(!throwing.isEmpty(), "kept for the next cycle");
        throwing.flush(); // no write left in flight: tried again
        assertTrue(!throwing.isEmpty(), "kept again");
    }

    @Test
    void writtenRetriesAreReportedSoThatTheirDueTimesAreReadBack() {
        writer.add(Outcome.retry("t1", "mail", "busy", Duration.ofSeconds(1)));
        writer.flush();
        writes.get(0).completeExceptionally(new IllegalStateException("connection lost"));
        assertEquals(0, retriesWritten.get(), "not written yet");
        writer.flush();
        writes.get(1).complete(null);
        assertEquals(1, retriesWritten.get());

        writer.add(Outcome.retry("t2", "mail", "busy", Duration.ofSeconds(1)));
        writer.flush();
        writes.get(2).complete(null);
        assertEquals(2, retriesWritten.get(), "each write with a retry is reported");
        add(completed(0, 3));
        writer.flush();
        writes.get(3).complete(null);
        assertEquals(2, retriesWritten.get(), "completed tasks have no due time to read");
    }

    @Test
    void writeRestLeavesNoOutcomeUnwritten() throws Exception {
        add(completed(0, 2));
        writer.flush();
        add(completed(2, 1));
        CompletableFuture<Void> stop = CompletableFuture.runAsync(writer::writeRest);
        writes.get(0).complete(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> writes.size() == 2);
        writes.get(1).complete(null);
        stop.get();
        assertEquals(List.of(completed(0, 2), completed(2, 1)), batches);
    }

    @Test
    void manyThreadsFinishingWhileWritesFailNowAndThenLoseNoOutcomeAndStoreNoneTwice() {
        executor = Executors.newFixedThreadPool(4);
        AtomicInteger attempts = new AtomicInteger();
        ConcurrentLinkedQueue<Outcome> stored = new ConcurrentLinkedQueue<>();
        OutcomeWriter flaky = new OutcomeWriter("mail", batch -> CompletableFuture.runAsync(() -> {
            if (attempts.incrementAndGet() % 2 == 1) {
                throw new CompletionException(new IllegalStateException("every other write fails, the first among them"));
            }
            stored.addAll(batch);
        }, executor), () -> { });
        List<Outcome> all = completed(0, 4_000);
        CompletableFuture<?>[] finishers = IntStream.range(0, 4).mapToObj(t -> CompletableFuture.runAsync(() -> {
            for (int i = t; i < all.size(); i += 4) {
                flaky.add(all.get(i));
                flaky.flush();
            }
        }, executor)).toArray(CompletableFuture<?>[]::new);
        CompletableFuture.allOf(finishers).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            flaky.flush(); // a dispatcher's next cycles
            return flaky.isEmpty() && stored.size() >= all.size();
        });
        flaky.writeRest(); // no write left in flight
        // the first write failed, later ones stored
        assertTrue(attempts.get() >= 2, attempts.get() + " writes");
        assertEquals(new HashSet<>(all), new HashSet<>(stored), "every outcome stored");
        assertEquals(all.size(), stored.size(), "none stored twice");
    }
}
