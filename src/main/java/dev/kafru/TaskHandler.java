package dev.kafru;

/**
 * A kind of task. Implement it in a CDI bean that carries {@link TaskName}; every such bean
 * is a handler, found at deployment.
 *
 * <pre>{@code
 * @TaskName("resize-image")
 * @ApplicationScoped
 * public class ResizeImage implements TaskHandler {
 *     @Override
 *     public void run(TaskContext ctx) throws Exception {
 *         String path = ctx.getString("path");
 *         int width = ctx.getInt("width", 800);
 *         ...
 *     }
 * }
 * }</pre>
 *
 * A normal return completes the task. An exception fails the attempt: with attempts left the
 * task runs again later (exponential backoff); after the last one it ends {@code Error} with the
 * exception's message. A task may run again after a server dies mid-run (at-least-once), so
 * make handlers idempotent where that matters.
 */
@FunctionalInterface
public interface TaskHandler {

    void run(TaskContext ctx) throws Exception;
}
