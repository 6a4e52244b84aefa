package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

/** Runs until interrupted (at most a minute): a task to terminate. */
@TaskName("it-block")
@ApplicationScoped
public class BlockingTask implements TaskHandler {

    @Override
    public void run(TaskContext ctx) throws InterruptedException {
        Thread.sleep(60_000);
    }
}
