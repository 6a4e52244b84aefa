package dev.kafru.it;

import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.TaskOptions;
import dev.kafru.worker.RetryPolicy;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;

/**
 * A handler with {@link TaskOptions} and a retry policy of its own: parameter {@code fail} =
 * "bad-input" throws IllegalArgumentException (never retried), "sleep" sleeps past its time-out.
 */
@TaskName("it-options")
@TaskOptions(queue = "second", maxAttempts = 4, timeout = "PT1S", priority = 7)
@ApplicationScoped
public class OptionedTask implements TaskHandler {

    @Override
    public void run(TaskContext ctx) throws Exception {
        switch (ctx.getString("fail", "")) {
            case "bad-input" -> throw new IllegalArgumentException("no such customer");
            case "sleep" -> Thread.sleep(60_000); // only the time-out's interrupt ends it
            default -> {
            }
        }
    }

    /** it-options' own policy: bad input is never retried, the rest soon. */
    @TaskName("it-options")
    @ApplicationScoped
    public static class NeverRetryBadInput implements RetryPolicy {
        @Override
        public Decision onFailure(Task task, Throwable failure) {
            if (failure instanceof IllegalArgumentException || task.attempts() >= task.maxAttempts()) {
                return RetryPolicy.failForGood();
            }
            return RetryPolicy.retryAfter(Duration.ofMillis(50));
        }
    }
}
