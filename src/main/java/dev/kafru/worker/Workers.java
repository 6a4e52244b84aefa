package dev.kafru.worker;

import dev.kafru.config.ContainerExecutor;
import dev.kafru.config.Durations;
import dev.kafru.config.StopsWithTheApplication;
import dev.kafru.store.StoreException;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.store.Subscription;
import dev.kafru.store.TaskRepository;
import dev.kafru.config.ManagedExecutors;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This server's queue workers: one {@link QueueDispatcher} per configured queue
 * ({@code kafru.queues}, default {@code default:5}), started once the schema is applied, stopped
 * gracefully before the application's beans are destroyed. Also recovers tasks whose owner's
 * lease expired, and wakes dispatchers through a live query when another server pushes.
 */
@ApplicationScoped
public class Workers extends StopsWithTheApplication {

    private static final Logger LOG = Logger.getLogger(Workers.class.getName());

    @Inject
    Config config;

    @Inject
    StoreLifecycle storage;

    @Inject
    TaskRepository tasks;

    @Inject
    TaskRegistry registry;

    @Inject
    @ContainerExecutor
    ManagedExecutorService executor;

    @Inject
    @ContainerExecutor
    ManagedScheduledExecutorService scheduler;

    private final Map<String, QueueDispatcher> dispatchers = new ConcurrentHashMap<>();
    private final List<Consumer<QueueDispatcher>> startListeners = new CopyOnWriteArrayList<>();
    private volatile WorkerSettings settings;
    private volatile String serverName;
    /** Set once the store is ready and this server's workers may use it. */
    private volatile boolean ready;
    private volatile Subscription signals;
    private volatile ScheduledFuture<?> reaper;
    private volatile ScheduledFuture<?> retentionTimer;
    private volatile ScheduledFuture<?> foldTimer;
    private volatile Retention retention;
    /** Guarded by startListeners. */
    private ProgressReports progress;
    private volatile boolean stopped;
    private final AtomicBoolean reaping = new AtomicBoolean();
    private final AtomicBoolean retaining = new AtomicBoolean();
    private final AtomicBoolean folding = new AtomicBoolean();
    /** Queue names this server has recorded in kafru_queue_names (so it records each once). */
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        settings = readSettings(config);
        serverName = config.getOptionalValue("kafru.server.name", String.class).orElseGet(Workers::defaultServerName);
        Map<String, Integer> queues = WorkerSettings.parseQueues(
                config.getOptionalValue("kafru.queues", String.class).orElse("default:5"));
        boolean enabled = config.getOptionalValue("kafru.worker.enabled", Boolean.class).orElse(true);
        if (!enabled) {
            LOG.info("kafru workers are disabled (kafru.worker.enabled=false); this server only enqueues");
            return;
        }
        try {
            appContext = ManagedExecutors.applicationContext(); // here, in the deployment's own context
        } catch (IllegalStateException e) {
            // outside a container (no JNDI at all) there is no application context to lose: no warning then
            Level level = e.getCause() instanceof javax.naming.NoInitialContextException ? Level.FINE : Level.WARNING;
            LOG.log(level, "kafru runs tasks without the application's context captured at deployment: a handler"
                    + " whose run was started from the database connection's thread may find no @Resource (" + e.getMessage() + ")");
        }
        scheduler.execute(() -> startWhenReady(queues));
    }

    /** The application's context, applied to every runner (see {@link ManagedExecutors#applicationContext}). */
    private volatile java.util.concurrent.Executor appContext;

    private void startWhenReady(Map<String, Integer> queues) {
        if (stopped) {
            return;
        }
        storage.open();
        if (!storage.isReady()) {
            // never wait on the scheduler's thread: on Payara Micro it may be the one that applies the schema
            scheduler.schedule(() -> startWhenReady(queues), 200, TimeUnit.MILLISECONDS);
            return;
        }
        ready = true;
        if (liveWakeups(config)) {
            try {
                signals = tasks.onSignal(signal -> {
                    if (signal.wake()) {
                        wake(signal.queue(), signal.earliest());
                    }
                });
            } catch (StoreException e) {
                LOG.log(Level.WARNING, "no live query for new tasks; workers fall back to polling every "
                        + settings.pollInterval().toSeconds() + " s", e);
            }
        } else {
            LOG.info(LIVE_WAKEUPS + "=false: tasks pushed on other servers start within kafru.worker.poll-interval ("
                    + settings.pollInterval().toMillis() + " ms); this server's own pushes still start at once");
        }
        queues.forEach(this::startWorker);
        long every = Math.max(250, settings.lease().toMillis() / 2);
        // the MSES only times them: on Payara Micro its single thread also times SurrealDB reconnects, and
        // a recovery waiting on a lost connection there would hold the reconnect up for the request timeout
        reaper = scheduler.scheduleWithFixedDelay(() -> onExecutor(reaping, this::recoverExpiredLeases),
                every, every, TimeUnit.MILLISECONDS);
        retention = new Retention(tasks, Retention.read(config, "kafru.retention.completed", Duration.ofHours(24)),
                Retention.read(config, "kafru.retention.failed", Duration.ofDays(7)), Clock.systemUTC());
        long retentionEvery = Durations.read(config, "kafru.retention.interval", Duration.ofSeconds(10)).toMillis();
        // servers started together would otherwise delete the same rows at the same moments
        long offset = ThreadLocalRandom.current().nextLong(retentionEvery);
        // the queues' counts: changes a few seconds old go into the totals every second, so a count reads few rows
        foldTimer = scheduler.scheduleWithFixedDelay(() -> onExecutor(folding, this::foldCounts),
                1_000, 1_000, TimeUnit.MILLISECONDS);
        retentionTimer = scheduler.scheduleWithFixedDelay(() -> onExecutor(retaining, this::removeOldTasks),
                offset, retentionEvery, TimeUnit.MILLISECONDS);
        LOG.info("kafru workers started on " + serverName + ": " + queues);
    }

    /**
     * Starts a worker for a queue with its own thread count (the crate's
     * {@code Manager::worker}); a queue that already has one is left as it is.
     */
    public QueueDispatcher startWorker(String queue, int threads) {
        return startWorker(queue, threads, settings.pollInterval());
    }

    /** {@link #startWorker(String, int)} with its own poll interval. */
    public QueueDispatcher startWorker(String queue, int threads, Duration pollInterval) {
        WorkerSettings.parseQueues(queue + ":" + threads);
        WorkerSettings own = settings.withPollInterval(pollInterval);
        if (!ready) {
            storage.awaitReady(Duration.ofSeconds(30));
            ready = true;
        }
        register(List.of(queue));
        QueueDispatcher created;
        synchronized (startListeners) {
            QueueDispatcher existing = dispatchers.get(queue);
            if (existing != null) {
                return existing;
            }
            created = new QueueDispatcher(queue, threads, own, tasks, registry.direct().registry(), executor, scheduler, serverName + "/" + queue);
            created.runTasksIn(appContext);
            created.reportProgressTo(progress());
            dispatchers.put(queue, created);
            for (Consumer<QueueDispatcher> listener : startListeners) {
                notifyStarted(listener, created);
            }
        }
        created.start();
        return created;
    }

    /** The one writer of this server's progress reports, shared by its dispatchers. */
    private ProgressReports progress() {
        synchronized (startListeners) {
            if (progress == null) {
                progress = new ProgressReports(tasks, executor, scheduler);
            }
            return progress;
        }
    }

    /** The container's executor the workers run on (through a method: a client proxy's fields are its own). */
    java.util.concurrent.Executor executor() {
        java.util.concurrent.Executor context = appContext;
        return context == null ? executor : work -> executor.execute(QueueDispatcher.inContext(context, work));
    }

    /**
     * Calls {@code listener} with every worker of this server, those running now and those
     * started later, before they claim (agents and metrics follow workers this way).
     */
    public void onWorkerStarted(Consumer<QueueDispatcher> listener) {
        synchronized (startListeners) {
            startListeners.add(listener);
            dispatchers.values().forEach(d -> notifyStarted(listener, d));
        }
    }

    private static void notifyStarted(Consumer<QueueDispatcher> listener, QueueDispatcher dispatcher) {
        try {
            listener.accept(dispatcher);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a listener of queue " + dispatcher.queue() + "'s worker failed", e);
        }
    }

    /** Stops one queue's worker gracefully (running tasks finish, up to the shutdown timeout). */
    public boolean stopWorker(String queue) {
        return stopWorker(queue, settings.shutdownTimeout());
    }

    /**
     * Stops one queue's worker: running tasks get up to {@code timeout} to finish (zero: none;
     * the force shutdown), the rest are interrupted and go back to the queue as Waiting.
     */
    public boolean stopWorker(String queue, Duration timeout) {
        QueueDispatcher dispatcher = dispatchers.remove(queue);
        if (dispatcher == null) {
            return false;
        }
        dispatcher.stop(timeout);
        synchronized (dispatchers) {
            dispatchers.notifyAll();
        }
        return true;
    }

    /** Wakes the queue's dispatcher on this server, if it has one. */
    public void wake(String queue) {
        wake(queue, null);
    }

    /** Wakes the queue's dispatcher, telling it when a task becomes due (null: now). */
    public void wake(String queue, Instant runAt) {
        QueueDispatcher dispatcher = dispatchers.get(queue);
        if (dispatcher != null) {
            dispatcher.wakeDueAt(runAt);
        }
    }

    /**
     * Waits until every worker of this server has stopped, or the timeout passes.
     *
     * @return true when none is running
     */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (dispatchers) {
            while (dispatchers.values().stream().anyMatch(d -> !d.isStopped())) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(dispatchers, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            }
        }
        return true;
    }

    public Collection<QueueDispatcher> dispatchers() {
        return List.copyOf(dispatchers.values());
    }

    public QueueDispatcher dispatcher(String queue) {
        return dispatchers.get(queue);
    }

    /** True once the workers of this server have started (or are disabled). */
    public boolean isStarted() {
        return ready;
    }

    public String serverName() {
        return serverName;
    }

    public WorkerSettings settings() {
        return settings;
    }

    /** Runs {@code duty} on the executor unless its last run is still going. */
    private void onExecutor(AtomicBoolean busy, Runnable duty) {
        if (busy.compareAndSet(false, true)) {
            try {
                executor.execute(() -> {
                    try {
                        duty.run();
                    } finally {
                        busy.set(false);
                    }
                });
            } catch (RejectedExecutionException e) {
                busy.set(false);
            }
        }
    }

    /**
     * Returns the tasks of this server's queues whose owner's lease expired (a dead server) to
     * the queue. Each server recovers the queues it serves; a queue nobody serves keeps them
     * InProgress until a worker for it starts. Also forgets old signals.
     */
    private void recoverExpiredLeases() {
        for (QueueDispatcher dispatcher : dispatchers.values()) {
            try {
                int recovered = tasks.recoverExpiredLeases(dispatcher.queue(), 1000);
                if (recovered > 0) {
                    LOG.info("recovered " + recovered + " task(s) of queue " + dispatcher.queue() + " whose owner's lease expired");
                    dispatcher.wake();
                }
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "lease recovery failed; next time", e);
            }
        }
        try {
            forgetOldSignals(tasks, SIGNALS_KEPT);
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "old signals not deleted; next time", e);
        }
    }

    /** How long a signal is kept: a live query has long heard of it. */
    static final Duration SIGNALS_KEPT = Duration.ofMinutes(1);
    static final int SIGNAL_BATCH = 1000;
    /** At most this many transactions of signals a pass: 50,000 per lease / 2 (15 s), 3,300 a second. */
    static final int SIGNAL_BATCHES = 50;

    /**
     * Deletes signals older than {@code age}, {@value #SIGNAL_BATCH} per transaction, on while a
     * transaction comes back full, at most {@value #SIGNAL_BATCHES} of them. Every push writes a
     * signal ({@code KafruQueue.push}: one per task), so one transaction per pass, as before, kept
     * up with only 1,000 per 15 s — 67 pushes a second — and kafru_signals grew without bound
     * under a steady 250 single pushes a second (the soak, docs/soak.md). Returns how many.
     */
    public static int forgetOldSignals(TaskRepository tasks, Duration age) {
        int forgotten = 0;
        for (int i = 0; i < SIGNAL_BATCHES; i++) {
            int n = tasks.forgetSignals(age, SIGNAL_BATCH);
            forgotten += n;
            if (n < SIGNAL_BATCH || Thread.currentThread().isInterrupted()) {
                break;
            }
        }
        return forgotten;
    }

    /** Folds count changes older than a second into the queues' totals, 2,000 per transaction, at most 10 a pass. */
    private void foldCounts() {
        try {
            for (int i = 0; i < 10 && tasks.foldCounts(Duration.ofSeconds(1), 2000) == 2000; i++) {
                // a flood wrote more than a transaction folds: go on
            }
        } catch (RuntimeException e) {
            LOG.log(Level.FINE, "count changes not folded; next time", e);
        }
    }

    private void removeOldTasks() {
        Retention r = retention;
        if (r != null) {
            int deleted = r.pass();
            if (deleted > 0) {
                LOG.fine(() -> "retention deleted " + deleted + " finished task(s)");
            }
        }
    }

    /**
     * Records queue names in the store once per server (see {@link TaskRepository#registerQueues}), so
     * that every queue can be found without reading every task.
     */
    public void register(Collection<String> queues) {
        List<String> fresh = queues.stream().filter(q -> !registered.contains(q)).distinct().toList();
        if (!fresh.isEmpty()) {
            tasks.registerQueues(fresh);
            registered.addAll(fresh);
        }
    }

    @Override
    protected void stopWithTheApplication() {
        stopped = true;
        for (ScheduledFuture<?> timer : Arrays.asList(reaper, retentionTimer, foldTimer)) {
            if (timer != null) {
                timer.cancel(false);
            }
        }
        Subscription live = signals;
        if (live != null) {
            live.close();
        }
        List<QueueDispatcher> all = List.copyOf(dispatchers.values());
        dispatchers.clear();
        // every queue stops claiming at once, then all share one shutdown timeout
        // (no parallel stream: its threads would not be the container's)
        all.forEach(QueueDispatcher::stopClaiming);
        long deadline = System.nanoTime() + settings.shutdownTimeout().toNanos();
        for (QueueDispatcher dispatcher : all) {
            dispatcher.stop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
    }

    /** Reads the {@code kafru.worker.*} durations and sizes; a bad value throws naming its key. */
    public static WorkerSettings readSettings(Config config) {
        WorkerSettings d = WorkerSettings.defaults();
        return WorkerSettings.builder()
                .pollInterval(Durations.read(config, "kafru.worker.poll-interval", d.pollInterval()))
                .lease(Durations.read(config, "kafru.worker.lease", d.lease()))
                .shutdownTimeout(Durations.read(config, "kafru.worker.shutdown-timeout", d.shutdownTimeout()))
                .retryBase(Durations.read(config, "kafru.worker.retry-base", d.retryBase()))
                .retryMax(Durations.read(config, "kafru.worker.retry-max", d.retryMax()))
                .batchSize(config.getOptionalValue("kafru.worker.batch-size", Integer.class).orElse(d.batchSize()))
                .prefetch(config.getOptionalValue("kafru.worker.prefetch", Integer.class).orElse(-1))
                .abandonAfter(Durations.read(config, "kafru.worker.abandon-after", d.abandonAfter()))
                .build();
    }

    static final String LIVE_WAKEUPS = "kafru.worker.live-wakeups";

    /**
     * Whether another server's push wakes this server's workers through a live query
     * ({@code kafru.worker.live-wakeups}, default true). On a multi-node SurrealDB (TiKV) a live
     * query hears only the writes of the node its connection is on, so there the wake-ups are
     * switched off and workers find other servers' tasks by polling ({@code kafru.worker.poll-interval}).
     */
    static boolean liveWakeups(Config config) {
        return config.getOptionalValue(LIVE_WAKEUPS, String.class).map(dev.kafru.config.Settings::parseBoolean).orElse(true);
    }

    static String defaultServerName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "-" + ManagementFactory.getRuntimeMXBean().getPid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
