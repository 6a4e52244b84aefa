package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.worker.RetryPolicy.Decision;
import dev.kafru.worker.RetryPolicy.FailForGood;
import dev.kafru.worker.RetryPolicy.RetryAfter;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The default retry policy decides as the dispatcher always did: retry with retry-base ×
 * 2^(attempt−1) ±25%, capped at retry-max, until the task's max_attempts are used, then fail for
 * good. The bounds are written out as numbers.
 */
class RetryPolicyTest {

    static final RuntimeException FAILURE = new IllegalStateException("the mail server said no");
    final RetryPolicy policy = RetryPolicy.exponentialBackoff(
            WorkerSettings.builder().retryBase(Duration.ofSeconds(1)).retryMax(Duration.ofMinutes(1)).build());

    /** A task as claimed for its {@code attempt}-th run of at most {@code maxAttempts}. */
    static Task task(int attempt, int maxAttempts) {
        return new Task("t1", null, "mail", "send", Map.of(), TaskStatus.InProgress, null, 0, null,
                attempt, maxAttempts, "me/mail", null, null, null, null, null);
    }

    LongSummaryStatistics pauses(int attempt, int maxAttempts) {
        return IntStream.range(0, 1_000).mapToLong(i -> {
            Decision decision = policy.onFailure(task(attempt, maxAttempts), FAILURE);
            return assertInstanceOf(RetryAfter.class, decision, "attempt " + attempt + " of " + maxAttempts).pause().toMillis();
        }).summaryStatistics();
    }

    static void assertWithin(LongSummaryStatistics pauses, long low, long high, String what) {
        assertTrue(pauses.getMin() >= low && pauses.getMax() <= high,
                what + ": pauses from " + pauses.getMin() + " to " + pauses.getMax() + " ms, expected within " + low + ".." + high);
        assertTrue(pauses.getMax() - pauses.getMin() > (high - low) / 2, what + ": the jitter should spread the pauses");
    }

    @Test
    void aFailedAttemptBeforeTheLastIsRetriedAfterTheBackoffWithinAQuarterEitherWay() {
        assertWithin(pauses(1, 5), 750, 1_250, "after the first of five: 1 s ± 25%");
        assertWithin(pauses(2, 5), 1_500, 2_500, "after the second: 2 s ± 25%");
        assertWithin(pauses(4, 5), 6_000, 10_000, "after the fourth: 8 s ± 25%");
    }

    @Test
    void retryMaxCapsThePauseAndTheJitterOnlyShortensIt() {
        assertWithin(pauses(6, 20), 24_000, 40_000, "32 s ± 25%, under the 60 s cap");
        assertWithin(pauses(7, 20), 45_000, 60_000, "64 s capped at 60 s");
        assertWithin(pauses(19, 20), 45_000, 60_000, "far past the cap");
    }

    @Test
    void theLastAttemptFailsForGood() {
        assertEquals(FailForGood.INSTANCE, policy.onFailure(task(3, 3), FAILURE));
        assertEquals(FailForGood.INSTANCE, policy.onFailure(task(1, 1), FAILURE), "max_attempts 1: no retry at all");
        // a lease that lapsed may have counted an attempt beyond the last: still no retry
        assertEquals(FailForGood.INSTANCE, policy.onFailure(task(4, 3), FAILURE));
    }

    @Test
    void anyKindOfFailureIsRetriedTheSameWay() {
        for (Throwable failure : new Throwable[]{new Exception("checked"), new OutOfMemoryError(), new InterruptedException()}) {
            assertInstanceOf(RetryAfter.class, policy.onFailure(task(1, 2), failure), failure.toString());
        }
    }

    @Test
    void aRetryPauseCannotBeNegative() {
        assertThrows(IllegalArgumentException.class, () -> RetryPolicy.retryAfter(Duration.ofMillis(-1)));
        assertEquals(Duration.ZERO, ((RetryAfter) RetryPolicy.retryAfter(Duration.ZERO)).pause());
    }
}
