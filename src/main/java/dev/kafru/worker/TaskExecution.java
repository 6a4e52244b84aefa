package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.TaskFailure;
import dev.kafru.store.Outcome;
import dev.kafru.worker.RetryPolicy.RetryAfter;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One run of one claimed task, on the thread that creates it: gives the handler its context,
 * turns what happened into the {@link Outcome} to write (asking the {@link RetryPolicy} about a
 * failure), and can be terminated or cancelled from another thread meanwhile.
 *
 * <p>The outcome is written only by whoever {@link #settle() settles} the execution first: the
 * thread that ran it, or a stop that gave the task back to the queue while it was still running.
 */
final class TaskExecution {

    private static final Logger LOG = Logger.getLogger(TaskExecution.class.getName());
    static final String TERMINATED = "task has been terminated";

    private final Task task;
    private final TaskRegistry registry;
    private final RetryPolicy retryPolicy;
    private final Thread thread = Thread.currentThread();
    private final long startedNanos = System.nanoTime();
    private final AtomicBoolean settled = new AtomicBoolean();
    /** Guarded by this: once true, the thread may be running another task and is not interrupted. */
    private boolean done;
    private volatile boolean cancelled;
    private volatile boolean terminated;

    /** Call on the thread that will {@link #run()} it: that is the thread a terminate interrupts. */
    TaskExecution(Task task, TaskRegistry registry, RetryPolicy retryPolicy) {
        this.task = task;
        this.registry = registry;
        this.retryPolicy = retryPolicy;
    }

    Task task() {
        return task;
    }

    /** {@link System#nanoTime()} when it began. */
    long startedNanos() {
        return startedNanos;
    }

    /**
     * Runs the task's handler and returns the outcome: Completed; Error for an unknown handler or
     * a terminated task; for a failure, Waiting or Error as the retry policy decides.
     */
    Outcome run() {
        try {
            if (!registry.has(task.handler())) {
                String unknown = registry.unknown(task.handler());
                return Outcome.failed(task.id(), unknown).with(failure("UnknownHandler", unknown, null));
            }
            registry.run(task.handler(), new TaskContext(task, () -> cancelled));
            return Outcome.completed(task.id());
        } catch (Throwable e) {
            if (e instanceof Error error && !(e instanceof AssertionError)) {
                LOG.log(Level.SEVERE, "task " + task.id() + " (" + task.handler() + ") threw " + error, error);
            }
            return failed(e);
        }
    }

    private Outcome failed(Throwable e) {
        if (terminated) {
            return Outcome.failed(task.id(), TERMINATED).with(failure("Terminated", TERMINATED, null));
        }
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        TaskFailure failure = failure(e.getClass().getName(), message, e);
        if (retryPolicy.onFailure(task, e) instanceof RetryAfter retry) {
            logFailure(e, "will run again in " + retry.pause().toMillis() + " ms", false);
            return Outcome.retry(task.id(), task.queue(), message, retry.pause()).with(failure);
        }
        logFailure(e, "it ends Error", true);
        return Outcome.failed(task.id(), message).with(failure);
    }

    /** This attempt's failure as the task's history keeps it: the stack trace cut at {@link TaskFailure#STACK_LIMIT}. */
    private TaskFailure failure(String exception, String message, Throwable e) {
        String stack = null;
        if (e != null) {
            java.io.StringWriter text = new java.io.StringWriter();
            e.printStackTrace(new java.io.PrintWriter(text));
            stack = text.toString();
            if (stack.length() > TaskFailure.STACK_LIMIT) {
                stack = stack.substring(0, TaskFailure.STACK_LIMIT - 20) + "\n\t... (cut at 8 KiB)";
            }
        }
        return new TaskFailure(task.attempts(), java.time.Instant.now(), task.owner(), exception, message, stack);
    }

    /**
     * One WARNING per failed attempt: task id, handler, attempt n of max, the exception's class and
     * message, and what follows; the stack trace with it on the final failure, and at FINE before.
     */
    private void logFailure(Throwable e, String then, boolean last) {
        String line = "task " + task.id() + " (handler " + task.handler() + ", queue " + task.queue() + ") failed attempt "
                + task.attempts() + " of " + task.maxAttempts() + ": " + e.getClass().getName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "; " + then;
        if (last) {
            LOG.log(Level.WARNING, line, e);
        } else {
            LOG.warning(line);
            LOG.log(Level.FINE, "the stack trace of task " + task.id() + "'s attempt " + task.attempts(), e);
        }
    }

    /** True for the one caller that gets to report how this execution ended. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /**
     * Marks the run over, on its thread: from now on nothing interrupts that thread for this task,
     * and an interrupt that came as the task ended is cleared so it does not reach the next one.
     */
    void ended() {
        synchronized (this) {
            done = true;
        }
        Thread.interrupted();
    }

    /** An operator's terminate: the handler is asked to stop and interrupted; the task ends Error. */
    void terminate() {
        terminated = true;
        cancel();
    }

    /** Asks the handler to stop ({@link TaskContext#isCancelled()}) and interrupts it. */
    void cancel() {
        cancelled = true;
        interrupt();
    }

    /** Interrupts the thread running this task, unless the task has ended (the thread may be on another by now). */
    private synchronized void interrupt() {
        if (!done) {
            thread.interrupt();
        }
    }
}
