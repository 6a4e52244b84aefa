package dev.kafru.it;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@code @ApplicationScoped} handler whose run is {@code @Transactional}: it records, per task,
 * whether a transaction was active and which instance ran — the interceptor must apply however
 * kafru reaches the bean.
 */
@TaskName("it-transactional")
@ApplicationScoped
public class TransactionalTask implements TaskHandler {

    @Resource
    TransactionSynchronizationRegistry transaction;

    final Map<String, Integer> statusByTask = new ConcurrentHashMap<>();
    final Map<String, Integer> instanceByTask = new ConcurrentHashMap<>();
    final Map<String, Boolean> throughClientProxyByTask = new ConcurrentHashMap<>();

    // read through methods: the test holds a client proxy, whose own fields are empty

    /** The transaction status the run saw ({@code jakarta.transaction.Status}), or null if it did not run. */
    public Integer statusSeenBy(String taskId) {
        return statusByTask.get(taskId);
    }

    /** The identity of the instance that ran the task, or null if it did not run. */
    public Integer instanceThatRan(String taskId) {
        return instanceByTask.get(taskId);
    }

    /** Whether a CDI client proxy was on the stack of the task's run (null if it did not run). */
    public Boolean ranThroughClientProxy(String taskId) {
        return throughClientProxyByTask.get(taskId);
    }

    /** The identity of this instance (the one behind the caller's proxy). */
    public int instance() {
        return System.identityHashCode(this);
    }

    @Override
    @Transactional
    public void run(TaskContext ctx) {
        statusByTask.put(ctx.taskId(), transaction.getTransactionStatus());
        instanceByTask.put(ctx.taskId(), System.identityHashCode(this));
        throughClientProxyByTask.put(ctx.taskId(), StackWalker.getInstance().walk(frames -> frames
                .anyMatch(f -> f.getClassName().contains("ClientProxy"))));
    }

    /** The same as a {@code @Dependent} bean: an instance per run, made by kafru on the worker's thread. */
    @TaskName("it-transactional-dependent")
    @jakarta.enterprise.context.Dependent
    public static class PerRun implements TaskHandler {

        static final Map<String, Integer> STATUS_BY_TASK = new ConcurrentHashMap<>();

        @Resource
        TransactionSynchronizationRegistry transaction;

        @Override
        @Transactional
        public void run(TaskContext ctx) {
            STATUS_BY_TASK.put(ctx.taskId(), transaction.getTransactionStatus());
        }
    }
}
