package dev.kafru.surrealdb;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * Runs a transaction again when SurrealDB reports a write conflict, after a short jittered
 * pause so that the competing transactions spread out. Any other failure is thrown at once.
 */
public final class ConflictRetry {

    /** How many times one piece of work is tried before the conflict is thrown. */
    public static final int MAX_ATTEMPTS = 50;
    private static final AtomicLong RETRIED = new AtomicLong();

    /** How many conflicts this JVM has retried so far (a figure for benchmarks and diagnostics). */
    public static long retried() {
        return RETRIED.get();
    }

    private ConflictRetry() {
    }

    public static <T> T run(Supplier<T> work) {
        return run(attempt -> work.get());
    }

    /** {@link #run(Supplier)}, telling the work which attempt this is (1 the first). */
    public static <T> T run(IntFunction<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.apply(attempt);
            } catch (SurrealException e) {
                if (!e.isConflict() || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
                RETRIED.incrementAndGet();
                pause(attempt);
            }
        }
    }

    /**
     * {@link #run(Supplier)} without waiting: a write conflict fails the future's attempt, and the
     * work is started again after the same pause, on another thread.
     */
    public static <T> java.util.concurrent.CompletableFuture<T> runAsync(Supplier<java.util.concurrent.CompletableFuture<T>> work) {
        return runAsync(work, 1);
    }

    private static <T> java.util.concurrent.CompletableFuture<T> runAsync(Supplier<java.util.concurrent.CompletableFuture<T>> work,
                                                                         int attempt) {
        return work.get().exceptionallyCompose(thrown -> {
            Throwable cause = thrown instanceof java.util.concurrent.CompletionException && thrown.getCause() != null
                    ? thrown.getCause() : thrown;
            if (!(cause instanceof SurrealException e) || !e.isConflict() || attempt >= MAX_ATTEMPTS) {
                return java.util.concurrent.CompletableFuture.failedFuture(cause);
            }
            RETRIED.incrementAndGet();
            // started by the JDK's delay thread itself: the default (CompletableFuture's async pool) is a new thread per
            // retry on a 2-core machine (the common pool has one thread there, and then CompletableFuture never uses it);
            // the work only sends a request, and its answer completes on the connection's thread as before
            java.util.concurrent.Executor later = java.util.concurrent.CompletableFuture.delayedExecutor(
                    pauseMicros(attempt), TimeUnit.MICROSECONDS, Runnable::run);
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(ignored -> runAsync(work, attempt + 1));
        });
    }

    /** How long to wait before attempt {@code attempt + 1}: random, growing with the attempt, at most 50 ms. */
    private static long pauseMicros(int attempt) {
        long maxMicros = Math.min(50_000L, 500L << Math.min(attempt, 7));
        return ThreadLocalRandom.current().nextLong(maxMicros / 4, maxMicros + 1);
    }

    private static void pause(int attempt) {
        try {
            TimeUnit.MICROSECONDS.sleep(pauseMicros(attempt));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SurrealException(SurrealException.Kind.CONFLICT, "interrupted while retrying a write conflict");
        }
    }
}
