package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.store.surreal.SurrealDatabase;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;

/**
 * Records each execution in the database (table it_executions: task, server) as it starts —
 * durable, so that executions on a server killed with SIGKILL still count — then sleeps
 * {@code sleepMillis}.
 */
@TaskName("it-record")
@ApplicationScoped
public class RecordingTask implements TaskHandler {

    @Inject
    SurrealDatabase database;

    @Inject
    @ConfigProperty(name = "kafru.server.name")
    String server;

    @Override
    public void run(TaskContext ctx) throws Exception {
        database.connection().query("CREATE it_executions SET task = $task, server = $server, at = time::now()",
                Map.of("task", ctx.taskId(), "server", server));
        Thread.sleep(ctx.getLong("sleepMillis", 0));
    }
}
