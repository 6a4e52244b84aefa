package dev.kafru.sample;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.logging.Logger;

/** The README's sample task: greets whoever its parameters name. Shipped in kafru.war only. */
@TaskName("hello")
@ApplicationScoped
public class HelloTask implements TaskHandler {

    private static final Logger LOG = Logger.getLogger(HelloTask.class.getName());

    @Override
    public void run(TaskContext ctx) {
        String name = ctx.getString("name", "world");
        LOG.info("Hello, " + name + "! (kafru task " + ctx.taskId() + ", attempt " + ctx.attempt() + " of " + ctx.maxAttempts() + ")");
    }
}
