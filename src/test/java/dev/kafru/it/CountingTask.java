package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts its executions per task id, and how many ran at once per queue. */
@TaskName("it-count")
@ApplicationScoped
public class CountingTask implements TaskHandler {

    final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> runningNow = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> mostAtOnce = new ConcurrentHashMap<>();

    // read through methods: the test holds a client proxy, whose own fields are empty

    public int executionsOf(String taskId) {
        AtomicInteger n = executions.get(taskId);
        return n == null ? 0 : n.get();
    }

    public int distinctTasks() {
        return executions.size();
    }

    public int mostAtOnce(String queue) {
        AtomicInteger n = mostAtOnce.get(queue);
        return n == null ? 0 : n.get();
    }

    @Override
    public void run(TaskContext ctx) throws Exception {
        AtomicInteger now = runningNow.computeIfAbsent(ctx.queue(), q -> new AtomicInteger());
        int running = now.incrementAndGet();
        mostAtOnce.computeIfAbsent(ctx.queue(), q -> new AtomicInteger()).accumulateAndGet(running, Math::max);
        try {
            executions.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet();
            Thread.sleep(ctx.getLong("sleepMillis", 2));
        } finally {
            now.decrementAndGet();
        }
    }
}
