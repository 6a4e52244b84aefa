package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.TaskFailedPermanently;
import dev.kafru.TaskFailure;
import dev.kafru.TaskStatus;
import dev.kafru.store.Outcome;
import dev.kafru.worker.RetryPolicy.RetryAfter;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One run of one claimed task, on the thread that creates it: gives the handler its context,
 * turns what happened into the {@link Outcome} to write (asking the {@link RetryPolicy} about a
 * failure), and can be terminated or cancelled from another thread meanwhile.
 *
 * <p>The outcome is written only by whoever {@link #settle() settles} the execution first: the
 * thread that ran it, a stop that gave the task back to the queue while it was still running, or
 * the {@link TimeoutWatch} that {@link #abandon() abandoned} a run that ignored its time-out.
 *
 * <p>A run that outlives its time-out counts as a failed attempt ("timed out after PT5S",
 * exception {@value #TIMED_OUT}) however it ends: the handler was interrupted, so whatever it
 * returned may be half done, and running it again is the at-least-once promise. A handler that
 * throws {@link TaskFailedPermanently} ends Error at once, without asking the retry policy.
 */
final class TaskExecution {

    private static final Logger LOG = Logger.getLogger(TaskExecution.class.getName());
    static final String TERMINATED = "task has been terminated";
    /** The exception name a time-out is kept under in the task's failures. */
    static final String TIMED_OUT = "TimedOut";

    private final Task task;
    private final java.util.function.Function<String, java.util.Optional<Task>> tasks;
    private final TaskRegistry registry;
    private final RetryPolicy retryPolicy;
    private final Thread thread = Thread.currentThread();
    private final long startedNanos = System.nanoTime();
    private final AtomicBoolean settled = new AtomicBoolean();
    /** Guarded by this: once true, the thread may be running another task and is not interrupted. */
    private boolean done;
    private volatile boolean cancelled;
    private volatile boolean terminated;
    /** Set when the run outlived its time-out. */
    private volatile Duration timedOutAfter;
    /** Guarded by this: an abandoned run's retry, written when its thread returns (see {@link #abandon()}). */
    private Outcome heldRetry;

    /** Where the handler's progress reports go. */
    private final java.util.function.BiConsumer<Task, dev.kafru.TaskProgress> progress;

    /** Call on the thread that will {@link #run()} it: that is the thread a terminate interrupts. */
    TaskExecution(Task task, TaskRegistry registry, RetryPolicy retryPolicy) {
        this(task, registry, retryPolicy, (t, p) -> { });
    }

    /** @param progress told of the handler's progress reports (see {@link ProgressReports}) */
    TaskExecution(Task task, TaskRegistry registry, RetryPolicy retryPolicy,
                  java.util.function.BiConsumer<Task, dev.kafru.TaskProgress> progress) {
        this(task, registry, retryPolicy, progress, key -> java.util.Optional.empty());
    }

    /** {@code tasks} reads a task by key: the parent whose result a chained task may ask for. */
    TaskExecution(Task task, TaskRegistry registry, RetryPolicy retryPolicy,
                  java.util.function.BiConsumer<Task, dev.kafru.TaskProgress> progress,
                  java.util.function.Function<String, java.util.Optional<Task>> tasks) {
        this.tasks = tasks;
        this.task = task;
        this.registry = registry;
        this.retryPolicy = retryPolicy;
        this.progress = progress;
    }

    Task task() {
        return task;
    }

    /** How long one attempt may run: the task's own time-out, else its handler's {@code @TaskOptions}; null for no limit. */
    Duration timeout() {
        return task.timeout() != null ? task.timeout() : registry.defaultTimeout(task.handler());
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
            TaskContext context = new TaskContext(task, () -> cancelled, progress, tasks);
            registry.run(task.handler(), context);
            // a handler that finished its work although a cancel came is Completed: that is what happened
            if (timedOutAfter != null) {
                return failed(new TimeoutException(timedOutMessage()));
            }
            if (context.hasResult() && context.result() != null) {
                int length = JsonLength.of(context.result(), registry.resultLimit() + 1);
                if (length > registry.resultLimit()) {
                    return failed(new TaskFailedPermanently("the result is over kafru.worker.result-limit ("
                            + registry.resultLimit() + " characters of JSON): return less (a key to where the data is), or raise the limit"));
                }
                return Outcome.completed(task.id(), context.result());
            }
            return Outcome.completed(task.id());
        } catch (Throwable e) {
            if (e instanceof Error error && !(e instanceof AssertionError)) {
                LOG.log(Level.SEVERE, "task " + task.id() + " (" + task.handler() + ") threw " + error, error);
            }
            return failed(e);
        }
    }

    private Outcome failed(Throwable thrown) {
        String cancel = cancelledBy;
        if (cancel != null) {
            return new Outcome(task.id(), task.queue(), TaskStatus.Cancelled, cancel, null);
        }
        if (terminated) {
            return Outcome.failed(task.id(), TERMINATED).with(failure("Terminated", TERMINATED, null));
        }
        Throwable e = thrown;
        String exception = e.getClass().getName();
        if (timedOutAfter != null) {
            // the retry policy is asked about a TimeoutException, whatever the interrupted handler threw
            e = thrown instanceof TimeoutException ? thrown : new TimeoutException(timedOutMessage());
            if (e != thrown) {
                e.initCause(thrown);
            }
            exception = TIMED_OUT;
        }
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        TaskFailure failure = failure(exception, message, e);
        if (e instanceof TaskFailedPermanently) {
            logFailure(e, "it ends Error at once (TaskFailedPermanently)", true);
            return Outcome.failed(task.id(), message).with(failure);
        }
        if (registry.retryPolicy(task.handler(), retryPolicy).onFailure(task, e) instanceof RetryAfter retry) {
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

    private String timedOutMessage() {
        return "timed out after " + timedOutAfter;
    }

    /** True for the one caller that gets to report how this execution ended. */
    boolean settle() {
        return settled.compareAndSet(false, true);
    }

    /**
     * The run outlived its time-out: asks the handler to stop and interrupts it; from now on the
     * attempt counts as failed however it ends.
     *
     * @return false when the run had already ended (nothing to do)
     */
    boolean timeOut(Duration after) {
        synchronized (this) {
            if (done || settled.get()) {
                return false;
            }
            timedOutAfter = after;
        }
        cancel();
        return true;
    }

    /**
     * Gives up on a run that ignored its time-out's interrupt for the grace period: reports its
     * thread (WARNING, with the thread's name and stack) and decides the attempt as a time-out.
     * An Error is returned, to be written now. A retry is held and written only when the thread
     * returns ({@link #finish}): until then the task stays InProgress under this server's lease, so
     * neither this server nor another starts it again while the old run may still be working on it.
     *
     * @return the outcome to write now, or null (the run ended meanwhile, or its retry is held)
     */
    synchronized Outcome abandon() {
        if (done || !settle()) {
            return null;
        }
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement frame : thread.getStackTrace()) {
            stack.append("\n\tat ").append(frame);
        }
        Outcome outcome = failed(new TimeoutException(timedOutMessage()));
        LOG.warning("task " + task.id() + " (handler " + task.handler() + ") ignored its time-out's interrupt for the grace"
                + " period (kafru.worker.abandon-after) and is abandoned; its thread '" + thread.getName() + "' is still running"
                + " it and its slot stays busy until it returns; "
                + (outcome.status() == TaskStatus.Waiting ? "its retry is written when the thread returns" : "it ends Error now")
                + ". The thread is at:" + stack);
        if (outcome.status() == TaskStatus.Waiting) {
            heldRetry = outcome;
            return null;
        }
        return outcome;
    }

    /**
     * What the thread that ran it writes, now that it returned: its own outcome when it settles
     * the execution, an abandoned run's held retry, or null (someone else reported it).
     */
    synchronized Outcome finish(Outcome outcome) {
        if (settle()) {
            return outcome;
        }
        return takeHeldRetry();
    }

    /** True while an abandoned run's retry waits for its thread to return. */
    synchronized boolean holdsRetry() {
        return heldRetry != null;
    }

    /** What the task says while its abandoned run's thread is out: which thread, and that its retry waits for it. */
    String abandonedNote(String owner) {
        return timedOutMessage() + " and abandoned: its thread '" + thread.getName() + "' on " + owner
                + " has not returned (kafru.worker.abandon-after); the task is run again once it does";
    }

    /** An abandoned run's held retry, once (a stop writes it: the server is leaving and keeps no lease). */
    synchronized Outcome takeHeldRetry() {
        Outcome held = heldRetry;
        heldRetry = null;
        return held;
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

    /** Why the task was cancelled while it ran ({@link #cancelTask}); null unless it was. */
    private volatile String cancelledBy;

    /**
     * A user's cancel of the running task: the handler is asked to stop and interrupted; the task
     * ends Cancelled with {@code message} unless the handler completes anyway.
     */
    void cancelTask(String message) {
        cancelledBy = message;
        cancel();
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
