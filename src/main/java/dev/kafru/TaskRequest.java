package dev.kafru;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What to enqueue. Only the handler is required:
 *
 * <pre>{@code
 * queue.push(TaskRequest.of("send-invoice")
 *         .parameters(Map.of("invoice", 1234))
 *         .queue("mail")
 *         .priority(10)
 *         .runAt(Instant.now().plusSeconds(60))
 *         .maxAttempts(5));
 * }</pre>
 */
public final class TaskRequest {

    public static final String DEFAULT_QUEUE = "default";
    public static final int DEFAULT_MAX_ATTEMPTS = 3;
    public static final int MAX_ATTEMPTS_LIMIT = 100;
    public static final int PRIORITY_LIMIT = 1_000_000;
    /** What a handler ({@link TaskName}) or queue name may be: letters, digits, - _ . : (1 to 100 characters). */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9_.:\\-]{1,100}");

    private final String handler;
    /** Null with {@link #queueGiven} false: not given, the handler's {@link TaskOptions} or {@value #DEFAULT_QUEUE}. */
    private String queue;
    private boolean queueGiven;
    private String name;
    private Map<String, Object> parameters = Map.of();
    /** Null: not given (the handler's {@link TaskOptions}, else 0). */
    private Integer priority;
    private Instant runAt;
    /** Null: not given (the handler's {@link TaskOptions}, else {@value #DEFAULT_MAX_ATTEMPTS}). */
    private Integer maxAttempts;
    private Duration timeout;
    private String uniqueKey;
    private Duration uniqueFor;
    private boolean immediate;
    private String author;
    /** Pushed when this task completes ({@link #then}). */
    private List<TaskRequest> then = List.of();
    /** Pushed when this task ends Error or Cancelled ({@link #onFailure}). */
    private List<TaskRequest> onFailure = List.of();
    private List<String> labels = List.of();

    /** The longest time-out a task may have. */
    public static final Duration TIMEOUT_LIMIT = Duration.ofDays(7);
    /** The longest a unique key may be kept after its task finished. */
    public static final Duration UNIQUE_FOR_LIMIT = Duration.ofDays(30);
    /** Characters a unique key may have. */
    public static final int UNIQUE_KEY_LIMIT = 200;
    /** Labels a task may have. */
    public static final int LABELS_LIMIT = 8;
    /** Characters a label may have. */
    public static final int LABEL_LIMIT = 64;
    /** Characters an author may have: room for a long principal name, and for {@code schedule:} and a 200-character schedule name. */
    public static final int AUTHOR_LIMIT = 256;

    private TaskRequest(String handler) {
        this.handler = handler;
    }

    /** A request to run the handler named {@code handler}. */
    public static TaskRequest of(String handler) {
        return new TaskRequest(handler);
    }

    /** The queue it waits in; default: the handler's {@link TaskOptions}, else {@value #DEFAULT_QUEUE}. */
    public TaskRequest queue(String queue) {
        this.queue = queue;
        this.queueGiven = true;
        return this;
    }

    public TaskRequest name(String name) {
        this.name = name;
        return this;
    }

    /** The handler's input: a JSON object (strings, numbers, booleans, null, lists and maps of them). */
    public TaskRequest parameters(Map<String, ?> parameters) {
        this.parameters = parameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        return this;
    }

    /** Higher runs first among the due tasks of one queue; default: the handler's {@link TaskOptions}, else 0. */
    public TaskRequest priority(int priority) {
        this.priority = priority;
        return this;
    }

    /** Not before this time; default now. */
    public TaskRequest runAt(Instant runAt) {
        this.runAt = runAt;
        return this;
    }

    /** Attempts before the task ends Error; default: the handler's {@link TaskOptions}, else 3. */
    public TaskRequest maxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
        return this;
    }

    /**
     * How long one attempt may run: a longer run is interrupted and counts as a failed attempt
     * ("timed out after PT5S"). Default: the handler's {@code @TaskOptions(timeout)}, else none.
     */
    public TaskRequest timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /**
     * While a task with this key in this queue is Waiting or InProgress, a push of this request
     * returns that task instead of adding one (see {@link KafruQueue#push}).
     */
    public TaskRequest uniqueKey(String uniqueKey) {
        this.uniqueKey = uniqueKey;
        return this;
    }

    /** Keeps the {@link #uniqueKey} taken for this long after the task finished; default zero. */
    public TaskRequest uniqueFor(Duration uniqueFor) {
        this.uniqueFor = uniqueFor;
        return this;
    }

    /**
     * Stores the task at once even inside a JTA transaction; by default a push made inside an
     * active transaction is stored when that transaction commits, and never if it rolls back.
     */
    public TaskRequest immediate() {
        this.immediate = true;
        return this;
    }

    /** Who pushed it; kafru sets it from the caller's principal when left out. */
    public TaskRequest author(String author) {
        this.author = author;
        return this;
    }

    /** Tasks a chain may hold in all, counting every level. */
    public static final int CHAIN_LIMIT = 100;

    /**
     * Pushes {@code next} when this task completes — once, by the server that stores the outcome,
     * in the same transaction (a crash cannot lose or repeat it). {@code next} may have followers of
     * its own; it reads this task's result with {@link TaskContext#parentResult()}.
     *
     * <pre>{@code
     * queue.push(TaskRequest.of("resize").then(TaskRequest.of("publish")).onFailure(TaskRequest.of("alert")));
     * }</pre>
     */
    public TaskRequest then(TaskRequest next) {
        this.then = append(this.then, "then", next);
        return this;
    }

    /** Pushes {@code next} when this task ends Error (its attempts are spent) or is Cancelled; once, as {@link #then}. */
    public TaskRequest onFailure(TaskRequest next) {
        this.onFailure = append(this.onFailure, "onFailure", next);
        return this;
    }

    private static List<TaskRequest> append(List<TaskRequest> list, String field, TaskRequest next) {
        if (next == null) {
            throw new InvalidTaskException(field, field + " needs a TaskRequest, not null");
        }
        List<TaskRequest> more = new java.util.ArrayList<>(list);
        more.add(next);
        return List.copyOf(more);
    }

    /** What is pushed when this task completes. */
    public List<TaskRequest> thenRequests() {
        return then;
    }

    /** What is pushed when this task ends Error or Cancelled. */
    public List<TaskRequest> onFailureRequests() {
        return onFailure;
    }

    /** True when something is pushed after this task ({@link #then}, {@link #onFailure}). */
    public boolean hasFollowers() {
        return !then.isEmpty() || !onFailure.isEmpty();
    }

    /**
     * This request with {@code change} applied to each of its followers, at every level (the
     * handler's defaults, the author): a copy when it has followers; the request is not changed.
     */
    public TaskRequest withFollowers(java.util.function.UnaryOperator<TaskRequest> change) {
        if (!hasFollowers()) {
            return this;
        }
        TaskRequest copy = copy();
        copy.then = then.stream().map(r -> change.apply(r).withFollowers(change)).toList();
        copy.onFailure = onFailure.stream().map(r -> change.apply(r).withFollowers(change)).toList();
        return copy;
    }

    /**
     * Labels to find the task by ({@code queue.list(TaskFilter.ANY.withLabel("tenant-7"), 100, 0)},
     * {@code GET /kafru/api/tasks?label=tenant-7}): up to {@value #LABELS_LIMIT}, each 1 to
     * {@value #LABEL_LIMIT} letters, digits, - _ . : or /; repeats are dropped, the order is kept.
     *
     * <pre>{@code
     * queue.push(TaskRequest.of("import-rows").labels("tenant-7", "import"));
     * }</pre>
     */
    public TaskRequest labels(String... labels) {
        return labels(labels == null ? null : java.util.Arrays.asList(labels));
    }

    /** {@link #labels(String...)} from a list; null or empty: none. */
    public TaskRequest labels(List<String> labels) {
        this.labels = labels == null || labels.isEmpty() ? List.of()
                : Collections.unmodifiableList(new java.util.ArrayList<>(new java.util.LinkedHashSet<>(labels)));
        return this;
    }

    /** The labels it is pushed with, empty when none. */
    public List<String> labels() {
        return labels;
    }

    /**
     * This request with {@code author} when it names none, as a copy: the caller's request stays as
     * it was (it may be pushed again by someone else).
     */
    TaskRequest authoredBy(String author) {
        if (this.author != null || author == null) {
            return this;
        }
        TaskRequest copy = copy();
        copy.author = author;
        return copy;
    }

    public Duration timeout() {
        return timeout;
    }

    public String uniqueKey() {
        return uniqueKey;
    }

    public Duration uniqueFor() {
        return uniqueFor;
    }

    public boolean isImmediate() {
        return immediate;
    }

    public String author() {
        return author;
    }

    public String handler() {
        return handler;
    }

    public String queue() {
        return queueGiven ? queue : DEFAULT_QUEUE;
    }

    public String name() {
        return name == null ? handler : name;
    }

    public Map<String, Object> parameters() {
        return parameters;
    }

    public int priority() {
        return priority == null ? 0 : priority;
    }

    public Instant runAt() {
        return runAt;
    }

    public int maxAttempts() {
        return maxAttempts == null ? DEFAULT_MAX_ATTEMPTS : maxAttempts;
    }

    /**
     * This request with the handler's defaults filled in where it gave no value of its own (queue,
     * maxAttempts, priority, timeout); itself when there is nothing to fill. The request is not changed.
     *
     * @param options the handler's {@link TaskOptions}, or null for none
     * @throws InvalidTaskException naming {@code timeout} when the options' timeout is not a duration
     */
    public TaskRequest withDefaults(TaskOptions options) {
        if (options == null) {
            return this;
        }
        boolean fillQueue = !queueGiven && !options.queue().isEmpty();
        boolean fillAttempts = maxAttempts == null && options.maxAttempts() != TaskOptions.UNSET;
        boolean fillPriority = priority == null && options.priority() != TaskOptions.UNSET;
        boolean fillTimeout = timeout == null && !options.timeout().isEmpty();
        if (!fillQueue && !fillAttempts && !fillPriority && !fillTimeout) {
            return this;
        }
        TaskRequest filled = copy();
        if (fillQueue) {
            filled.queue(options.queue());
        }
        if (fillAttempts) {
            filled.maxAttempts = options.maxAttempts();
        }
        if (fillPriority) {
            filled.priority = options.priority();
        }
        if (fillTimeout) {
            filled.timeout = parseTimeout(options.timeout());
        }
        return filled;
    }

    /**
     * A {@link TaskOptions#timeout()}: ISO-8601 ({@code PT30S}) or {@code 500ms}, {@code 30s},
     * {@code 2m}, {@code 1h}, {@code 7d}.
     *
     * @throws InvalidTaskException naming {@code timeout}
     */
    public static Duration parseTimeout(String text) {
        try {
            return dev.kafru.config.Durations.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidTaskException("timeout", "timeout " + e.getMessage());
        }
    }

    private TaskRequest copy() {
        TaskRequest c = new TaskRequest(handler);
        c.queue = queue;
        c.queueGiven = queueGiven;
        c.name = name;
        c.parameters = parameters;
        c.priority = priority;
        c.runAt = runAt;
        c.maxAttempts = maxAttempts;
        c.timeout = timeout;
        c.uniqueKey = uniqueKey;
        c.uniqueFor = uniqueFor;
        c.immediate = immediate;
        c.author = author;
        c.then = then;
        c.onFailure = onFailure;
        c.labels = labels;
        return c;
    }

    /**
     * Checks every field and says which one is wrong and how to fix it.
     *
     * @throws InvalidTaskException naming the field
     */
    public void validate() {
        validateOwn();
        if (hasFollowers()) {
            int[] count = {0};
            checkFollowers(this, "", count);
        }
    }

    private void validateOwn() {
        if (handler == null || handler.isBlank()) {
            throw new InvalidTaskException("handler", "handler is required: give the @TaskName of the bean to run");
        }
        if (!isName(handler)) {
            throw new InvalidTaskException("handler", "handler '" + handler + "' is not a task name (letters, digits, - _ . : ; at most 100)");
        }
        if (!isName(queue())) {
            throw new InvalidTaskException("queue", "queue '" + queue() + "' is not a queue name: use letters, digits, - _ . : (1 to 100 characters)");
        }
        if (name != null && (name.isBlank() || name.length() > 200)) {
            throw new InvalidTaskException("name", "name must be 1 to 200 characters, or left out to use the handler name");
        }
        if (priority() < -PRIORITY_LIMIT || priority() > PRIORITY_LIMIT) {
            throw new InvalidTaskException("priority", "priority " + priority() + " is out of range: use -" + PRIORITY_LIMIT + " to " + PRIORITY_LIMIT);
        }
        if (maxAttempts() < 1 || maxAttempts() > MAX_ATTEMPTS_LIMIT) {
            throw new InvalidTaskException("maxAttempts", "maxAttempts " + maxAttempts() + " is out of range: use 1 to " + MAX_ATTEMPTS_LIMIT);
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(TIMEOUT_LIMIT) > 0)) {
            throw new InvalidTaskException("timeout", "timeout " + timeout + " is out of range: give a positive duration up to "
                    + TIMEOUT_LIMIT + ", e.g. PT30S, or leave it out for no limit");
        }
        if (uniqueKey != null && (uniqueKey.isBlank() || uniqueKey.length() > UNIQUE_KEY_LIMIT)) {
            throw new InvalidTaskException("uniqueKey", "uniqueKey must be 1 to " + UNIQUE_KEY_LIMIT
                    + " characters and not blank, e.g. invoice-42, or left out");
        }
        if (uniqueFor != null) {
            if (uniqueKey == null) {
                throw new InvalidTaskException("uniqueFor", "uniqueFor needs a uniqueKey: give both, or leave uniqueFor out");
            }
            if (uniqueFor.isNegative() || uniqueFor.compareTo(UNIQUE_FOR_LIMIT) > 0) {
                throw new InvalidTaskException("uniqueFor", "uniqueFor " + uniqueFor + " is out of range: use PT0S to "
                        + UNIQUE_FOR_LIMIT + ", e.g. PT1H");
            }
        }
        if (author != null && (author.isBlank() || author.length() > AUTHOR_LIMIT)) {
            throw new InvalidTaskException("author", "author must be 1 to " + AUTHOR_LIMIT + " characters, or left out");
        }
        checkLabels(labels);
        checkJson("parameters", parameters);
        if (hasFollowers() && uniqueKey != null) {
            throw new InvalidTaskException("uniqueKey", "a task with then/onFailure cannot have a uniqueKey: "
                    + "put the key on a task of its own, or leave it out");
        }
    }

    private static void checkFollowers(TaskRequest request, String path, int[] count) {
        for (String field : List.of("then", "onFailure")) {
            List<TaskRequest> next = field.equals("then") ? request.then : request.onFailure;
            for (int i = 0; i < next.size(); i++) {
                String at = path + field + "[" + i + "]";
                if (++count[0] > CHAIN_LIMIT) {
                    throw new InvalidTaskException(field, "a chain may hold at most " + CHAIN_LIMIT
                            + " tasks after its first: push fewer, or use a batch (KafruQueue.batch)");
                }
                TaskRequest r = next.get(i);
                try {
                    r.validateOwn();
                } catch (InvalidTaskException e) {
                    throw new InvalidTaskException(at + "." + e.field(), at + ": " + e.getMessage());
                }
                checkFollowers(r, at + ".", count);
            }
        }
    }

    /** @throws InvalidTaskException naming {@code labels} when one is not a label or there are too many */
    public static void checkLabels(List<String> labels) {
        if (labels.size() > LABELS_LIMIT) {
            throw new InvalidTaskException("labels", "labels has " + labels.size() + " labels: give at most " + LABELS_LIMIT);
        }
        for (String label : labels) {
            if (!isLabel(label)) {
                String shown = label == null ? "null" : "'" + (label.length() > 80 ? label.substring(0, 80) + "…" : label) + "'"
                        + (label.length() > LABEL_LIMIT ? " (" + label.length() + " characters)" : "");
                throw new InvalidTaskException("labels", "labels: " + shown + " is not a label: use 1 to " + LABEL_LIMIT
                        + " letters, digits, - _ . : /, e.g. tenant-7");
            }
        }
    }

    /** Whether {@code text} is a label: 1 to {@value #LABEL_LIMIT} letters, digits, - _ . : or /. */
    public static boolean isLabel(String text) {
        return text != null && text.length() <= LABEL_LIMIT && isName(text.replace('/', '_'));
    }

    /**
     * Whether {@code text} matches {@link #NAME_PATTERN}, without a regular expression: this runs
     * twice for every task pushed (a regex match showed in a push's profile).
     */
    public static boolean isName(String text) {
        if (text == null || text.isEmpty() || text.length() > 100) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '.' || c == ':' || c == '-';
            if (!allowed) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks that {@code value} is JSON-shaped (string, number, boolean, null, lists and maps of
     * them), naming the first part that is not as {@code path...}.
     *
     * @throws InvalidTaskException naming the path
     */
    static void checkJson(String path, Object value) {
        if (value == null || value instanceof String || value instanceof Boolean
                || value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte
                || value instanceof BigInteger) {
            return;
        }
        if (value instanceof Double d && Double.isFinite(d) || value instanceof Float f && Float.isFinite(f)
                || value instanceof BigDecimal) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                if (!(entry.getKey() instanceof String key)) {
                    throw new InvalidTaskException(path, path + " has a key that is not a string: " + entry.getKey());
                }
                checkJson(path + "." + key, entry.getValue());
            }
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                checkJson(path + "[" + i + "]", list.get(i));
            }
            return;
        }
        throw new InvalidTaskException(path, path + " is a " + value.getClass().getName()
                + "; " + path.replaceAll("[.\\[].*", "") + " holds JSON values only (string, number, boolean, null, list, map)");
    }

    @Override
    public String toString() {
        return "TaskRequest[handler=" + handler + ", queue=" + queue() + ", name=" + name() + ", priority=" + priority()
                + ", runAt=" + runAt + ", maxAttempts=" + maxAttempts()
                + (timeout != null ? ", timeout=" + timeout : "") + (uniqueKey != null ? ", uniqueKey=" + uniqueKey : "")
                + (uniqueFor != null ? ", uniqueFor=" + uniqueFor : "") + (immediate ? ", immediate" : "")
                + (author != null ? ", author=" + author : "") + (labels.isEmpty() ? "" : ", labels=" + labels)
                + (then.isEmpty() ? "" : ", then=" + then) + (onFailure.isEmpty() ? "" : ", onFailure=" + onFailure) + "]";
    }

    /**
     * Equal when every field is, including whether queue, priority and maxAttempts were given: a
     * request that leaves them out takes the handler's {@link TaskOptions}, one that gives the same
     * values as the defaults does not.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof TaskRequest r && Objects.equals(handler, r.handler) && queueGiven == r.queueGiven
                && Objects.equals(queue, r.queue)
                && Objects.equals(name(), r.name()) && Objects.equals(parameters, r.parameters)
                && Objects.equals(priority, r.priority) && Objects.equals(runAt, r.runAt)
                && Objects.equals(maxAttempts, r.maxAttempts)
                && Objects.equals(timeout, r.timeout) && Objects.equals(uniqueKey, r.uniqueKey)
                && Objects.equals(uniqueFor, r.uniqueFor) && immediate == r.immediate && Objects.equals(author, r.author)
                && labels.equals(r.labels) && then.equals(r.then) && onFailure.equals(r.onFailure);
    }

    @Override
    public int hashCode() {
        return Objects.hash(handler, queueGiven, queue, name(), parameters, priority, runAt, maxAttempts, timeout, uniqueKey, uniqueFor, immediate, author, labels);
    }
}
