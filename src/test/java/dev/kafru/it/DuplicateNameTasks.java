package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

/** Two handlers that claim one name: a deployment holding both must fail. */
public final class DuplicateNameTasks {

    private DuplicateNameTasks() {
    }

    @TaskName("report")
    @ApplicationScoped
    public static class DailyReport implements TaskHandler {
        @Override
        public void run(TaskContext ctx) {
            // never runs: the deployment is refused
        }
    }

    @TaskName("report")
    @ApplicationScoped
    public static class WeeklyReport implements TaskHandler {
        @Override
        public void run(TaskContext ctx) {
            // never runs: the deployment is refused
        }
    }
}
