package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fails the first run of each task with "failing once, as asked" and succeeds after: with one
 * attempt the task ends Error, and a retry (attempts counted from zero again) completes it.
 */
@TaskName("it-fail-once")
@ApplicationScoped
public class OnceFailingTask implements TaskHandler {

    private final Set<String> failed = ConcurrentHashMap.newKeySet();

    @Override
    public void run(TaskContext ctx) {
        if (failed.add(ctx.taskId())) {
            throw new IllegalStateException("failing once, as asked");
        }
    }
}
