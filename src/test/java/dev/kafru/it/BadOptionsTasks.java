package dev.kafru.it;

import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.TaskOptions;
import dev.kafru.worker.RetryPolicy;
import jakarta.enterprise.context.ApplicationScoped;

/** Handlers whose @TaskOptions cannot be used, and a retry policy for a handler that does not exist: each fails deployment. */
public final class BadOptionsTasks {

    private BadOptionsTasks() {
    }

    /** Does nothing: these handlers never run. */
    abstract static class Idle implements TaskHandler {
        @Override
        public void run(TaskContext context) {
        }
    }

    @TaskName("it-no-attempts")
    @TaskOptions(maxAttempts = 0)
    @ApplicationScoped
    public static class NoAttempts extends Idle {
    }

    @TaskName("it-soon")
    @TaskOptions(timeout = "soon")
    @ApplicationScoped
    public static class SoonTimeout extends Idle {
    }

    @TaskName("it-spaced-queue")
    @TaskOptions(queue = "mail queue")
    @ApplicationScoped
    public static class SpacedQueue extends Idle {
    }

    @TaskName("it-high-priority")
    @TaskOptions(priority = 2_000_000)
    @ApplicationScoped
    public static class HighPriority extends Idle {
    }

    @TaskName("no-such-handler")
    @ApplicationScoped
    public static class RetryForNobody implements RetryPolicy {
        @Override
        public Decision onFailure(Task task, Throwable failure) {
            return RetryPolicy.failForGood();
        }
    }
}
