package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.Dependent;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A @Dependent handler: a new instance for every run, destroyed after it. */
@TaskName("it-dependent")
@Dependent
public class DependentTask implements TaskHandler {

    static final AtomicInteger CREATED = new AtomicInteger();
    static final AtomicInteger DESTROYED = new AtomicInteger();
    static final Set<Integer> INSTANCES_THAT_RAN = ConcurrentHashMap.newKeySet();

    private final int instance = CREATED.incrementAndGet();
    private boolean ran;

    @Override
    public void run(TaskContext ctx) {
        if (ran) {
            throw new IllegalStateException("a @Dependent handler instance ran twice");
        }
        ran = true;
        INSTANCES_THAT_RAN.add(instance);
    }

    @PreDestroy
    void destroyed() {
        DESTROYED.incrementAndGet();
    }
}
