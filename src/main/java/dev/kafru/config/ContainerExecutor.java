package dev.kafru.config;

import jakarta.inject.Qualifier;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The container's default managed executor or scheduled executor, as {@link ManagedExecutors}
 * produces them: {@code @Inject @ContainerExecutor ManagedExecutorService executor;}. A
 * qualifier of kafru's own, so that a container which offers these types as beans itself
 * (Jakarta Concurrency 3.1) sees no ambiguity.
 */
@Qualifier
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
public @interface ContainerExecutor {
}
