package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

/** Fails its first attempt with "flaky", succeeds on the next: a task that is retried once. */
@TaskName("it-flaky")
@ApplicationScoped
public class FlakyTask implements TaskHandler {

    @Override
    public void run(TaskContext ctx) {
        if (ctx.attempt() == 1) {
            throw new IllegalStateException("flaky");
        }
    }
}
