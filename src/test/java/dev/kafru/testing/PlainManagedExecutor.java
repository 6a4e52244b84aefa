package dev.kafru.testing;

import jakarta.enterprise.concurrent.ContextService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.concurrent.Trigger;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;

/**
 * A real thread pool standing in for the container's managed executors where a bean is built
 * outside a container: the executor methods run on the pool; the completion-stage helpers
 * run on it too; what only a container can do (context services, triggers) is refused.
 */
public final class PlainManagedExecutor extends ScheduledThreadPoolExecutor implements ManagedScheduledExecutorService {

    public PlainManagedExecutor(int threads) {
        super(threads, r -> {
            Thread thread = new Thread(r, "plain-managed-executor");
            thread.setDaemon(true);
            return thread;
        });
    }

    @Override
    public <U> CompletableFuture<U> completedFuture(U value) {
        return CompletableFuture.completedFuture(value);
    }

    @Override
    public <U> CompletionStage<U> completedStage(U value) {
        return CompletableFuture.completedStage(value);
    }

    @Override
    public <T> CompletableFuture<T> copy(CompletableFuture<T> stage) {
        return stage.copy();
    }

    @Override
    public <T> CompletionStage<T> copy(CompletionStage<T> stage) {
        return stage.toCompletableFuture().copy();
    }

    @Override
    public <U> CompletableFuture<U> failedFuture(Throwable error) {
        return CompletableFuture.failedFuture(error);
    }

    @Override
    public <U> CompletionStage<U> failedStage(Throwable error) {
        return CompletableFuture.failedStage(error);
    }

    @Override
    public ContextService getContextService() {
        throw new UnsupportedOperationException("no container context outside a container");
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<Void> runAsync(Runnable action) {
        return CompletableFuture.runAsync(action, this);
    }

    @Override
    public <U> CompletableFuture<U> supplyAsync(Supplier<U> supplier) {
        return CompletableFuture.supplyAsync(supplier, this);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, Trigger trigger) {
        throw new UnsupportedOperationException("triggers need a container");
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, Trigger trigger) {
        throw new UnsupportedOperationException("triggers need a container");
    }
}
