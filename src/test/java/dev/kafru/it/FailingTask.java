package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

/** Always fails with "boom". */
@TaskName("it-fail")
@ApplicationScoped
public class FailingTask implements TaskHandler {

    @Override
    public void run(TaskContext ctx) {
        throw new IllegalStateException("boom");
    }
}
