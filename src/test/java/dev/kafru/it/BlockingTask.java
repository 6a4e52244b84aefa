package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs until interrupted (at most a minute, or {@code millis}): a task to terminate. With
 * {@code progress}, first reports that many percent done.
 */
@TaskName("it-block")
@ApplicationScoped
public class BlockingTask implements TaskHandler {

    @Override
    public void run(TaskContext ctx) throws InterruptedException {
        if (ctx.parameters().get("progress") != null) {
            ctx.progress(ctx.getLong("progress"), 100, "blocking");
        }
        Thread.sleep(ctx.getLong("millis", 60_000));
    }
}
