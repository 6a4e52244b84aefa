package dev.kafru.store.surreal;

import dev.kafru.store.StoreException;
import dev.kafru.surrealdb.SurrealException;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Where the SurrealDB client's {@link SurrealException} becomes the SPI's {@link StoreException}:
 * a repository handed out by {@link SurrealRepositories} is wrapped so that every method —
 * and every future it returns — fails with a StoreException carrying the same message (write
 * conflicts are retried inside the repositories before that).
 */
final class StoreErrors {

    private StoreErrors() {
    }

    static StoreException translate(SurrealException e) {
        return new StoreException(e.getMessage(), e.isTransient(), e);
    }

    /** {@code repository} behind {@code type}, its SurrealExceptions turned into StoreExceptions. */
    static <T> T translating(Class<T> type, T repository) {
        Object proxy = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (self, method, args) -> {
            Object result;
            try {
                result = method.invoke(repository, args);
            } catch (InvocationTargetException e) {
                throw e.getCause() instanceof SurrealException surreal ? translate(surreal) : e.getCause();
            }
            if (result instanceof CompletableFuture<?> future) {
                return future.exceptionallyCompose(StoreErrors::failed);
            }
            return result;
        });
        return type.cast(proxy);
    }

    private static <U> CompletableFuture<U> failed(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return CompletableFuture.failedFuture(cause instanceof SurrealException surreal ? translate(surreal) : cause);
    }
}
