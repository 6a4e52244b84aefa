package dev.kafru.sampleapp;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.logging.Logger;

/** The application's own task: kafru finds it by its @TaskName and runs it on the server's executor. */
@TaskName("sample-greeting")
@ApplicationScoped
public class Greeting implements TaskHandler {

    private static final Logger LOG = Logger.getLogger(Greeting.class.getName());

    @Override
    public void run(TaskContext ctx) {
        LOG.info("sample-app greeted " + ctx.getString("name") + " in task " + ctx.taskId());
    }
}
