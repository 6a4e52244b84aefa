package dev.kafru;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.BooleanSupplier;

/**
 * What a running task knows about itself: its parameters, identity and attempt, and whether it
 * has been asked to stop.
 */
public final class TaskContext {

    private static final BiConsumer<Task, TaskProgress> KEEP_PROGRESS_HERE = (task, progress) -> { };

    private final Task task;
    private final BooleanSupplier cancelled;
    private final BiConsumer<Task, TaskProgress> onProgress;
    private volatile Object result;
    private volatile boolean resultGiven;
    private volatile TaskProgress progress;

    private final Function<String, Optional<Task>> tasks;

    /** A context whose progress reports are kept here only ({@link #progress()}). */
    public TaskContext(Task task, BooleanSupplier cancelled) {
        this(task, cancelled, KEEP_PROGRESS_HERE);
    }

    /**
     * @param onProgress told of each report that moves the task's progress forward (the worker
     *                   stores them, batched: see {@link #progress(long, long, String)})
     */
    public TaskContext(Task task, BooleanSupplier cancelled, BiConsumer<Task, TaskProgress> onProgress) {
        this(task, cancelled, onProgress, key -> Optional.empty());
    }

    /** {@code tasks} reads a task by key (for {@link #parentResult()}). */
    public TaskContext(Task task, BooleanSupplier cancelled, BiConsumer<Task, TaskProgress> onProgress,
                       Function<String, Optional<Task>> tasks) {
        this.task = task;
        this.cancelled = cancelled;
        this.onProgress = onProgress;
        this.tasks = tasks;
    }

    /** The task whose end pushed this one ({@link TaskRequest#then}, {@link TaskRequest#onFailure}), or null. */
    public String parentId() {
        return task.parent();
    }

    /**
     * What the parent task gave {@link #result(Object)}, read when asked; null when this task has no
     * parent, the parent gave none, or it was deleted since (retention).
     */
    public Object parentResult() {
        return task.parent() == null ? null : tasks.apply(task.parent()).map(Task::result).orElse(null);
    }

    /**
     * The batch this task is a member of, or whose end pushed it ({@link KafruQueue#batch}); read its
     * counts with {@link KafruQueue#getBatch}. Null when none.
     */
    public String batchId() {
        return task.batch();
    }

    public String taskId() {
        return task.id();
    }

    public String name() {
        return task.name();
    }

    public String queue() {
        return task.queue();
    }

    public String handler() {
        return task.handler();
    }

    /** 1 on the first attempt. */
    public int attempt() {
        return task.attempts();
    }

    public int maxAttempts() {
        return task.maxAttempts();
    }

    /** The task's parameters, as pushed (a JSON object). */
    public Map<String, Object> parameters() {
        return task.parameters();
    }

    /**
     * What this run gives back, stored on the task when it completes and returned by
     * {@link KafruQueue#get}: a JSON value (string, number — {@code BigDecimal} kept exact —,
     * boolean, null, lists and maps of them), at most {@code kafru.worker.result-limit} as JSON.
     * The last call wins.
     *
     * @throws TaskFailedPermanently naming the part of {@code value} that is not JSON (the task ends Error)
     */
    public void result(Object value) {
        try {
            TaskRequest.checkJson("result", value);
        } catch (InvalidTaskException e) {
            throw new TaskFailedPermanently(e.getMessage(), e);
        }
        this.result = value;
        this.resultGiven = true;
    }

    /** The value given to {@link #result(Object)}, or null. */
    public Object result() {
        return result;
    }

    /** Whether {@link #result(Object)} was called. */
    public boolean hasResult() {
        return resultGiven;
    }

    /**
     * Says how far the task got, for the admin API and the dashboard: call it as often as is
     * convenient — kafru stores a task's progress at most about once a second, on one write for
     * all the server's tasks. Progress never goes backwards: a report behind the last one (a
     * smaller share of its total, say a retry starting again) changes nothing. A task that
     * completes reads 100%.
     * <pre>{@code
     * for (int i = 0; i < rows.size(); i++) {
     *     importRow(rows.get(i));
     *     ctx.progress(i + 1, rows.size(), "importing " + file);
     * }
     * }</pre>
     *
     * @param done  units done: 0 to {@code total}
     * @param total units in all: at least 1
     * @param note  what it is doing, for people (at most {@link TaskProgress#NOTE_LIMIT} characters), or null
     * @throws IllegalArgumentException naming the argument that is out of range
     */
    public void progress(long done, long total, String note) {
        if (total < 1) {
            throw new IllegalArgumentException("progress: total is " + total + "; it must be at least 1 (the units of work in all)");
        }
        if (done < 0) {
            throw new IllegalArgumentException("progress: done is " + done + "; it must be 0 or more");
        }
        if (done > total) {
            throw new IllegalArgumentException("progress: done (" + done + ") is more than total (" + total
                    + "); say done of total, at most total");
        }
        if (note != null && note.length() > TaskProgress.NOTE_LIMIT) {
            throw new IllegalArgumentException("progress: note has " + note.length() + " characters; at most "
                    + TaskProgress.NOTE_LIMIT + " (TaskProgress.NOTE_LIMIT): shorten it");
        }
        TaskProgress report = new TaskProgress(done, total, note, Instant.now());
        synchronized (this) {
            if (report.isBehind(progress)) {
                return;
            }
            progress = report;
        }
        onProgress.accept(task, report);
    }

    /** {@link #progress(long, long, String)} without a note. */
    public void progress(long done, long total) {
        progress(done, total, null);
    }

    /** The furthest progress this run reported, or null. */
    public TaskProgress progress() {
        return progress;
    }

    /** True once the task has been terminated or the server is shutting down; stop soon. */
    public boolean isCancelled() {
        return cancelled.getAsBoolean() || Thread.currentThread().isInterrupted();
    }

    /** Throws {@link InterruptedException} when {@link #isCancelled()}: a convenient check in loops. */
    public void checkCancelled() throws InterruptedException {
        if (isCancelled()) {
            throw new InterruptedException("task " + task.id() + " was cancelled");
        }
    }

    /** A required string parameter. */
    public String getString(String key) {
        Object value = require(key);
        if (!(value instanceof String s)) {
            throw wrongType(key, value, "a string");
        }
        return s;
    }

    public String getString(String key, String fallback) {
        return parameters().get(key) == null ? fallback : getString(key);
    }

    /** A required whole-number parameter. */
    public long getLong(String key) {
        Object value = require(key);
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw wrongType(key, value, "a whole number");
    }

    public long getLong(String key, long fallback) {
        return parameters().get(key) == null ? fallback : getLong(key);
    }

    public int getInt(String key) {
        long value = getLong(key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw wrongType(key, value, "a whole number that fits an int");
        }
        return (int) value;
    }

    public int getInt(String key, int fallback) {
        return parameters().get(key) == null ? fallback : getInt(key);
    }

    public double getDouble(String key) {
        Object value = require(key);
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw wrongType(key, value, "a number");
    }

    public boolean getBoolean(String key) {
        Object value = require(key);
        if (value instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, value, "true or false");
    }

    public boolean getBoolean(String key, boolean fallback) {
        return parameters().get(key) == null ? fallback : getBoolean(key);
    }

    private Object require(String key) {
        Object value = parameters().get(key);
        if (value == null) {
            throw new IllegalArgumentException("task " + task.id() + " (" + task.handler() + ") has no parameter '" + key + "'");
        }
        return value;
    }

    private IllegalArgumentException wrongType(String key, Object value, String expected) {
        return new IllegalArgumentException("parameter '" + key + "' of task " + task.id() + " should be " + expected
                + " but is " + value);
    }
}
