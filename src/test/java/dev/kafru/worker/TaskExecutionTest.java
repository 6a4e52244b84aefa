package dev.kafru.worker;

import dev.kafru.TaskHandler;
import dev.kafru.TaskStatus;
import dev.kafru.store.Outcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.kafru.worker.RetryPolicyTest.task;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One task's run turns into the outcome to write; the retry policy decides about failures only. */
class TaskExecutionTest {

    final AtomicInteger asked = new AtomicInteger();
    /** Retries an IllegalStateException after 5 s, fails anything else for good; counts the questions. */
    final RetryPolicy policy = (task, failure) -> {
        asked.incrementAndGet();
        return failure instanceof IllegalStateException ? RetryPolicy.retryAfter(Duration.ofSeconds(5)) : RetryPolicy.failForGood();
    };

    Outcome run(TaskHandler handler) {
        return new TaskExecution(task(1, 3), TaskRegistry.of(Map.of("send", handler)), policy).run();
    }

    @Test
    void aHandlerThatReturnsCompletesTheTask() {
        assertEquals(Outcome.completed("t1"), run(ctx -> { }));
        assertEquals(0, asked.get(), "nothing to decide");
    }

    @Test
    void theRetryPolicyDecidesWhetherAFailureIsRetriedAndAfterWhatPause() {
        Outcome busy = run(ctx -> {
            throw new IllegalStateException("busy");
        });
        assertEquals(Outcome.retry("t1", "mail", "busy", Duration.ofSeconds(5)), busy.with(null));
        assertEquals(Outcome.failed("t1", "no such customer"), run(ctx -> {
            throw new IllegalArgumentException("no such customer");
        }).with(null));
        assertEquals(Outcome.failed("t1", NullPointerException.class.getName()), run(ctx -> {
            throw new NullPointerException();
        }).with(null), "without a message the exception's class names the failure");
        assertEquals(3, asked.get());
        // what the task's history keeps of the attempt
        assertEquals(1, busy.failure().attempt());
        assertEquals(IllegalStateException.class.getName(), busy.failure().exception());
        assertEquals("busy", busy.failure().message());
        assertTrue(busy.failure().stackTrace().startsWith("java.lang.IllegalStateException: busy"), busy.failure().stackTrace());
        assertTrue(busy.failure().stackTrace().contains("TaskExecutionTest"), "the stack names where it failed");
    }

    @Test
    void anUnknownHandlerFailsForGoodWithoutAskingThePolicy() {
        Outcome outcome = new TaskExecution(task(1, 3), TaskRegistry.of(Map.of("other", (TaskHandler) ctx -> { })), policy).run();
        assertEquals(TaskStatus.Error, outcome.status());
        assertTrue(outcome.message().contains("unknown handler 'send'"), outcome.message());
        assertEquals(0, asked.get());
    }

    @Test
    void aTerminatedTaskIsInterruptedAndFailsForGoodWithoutAskingThePolicy() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<TaskExecution> execution = new CompletableFuture<>();
        TaskHandler waits = ctx -> {
            started.countDown();
            new CountDownLatch(1).await(30, TimeUnit.SECONDS); // only an interrupt ends it early
        };
        CompletableFuture<Outcome> outcome = CompletableFuture.supplyAsync(() -> {
            TaskExecution run = new TaskExecution(task(1, 3), TaskRegistry.of(Map.of("send", waits)), policy);
            execution.complete(run);
            return run.run();
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        execution.get(10, TimeUnit.SECONDS).terminate();
        assertEquals(Outcome.failed("t1", "task has been terminated"), outcome.get(10, TimeUnit.SECONDS).with(null));
        assertEquals(0, asked.get(), "a terminate is not a failure to retry");
    }

    @Test
    void onlyTheFirstToSettleAnExecutionReportsIt() {
        TaskExecution run = new TaskExecution(task(1, 3), TaskRegistry.of(Map.of()), policy);
        assertTrue(run.settle());
        assertFalse(run.settle(), "a stop that gave the task back and the thread that ran it never both report it");
    }
}
