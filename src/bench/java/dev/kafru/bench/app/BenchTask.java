package dev.kafru.bench.app;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The benchmark application's own task: counts its runs; a "mark" task records when it started. */
@TaskName("bench-noop")
@ApplicationScoped
public class BenchTask implements TaskHandler {

    static final AtomicLong RUNS = new AtomicLong();
    /** Task id → when its run started on this server (for push→start latency across servers). */
    static final Map<String, Instant> STARTED = new ConcurrentHashMap<>();

    @Override
    public void run(TaskContext ctx) {
        if (ctx.parameters().containsKey("mark")) {
            STARTED.put(ctx.taskId(), Instant.now());
            synchronized (STARTED) {
                STARTED.notifyAll();
            }
        }
        RUNS.incrementAndGet();
    }
}
