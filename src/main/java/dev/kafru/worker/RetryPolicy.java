package dev.kafru.worker;

import dev.kafru.Task;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What becomes of a task whose handler threw: run it again after a pause, or fail it for good.
 * Shaped like db-scheduler's {@code FailureHandler}, so that a queue with other needs (a fixed
 * pause, no retries for some exceptions) swaps one small policy instead of the dispatcher.
 *
 * <p>Asked only about a handler's failure: a task terminated by an operator, or one whose handler
 * is unknown, fails for good without asking. The default is {@link ExponentialBackoff}; another
 * policy can refine it:
 * <pre>{@code
 * RetryPolicy backoff = RetryPolicy.exponentialBackoff(settings); // retry-base, retry-max, max_attempts
 * RetryPolicy badInputFailsAtOnce = (task, failure) -> failure instanceof IllegalArgumentException
 *         ? RetryPolicy.failForGood()
 *         : backoff.onFailure(task, failure);
 * }</pre>
 */
@FunctionalInterface
public interface RetryPolicy {

    /**
     * Decides about a failed attempt.
     *
     * @param task    the task as claimed; {@link Task#attempts()} is the attempt that failed (1 on
     *                the first) and {@link Task#maxAttempts()} the most it may have
     * @param failure what the handler threw
     */
    Decision onFailure(Task task, Throwable failure);

    /** Today's policy, from the worker settings' retry-base and retry-max. */
    static RetryPolicy exponentialBackoff(WorkerSettings settings) {
        return new ExponentialBackoff(settings.retryBase(), settings.retryMax());
    }

    /** Runs the task again once {@code pause} has passed (its run_at moves out by it). */
    static Decision retryAfter(Duration pause) {
        return new RetryAfter(pause);
    }

    /** Ends the task Error with the failure's message. */
    static Decision failForGood() {
        return FailForGood.INSTANCE;
    }

    /** What a {@link RetryPolicy} decided: {@link RetryAfter} or {@link FailForGood}. */
    sealed interface Decision permits RetryAfter, FailForGood {
    }

    /** The task goes back to Waiting, due after {@code pause}. */
    record RetryAfter(Duration pause) implements Decision {
        public RetryAfter {
            Objects.requireNonNull(pause, "pause");
            if (pause.isNegative()) {
                throw new IllegalArgumentException("a retry pause cannot be negative: " + pause);
            }
        }
    }

    /** The task ends Error and is not run again. */
    enum FailForGood implements Decision {
        INSTANCE
    }

    /**
     * Retries until the task's {@code max_attempts} are used, pausing {@code base × 2^(failed−1)}
     * ±25% jitter, never more than {@code max} (at the cap the jitter only shortens the pause): the
     * jitter keeps tasks that failed together, say on an outage, from coming back together.
     */
    record ExponentialBackoff(Duration base, Duration max) implements RetryPolicy {

        @Override
        public Decision onFailure(Task task, Throwable failure) {
            return task.attempts() < task.maxAttempts() ? retryAfter(pause(task.attempts())) : failForGood();
        }

        /** The pause before attempt {@code failedAttempts + 1}. */
        public Duration pause(int failedAttempts) {
            long baseMillis = base.toMillis();
            long maxMillis = max.toMillis();
            long exponential = baseMillis << Math.min(Math.max(failedAttempts - 1, 0), 30);
            long capped = Math.min(exponential <= 0 ? Long.MAX_VALUE : exponential, maxMillis);
            long jitter = capped / 4;
            long low = capped - jitter;
            long high = Math.min(capped + jitter, maxMillis);
            return Duration.ofMillis(low + ThreadLocalRandom.current().nextLong(high - low + 1));
        }
    }
}
