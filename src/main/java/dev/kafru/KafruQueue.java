package dev.kafru;

import dev.kafru.store.AgentRepository;
import dev.kafru.store.MetricRepository;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.store.MinuteCount;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.store.TaskRepository;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Enqueue and manage tasks — the crate's {@code Queue}. Inject it anywhere:
 *
 * <pre>{@code
 * @Inject KafruQueue queue;
 *
 * Task task = queue.push(TaskRequest.of("send-invoice").parameters(Map.of("invoice", 1234)));
 * }</pre>
 *
 * A push wakes this server's worker for the queue at once; other servers hear of it through a
 * live query on one signal row per push (not one per task). Bad input throws {@link InvalidTaskException} naming the field, and nothing is
 * stored.
 */
@ApplicationScoped
public class KafruQueue {

    @Inject
    StoreLifecycle storage;

    @Inject
    TaskRepository tasks;

    @Inject
    AgentRepository agents;

    @Inject
    MetricRepository metrics;

    @Inject
    TaskRegistry registry;

    @Inject
    Workers workers;

    @Inject
    Callers callers;

    @Inject
    KafruAgents kafruAgents;

    /** Pushes inside a JTA transaction wait for its commit; written as any other push. */
    private final PushesOnCommit onCommit = new PushesOnCommit(this::writeStatements, PUSH_STATEMENT_ROWS);

    /** Tasks per INSERT statement of {@link #pushAll}; a statement's tasks of one queue and priority, due at once, are also one push batch for the claims. */
    public static final int PUSH_STATEMENT_ROWS = 500;
    /**
     * Statements of one {@link #pushAll} sent before the first is answered: the engine runs them side by side
     * with the workers' claims. A pushAll of 10,000 while two Payara servers claimed took 1.1–1.9 s here
     * with 3, and with 8 under 1.5 s in 16 of 18 runs (README, Benchmark); 16 gave nothing more.
     */
    public static final int PUSH_STATEMENTS_IN_FLIGHT = 8;

    /** Enqueues a task for the handler with these parameters, on the default queue. */
    public Task push(String handler, Map<String, ?> parameters) {
        return push(TaskRequest.of(handler).parameters(parameters));
    }

    /**
     * Enqueues one task. Inside an active JTA transaction it is stored when the transaction
     * commits, and never if it rolls back (unless the request is {@link TaskRequest#immediate()});
     * its id is made now. Otherwise, when this server's worker for the queue has a free thread and
     * no due backlog, a task due now is stored already claimed and starts at once (one round trip).
     */
    public Task push(TaskRequest given) {
        TaskRequest request = withHandlerDefaults(given);
        if (request != null && request.uniqueKey() != null) {
            return pushIfAbsent(request).task(); // stored at once, also in a transaction: its answer is what is stored
        }
        if (request != null && (request.runAt() == null || !request.runAt().isAfter(Instant.now())) && !request.hasFollowers()
                && (request.isImmediate() || onCommit.current() == null)) {
            TaskRequest checked = checked(request);
            QueueDispatcher dispatcher = workers.dispatcher(checked.queue());
            if (dispatcher != null && dispatcher.tryHandOff(checked.handler())) {
                Task task;
                try {
                    workers.register(List.of(checked.queue()));
                    task = store().insertClaimed(checked, dispatcher.owner(), dispatcher.settings().lease());
                } catch (RuntimeException e) {
                    dispatcher.handOffFailed();
                    throw e;
                }
                dispatcher.handedOff(task);
                return task;
            }
        }
        return pushAll(List.of(request)).get(0);
    }

    /**
     * Enqueues one task unless its {@link TaskRequest#uniqueKey unique key} is taken in its queue
     * (by a task Waiting or InProgress, or finished less than its {@link TaskRequest#uniqueFor}
     * ago), and says which happened. Race-free across servers. A request without a unique key is
     * always stored.
     *
     * <pre>{@code
     * Pushed pushed = queue.pushIfAbsent(TaskRequest.of("send-invoice").uniqueKey("invoice-42"));
     * if (!pushed.created()) { log.info("invoice 42 is already on its way: " + pushed.task().id()); }
     * }</pre>
     */
    public Pushed pushIfAbsent(TaskRequest given) {
        if (given == null || given.uniqueKey() == null) {
            return new Pushed(push(given), true);
        }
        TaskRequest request = checked(withHandlerDefaults(given));
        workers.register(List.of(request.queue()));
        Pushed pushed = store().insertUnique(List.of(request)).get(0);
        if (pushed.created()) {
            workers.wake(request.queue(), pushed.task().runAt());
        }
        return pushed;
    }

    /**
     * Enqueues many tasks in as few round trips as possible (500 per statement, eight statements in
     * flight), with one wake-up signal per statement and queue, not one per task. All are checked
     * before any is stored; each statement is its own transaction, so if SurrealDB fails midway
     * the statements answered before are stored (the exception says what failed). Inside an active
     * JTA transaction the tasks are stored when it commits, with the transaction's other pushes in
     * one write, and never if it rolls back (except {@link TaskRequest#immediate()} ones).
     *
     * @return the tasks as stored, in the order given; an unmodifiable list (copy it to change it)
     */
    public List<Task> pushAll(List<TaskRequest> given) {
        if (given == null || given.isEmpty()) {
            return List.of();
        }
        List<TaskRequest> checked = new ArrayList<>(given.size());
        String caller = callers.name();
        for (int i = 0; i < given.size(); i++) {
            TaskRequest request = withHandlerDefaults(given.get(i));
            if (request == null) {
                throw new InvalidTaskException("tasks[" + i + "]", "tasks[" + i + "] is null");
            }
            try {
                checked.add(checked(request, caller));
            } catch (InvalidTaskException e) {
                throw given.size() == 1 ? e : new InvalidTaskException(e.field(), "tasks[" + i + "]: " + e.getMessage());
            }
        }
        if (checked.stream().anyMatch(r -> r.uniqueKey() != null)) {
            return pushAllWithUniqueKeys(checked);
        }
        PushesOnCommit.Held held = onCommit.current();
        if (held == null) {
            return write(checked);
        }
        List<TaskRequest> now = checked.stream().filter(TaskRequest::isImmediate).toList();
        List<TaskRequest> later = now.isEmpty() ? checked : checked.stream().filter(r -> !r.isImmediate()).toList();
        List<Task> heldTasks = new ArrayList<>(later.size());
        Instant pushed = Instant.now();
        for (PushesOnCommit.Statement statement : statements(later)) {
            if (!held.add(statement.requests(), statement.keys())) {
                heldTasks.addAll(writeStatements(List.of(statement))); // the transaction is ending already: store at once
                continue;
            }
            for (int i = 0; i < statement.keys().size(); i++) {
                heldTasks.add(Task.waiting(statement.keys().get(i), statement.requests().get(i), pushed));
            }
        }
        if (now.isEmpty()) {
            return heldTasks;
        }
        Iterator<Task> stored = write(now).iterator();
        Iterator<Task> waiting = heldTasks.iterator();
        List<Task> tasks = new ArrayList<>(checked.size());
        for (TaskRequest request : checked) {
            tasks.add(request.isImmediate() ? stored.next() : waiting.next());
        }
        return tasks;
    }

    /** The requests in statements of {@value #PUSH_STATEMENT_ROWS}, with their keys made. */
    private List<PushesOnCommit.Statement> statements(List<TaskRequest> requests) {
        int count = statementCount(requests);
        List<PushesOnCommit.Statement> statements = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            statements.add(statement(requests, i));
        }
        return statements;
    }

    private static int statementCount(List<TaskRequest> requests) {
        return (requests.size() + PUSH_STATEMENT_ROWS - 1) / PUSH_STATEMENT_ROWS;
    }

    /** Statement {@code i} of the requests, its keys made now. */
    private PushesOnCommit.Statement statement(List<TaskRequest> requests, int i) {
        List<TaskRequest> chunk = requests.subList(i * PUSH_STATEMENT_ROWS, Math.min(requests.size(), (i + 1) * PUSH_STATEMENT_ROWS));
        return new PushesOnCommit.Statement(chunk, tasks.newKeys(chunk));
    }

    /**
     * Stores the requests in statements of {@value #PUSH_STATEMENT_ROWS}, each statement's keys
     * made just before it is sent: a pushAll of a million starts writing at once, not after a
     * million keys.
     */
    private List<Task> write(List<TaskRequest> requests) {
        return write(requests.stream().map(TaskRequest::queue).distinct().toList(), statementCount(requests),
                i -> statement(requests, i));
    }

    /** Stores statements whose keys were made before (pushes held for a transaction's commit). */
    private List<Task> writeStatements(List<PushesOnCommit.Statement> statements) {
        List<String> queues = statements.stream().flatMap(s -> s.requests().stream()).map(TaskRequest::queue).distinct().toList();
        return write(queues, statements.size(), statements::get);
    }

    /**
     * Stores the statements, {@value #PUSH_STATEMENTS_IN_FLIGHT} in flight, each answered by waking
     * this server's workers; answers the tasks as {@link PushedTasks}, made when read.
     */
    private List<Task> write(List<String> queues, int count, java.util.function.IntFunction<PushesOnCommit.Statement> statementAt) {
        TaskRepository store = store();
        workers.register(queues);
        List<PushesOnCommit.Statement> sent = new ArrayList<>(count);
        List<CompletableFuture<Instant>> chunks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (chunks.size() >= PUSH_STATEMENTS_IN_FLIGHT) {
                await(chunks.get(chunks.size() - PUSH_STATEMENTS_IN_FLIGHT));
            }
            PushesOnCommit.Statement statement = statementAt.apply(i);
            sent.add(statement);
            // this server's workers start on each chunk at once (other servers hear of it through its signal)
            chunks.add(store.insertAsync(statement.requests(), statement.keys()).thenApply(inserted -> {
                Map<String, Instant> earliest = new LinkedHashMap<>();
                for (Task task : inserted) {
                    earliest.merge(task.queue(), task.runAt(), (a, b) -> a.isBefore(b) ? a : b);
                }
                earliest.forEach(workers::wake);
                return inserted.isEmpty() ? null : inserted.get(0).dateCreated();
            }));
        }
        List<PushedTasks.Stored> stored = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            stored.add(new PushedTasks.Stored(sent.get(i).requests(), sent.get(i).keys(), await(chunks.get(i))));
        }
        return new PushedTasks(stored);
    }

    /**
     * {@link #pushAll} of requests some of which carry unique keys: those are stored by the keys'
     * rule ({@link #pushIfAbsent}), a statement per {@value #PUSH_STATEMENT_ROWS}, the others as
     * usual; the answer keeps the requests' order (a request whose key was taken gets the task
     * holding it).
     */
    private List<Task> pushAllWithUniqueKeys(List<TaskRequest> requests) {
        List<Integer> uniqueAt = new ArrayList<>();
        List<TaskRequest> unique = new ArrayList<>();
        List<TaskRequest> plain = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            if (requests.get(i).uniqueKey() != null) {
                uniqueAt.add(i);
                unique.add(requests.get(i));
            } else {
                plain.add(requests.get(i));
            }
        }
        Task[] tasks = new Task[requests.size()];
        for (int from = 0; from < unique.size(); from += PUSH_STATEMENT_ROWS) {
            List<Pushed> pushed = store().insertUnique(unique.subList(from, Math.min(unique.size(), from + PUSH_STATEMENT_ROWS)));
            for (int j = 0; j < pushed.size(); j++) {
                tasks[uniqueAt.get(from + j)] = pushed.get(j).task();
                if (pushed.get(j).created()) {
                    workers.wake(pushed.get(j).task().queue(), pushed.get(j).task().runAt());
                }
            }
        }
        List<Task> others = plain.isEmpty() ? List.of() : pushAll(plain);
        int next = 0;
        for (int i = 0; i < tasks.length; i++) {
            if (tasks[i] == null) {
                tasks[i] = others.get(next++);
            }
        }
        return List.of(tasks);
    }

    /** The chunk's result, or its failure as itself (a StoreException) rather than wrapped in a CompletionException. */
    private static <T> T await(CompletableFuture<T> chunk) {
        try {
            return chunk.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Cancels a task: a Waiting one never runs and ends Cancelled at once; a running one is asked
     * to stop and interrupted wherever it runs, and ends Cancelled (or Completed, if its handler
     * finishes anyway) within about a second. Cancelled tasks are kept by retention like Error.
     *
     * @return the task — Cancelled, or still InProgress while its cancel is under way; empty when there is no such task
     * @throws IllegalStateException when the task has finished (the message names its status)
     */
    public Optional<Task> cancel(String id) {
        return cancel(id, null);
    }

    /** {@link #cancel(String)} on behalf of {@code author} (the admin API's user), who is named in the task's message. */
    public Optional<Task> cancel(String id, String author) {
        String who = author != null ? author : callers.name();
        String message = who == null ? "cancelled" : "cancelled by " + who;
        for (int attempt = 0; attempt < 10; attempt++) {
            Optional<Task> found = store().get(id);
            if (found.isEmpty()) {
                return found;
            }
            Task task = found.get();
            switch (task.status()) {
                case Waiting -> {
                    Optional<Task> cancelled = store().cancelWaiting(task.id(), message);
                    if (cancelled.isPresent()) {
                        return cancelled;
                    }
                    // claimed (or changed) meanwhile: read it again
                }
                case InProgress -> {
                    try {
                        kafruAgents.tell(task, Command.TaskCancel, message, who);
                        return found;
                    } catch (IllegalStateException e) {
                        if (store().get(id).map(Task::status).orElse(null) == TaskStatus.InProgress) {
                            throw e;
                        }
                        // it ended or came back meanwhile: read it again
                    }
                }
                default -> throw new IllegalStateException("task '" + task.id() + "' is " + task.status()
                        + "; only a Waiting or InProgress task can be cancelled");
            }
        }
        throw new IllegalStateException("task '" + id + "' kept changing while it was being cancelled; try again");
    }

    /** One task by id (the record key, with or without {@code kafru_queues:}). */
    public Optional<Task> get(String id) {
        return store().get(id);
    }

    /**
     * Tasks oldest first.
     *
     * @param status null for any
     * @param queue  null for any
     * @param limit  1 to 1000
     * @param offset 0 or more
     */
    public List<Task> list(TaskStatus status, String queue, int limit, int offset) {
        return list(new TaskFilter(status, queue, null, null), limit, offset);
    }

    /**
     * Tasks matching the filter, oldest first; a filter on a label reads an index, fast on any number of tasks:
     *
     * <pre>{@code
     * queue.list(TaskFilter.ANY.withLabel("tenant-7"), 100, 0);
     * }</pre>
     *
     * @param limit  1 to 1000
     * @param offset 0 or more
     */
    public List<Task> list(TaskFilter filter, int limit, int offset) {
        if (limit < 1 || limit > TaskRepository.MAX_LIMIT) {
            throw new InvalidTaskException("limit", "limit " + limit + " is out of range: use 1 to " + TaskRepository.MAX_LIMIT);
        }
        if (offset < 0) {
            throw new InvalidTaskException("offset", "offset " + offset + " must be 0 or more");
        }
        return store().list(filter, limit, offset);
    }

    /**
     * How many tasks match the filter, counted up to {@code cap} (1 to {@link TaskRepository#COUNT_CAP}):
     * a count at the cap means at least that many. Reads at most {@code cap} ids.
     */
    public long count(TaskFilter filter, int cap) {
        if (cap < 1 || cap > TaskRepository.COUNT_CAP) {
            throw new InvalidTaskException("cap", "cap " + cap + " is out of range: use 1 to " + TaskRepository.COUNT_CAP);
        }
        return store().count(filter, cap);
    }

    /** Finished attempts per queue and minute (summed over servers) from {@code from} on; minutes with none are left out. */
    public List<MinuteCount> throughputSince(Instant from) {
        return metrics.minutesSince(from);
    }

    /**
     * Replaces a task's handler, queue, name, parameters, priority, runAt and maxAttempts. A
     * running task cannot be changed.
     *
     * @return the task after the change; empty when there is no such task or it is running
     */
    public Optional<Task> update(String id, TaskRequest given) {
        TaskRequest changes = withHandlerDefaults(given);
        check(changes);
        Optional<Task> updated = store().update(id, changes);
        updated.ifPresent(t -> workers.wake(t.queue(), t.runAt()));
        return updated;
    }

    /**
     * Puts a task that ended in Error back in its queue, due now, with a fresh set of attempts.
     *
     * @return the task after the change; empty when there is no such task
     * @throws IllegalStateException when the task is not in Error (nothing changes)
     */
    public Optional<Task> retry(String id) {
        TaskRepository store = store();
        Optional<Task> retried = store.retry(id);
        if (retried.isPresent()) {
            workers.wake(retried.get().queue(), retried.get().runAt());
            return retried;
        }
        Optional<Task> current = store.get(id);
        if (current.isPresent()) {
            throw new IllegalStateException("task '" + id + "' is " + current.get().status()
                    + "; only a task in Error can be retried");
        }
        return Optional.empty();
    }

    /** How many Error tasks one transaction of {@link #retryFailed} puts back. */
    public static final int RETRY_FAILED_BATCH = 500;

    /**
     * Puts every task of a queue that ended in Error before this call back in the queue, due now,
     * with a fresh set of attempts — {@link #retry} for all of them:
     *
     * <pre>{@code
     * long retried = queue.retryFailed("mail");   // after fixing what made them fail
     * }</pre>
     *
     * Written {@value #RETRY_FAILED_BATCH} at a time, each batch its own transaction: if SurrealDB
     * fails midway, the batches before stay retried. A task that fails again while this runs is
     * not retried a second time.
     *
     * @return how many tasks were put back
     * @throws InvalidTaskException naming {@code queue} when it is not a queue name
     */
    public long retryFailed(String queue) {
        if (!TaskRequest.isName(queue)) {
            throw new InvalidTaskException("queue", "queue '" + queue + "' is not a queue name: use letters, digits, - _ . : (1 to 100 characters)");
        }
        TaskRepository store = store();
        Instant failedBefore = Instant.now();
        long retried = 0;
        int batch;
        do {
            batch = store.retryFailed(queue, failedBefore, RETRY_FAILED_BATCH);
            retried += batch;
        } while (batch == RETRY_FAILED_BATCH);
        if (retried > 0) {
            workers.wake(queue, Instant.now());
        }
        return retried;
    }

    /**
     * Removes one task unless it is running (terminate it first, or send it TaskRemove).
     *
     * @return false when there is no such task
     * @throws IllegalStateException when the task is running (nothing changes)
     */
    public boolean removeIdle(String id) {
        TaskRepository store = store();
        if (store.removeIdle(id)) {
            return true;
        }
        if (store.get(id).isPresent()) {
            throw new IllegalStateException("task '" + id + "' is running; terminate it first"
                    + " (POST /tasks/{id}/terminate), or send its agent TaskRemove");
        }
        return false;
    }

    /**
     * Every queue that was ever used, has a live worker or a pause flag: its counts by status
     * (each counted up to {@link TaskRepository#LIST_COUNT_CAP}: a count at the cap means at least
     * that many), the threads and running tasks of its live workers, and whether it is paused.
     */
    public List<QueueInfo> queues() {
        TaskRepository store = store();
        List<Agent> workersAlive = agents.list(AgentFilter.builder().kind(AgentKind.Queue)
                .statuses(List.of(AgentStatus.Initialized, AgentStatus.Running)).build(), KafruAgents.MAX_LIST);
        Map<String, MetricSnapshot> snapshots = new HashMap<>();
        metrics.list().forEach(s -> snapshots.put(s.name(), s));
        Set<String> paused = agents.pausedQueues();
        TreeSet<String> names = new TreeSet<>(store.queueNames());
        workersAlive.forEach(a -> names.add(a.name()));
        names.addAll(paused);
        List<QueueInfo> queues = new ArrayList<>();
        for (String queue : names) {
            Map<TaskStatus, Long> byStatus = store.counts(queue, TaskRepository.LIST_COUNT_CAP);
            long threads = 0;
            long running = 0;
            List<String> servers = new ArrayList<>();
            for (Agent agent : workersAlive) {
                if (agent.name().equals(queue)) {
                    servers.add(agent.server());
                    MetricSnapshot snapshot = snapshots.get(agent.server() + "/" + queue);
                    if (snapshot != null) {
                        threads += snapshot.numWorkers();
                        running += snapshot.numAliveTasks();
                    }
                }
            }
            queues.add(new QueueInfo(queue, byStatus, TaskRepository.LIST_COUNT_CAP, threads, running, paused.contains(queue),
                    List.copyOf(servers), store.unserved(queue)));
        }
        return queues;
    }

    /** Removes one task; false when there was none. */
    public boolean remove(String id) {
        return store().remove(id);
    }

    /** Removes all tasks with this status and queue (null for any); returns how many. */
    public long purge(TaskStatus status, String queue) {
        return store().purge(status, queue);
    }

    /** The registered handler names. */
    public Set<String> handlers() {
        return registry.names();
    }

    /**
     * The request with its handler's {@link TaskOptions} where it gave no value of its own (queue,
     * maxAttempts, priority, timeout); itself when the handler has none (or for null).
     */
    /**
     * Tasks pushed together whose end is awaited as one: {@code queue.batch(members).onComplete(report)}
     * stores the members and the completion task in one transaction (all or none); the completion
     * task is pushed once, when the last member ends (Completed, Error or Cancelled), and reads the
     * counts with {@link TaskContext#batchId()} and {@link #getBatch}. Members are stored at once,
     * also inside a JTA transaction. At most {@value Batch#LIMIT} members.
     *
     * <pre>{@code
     * Batch batch = queue.batch(files.stream().map(f -> TaskRequest.of("import").parameters(Map.of("file", f))).toList())
     *         .onComplete(TaskRequest.of("import-report"));
     * }</pre>
     */
    public BatchPush batch(List<TaskRequest> members) {
        return new BatchPush(members);
    }

    /** A batch to push: {@link #onComplete} or {@link #push} stores it. */
    public final class BatchPush {
        private final List<TaskRequest> members;

        private BatchPush(List<TaskRequest> members) {
            this.members = members;
        }

        /** Stores the batch with {@code task} to push when its last member ends. */
        public Batch onComplete(TaskRequest task) {
            if (task == null) {
                throw new InvalidTaskException("onComplete", "onComplete needs a TaskRequest; push() stores a batch without one");
            }
            return storeWith(task);
        }

        /** Stores the batch without a completion task (its progress is still kept: {@link #getBatch}). */
        public Batch push() {
            return storeWith(null);
        }

        private Batch storeWith(TaskRequest onComplete) {
            if (members == null || members.isEmpty()) {
                throw new InvalidTaskException("members", "a batch needs at least one member: give the tasks to push");
            }
            if (members.size() > Batch.LIMIT) {
                throw new InvalidTaskException("members", "a batch holds at most " + Batch.LIMIT + " members, not "
                        + members.size() + ": split it into several batches");
            }
            String caller = callers.name();
            List<TaskRequest> checked = new ArrayList<>(members.size());
            for (int i = 0; i < members.size(); i++) {
                TaskRequest member = withHandlerDefaults(members.get(i));
                if (member == null) {
                    throw new InvalidTaskException("members[" + i + "]", "members[" + i + "] is null");
                }
                if (member.uniqueKey() != null) {
                    throw new InvalidTaskException("members[" + i + "].uniqueKey", "members[" + i
                            + "]: a batch member cannot have a uniqueKey: push it on its own, or leave the key out");
                }
                try {
                    checked.add(checked(member, caller));
                } catch (InvalidTaskException e) {
                    throw new InvalidTaskException("members[" + i + "]." + e.field(), "members[" + i + "]: " + e.getMessage());
                }
            }
            TaskRequest callback = null;
            if (onComplete != null) {
                try {
                    callback = checked(withHandlerDefaults(onComplete), caller);
                } catch (InvalidTaskException e) {
                    throw new InvalidTaskException("onComplete." + e.field(), "onComplete: " + e.getMessage());
                }
                if (callback.uniqueKey() != null) {
                    throw new InvalidTaskException("onComplete.uniqueKey", "onComplete cannot have a uniqueKey: leave it out");
                }
            }
            java.util.Set<String> queues = new java.util.LinkedHashSet<>();
            checked.forEach(r -> queues.add(r.queue()));
            if (callback != null) {
                queues.add(callback.queue());
            }
            workers.register(List.copyOf(queues));
            Batch batch = KafruQueue.this.store().insertBatch(checked, callback);
            checked.stream().map(TaskRequest::queue).distinct().forEach(q -> workers.wake(q, null));
            return batch;
        }
    }

    /**
     * Chains {@code next} after a task already pushed: it is pushed once when that task completes,
     * by the transaction that stores its end — or at once when it has completed already. Its handler's
     * options and the caller as author apply, as to a push.
     *
     * @return the follower ({@link TaskLink#pushedAt()} set when it was pushed at once); empty when there is no such task
     * @throws InvalidTaskException naming the field of {@code next} at fault; nothing is stored
     * @throws IllegalStateException when the task ended otherwise (Error or Cancelled), or runs or ended
     *                               inside the push unit it was stored in
     */
    public Optional<TaskLink> then(String id, TaskRequest next) {
        return chain(id, next, false);
    }

    /** {@link #then(String, TaskRequest)} for when the task ends Error (its attempts spent) or is cancelled. */
    public Optional<TaskLink> onFailure(String id, TaskRequest next) {
        return chain(id, next, true);
    }

    private Optional<TaskLink> chain(String id, TaskRequest next, boolean onFailure) {
        if (next == null) {
            throw new InvalidTaskException(onFailure ? "onFailure" : "then", "give the TaskRequest to push after task " + id);
        }
        TaskRequest checked = checked(withHandlerDefaults(next));
        if (checked.uniqueKey() != null) {
            throw new InvalidTaskException("uniqueKey", "a chained task cannot have a uniqueKey: leave it out");
        }
        workers.register(List.of(checked.queue()));
        Optional<TaskLink> link = store().chain(id, checked, onFailure);
        link.filter(l -> l.pushedAt() != null).ifPresent(l -> workers.wake(checked.queue(), checked.runAt()));
        return link;
    }

    /** A batch as it stands: members ended by status, and when the last ended; empty when there is none. */
    public Optional<Batch> getBatch(String id) {
        return store().batch(id);
    }

    /** Members of a batch in the order pushed, from {@code offset} (at most {@value TaskRepository#MAX_LIMIT}). */
    public List<Task> batchMembers(String id, int limit, int offset) {
        return store().batchMembers(id, limit, offset);
    }

    /** The tasks chained after a task ({@link TaskRequest#then}, {@link TaskRequest#onFailure}), pushed or waiting for it. */
    public List<TaskLink> children(String id) {
        return store().children(id);
    }

    private TaskRequest withHandlerDefaults(TaskRequest request) {
        TaskRegistry handlers = registry();
        return request == null ? null : handlers.withDefaults(request).withFollowers(handlers::withDefaults);
    }

    /** The registry itself, not its client proxy: pushAll consults it for every request ({@link TaskRegistry#direct}). */
    private volatile TaskRegistry directRegistry;

    private TaskRegistry registry() {
        TaskRegistry direct = directRegistry;
        if (direct == null) {
            directRegistry = direct = registry.direct().registry();
        }
        return direct;
    }

    private void check(TaskRequest request) {
        request.validate();
        checkHandlers(request, "");
    }

    /** The request's handler and its followers' are beans of this application. */
    private void checkHandlers(TaskRequest request, String path) {
        if (!registry().has(request.handler())) {
            throw new InvalidTaskException(path + "handler", (path.isEmpty() ? "" : path + ": ") + registry().unknown(request.handler()));
        }
        for (int i = 0; i < request.thenRequests().size(); i++) {
            checkHandlers(request.thenRequests().get(i), path + "then[" + i + "].");
        }
        for (int i = 0; i < request.onFailureRequests().size(); i++) {
            checkHandlers(request.onFailureRequests().get(i), path + "onFailure[" + i + "].");
        }
    }

    /** The request checked, with the caller as its author when it names none. */
    private TaskRequest checked(TaskRequest request) {
        return checked(request, callers.name());
    }

    private TaskRequest checked(TaskRequest request, String caller) {
        TaskRequest authored = request.authoredBy(caller).withFollowers(r -> r.authoredBy(caller));
        check(authored);
        return authored;
    }

    private TaskRepository store() {
        storage.awaitReady(Duration.ofSeconds(30));
        return tasks;
    }
}
