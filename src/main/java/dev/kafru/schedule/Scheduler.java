package dev.kafru.schedule;

import dev.kafru.InvalidTaskException;
import dev.kafru.KafruSchedules;
import dev.kafru.Recurring;
import dev.kafru.Schedule;
import dev.kafru.ScheduleRequest;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.config.ContainerExecutor;
import dev.kafru.config.StopsWithTheApplication;
import dev.kafru.store.ScheduleRepository;
import dev.kafru.store.StoreException;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.store.Subscription;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.Workers;
import jakarta.annotation.Priority;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import org.eclipse.microprofile.config.Config;

import java.lang.annotation.Annotation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * This server's cron scheduler (the crate's {@code Scheduler}): a timer on the
 * ManagedScheduledExecutorService that runs a {@link ScheduleRunner} pass, then waits until
 * the earliest next_schedule or {@code kafru.scheduler.poll-interval}, whichever is sooner.
 * A schedule created or changed — on this server (a {@link ScheduleChanged} event tells), or on
 * another (a live query tells) — re-arms the timer at once when it is due sooner. Every server may run one: firing is a
 * compare-and-set in the store, so an occurrence becomes one task.
 *
 * <p>At start-up it also creates or updates the schedule of every {@link Recurring} task bean,
 * whether or not this server's scheduler is enabled ({@code kafru.scheduler.enabled}).
 */
@ApplicationScoped
public class Scheduler extends StopsWithTheApplication {

    private static final Logger LOG = Logger.getLogger(Scheduler.class.getName());

    @Inject
    Config config;

    @Inject
    StoreLifecycle storage;

    @Inject
    Workers workers;

    @Inject
    KafruSchedules schedules;

    @Inject
    ScheduleRepository repository;

    @Inject
    BeanManager beanManager;

    @Inject
    TaskRegistry registry;

    @Inject
    @ContainerExecutor
    ManagedScheduledExecutorService executor;

    /** Runs the passes: the MSES only times them, as it may have one thread that also times SurrealDB reconnects. */
    @Inject
    @ContainerExecutor
    ManagedExecutorService passes;

    /** The database's clock (this server's, corrected by the measured offset): due times are the engine's. */
    private volatile Clock clock = Clock.systemUTC();
    private final AtomicBoolean passRunning = new AtomicBoolean();
    private volatile boolean passAgain;
    private volatile SchedulerSettings settings;
    private volatile ScheduleRunner runner;
    private volatile Subscription changes;
    private volatile ScheduledFuture<?> timer;
    private volatile Instant armedFor;
    /** The earliest due time told by {@link #wakeFor} since the current pass began: the pass's own wait must not pass it. */
    private volatile Instant wanted;
    private volatile boolean running;
    private volatile boolean stopped;

    /**
     * Runs before the default-priority start-up observers and opens the connection here, so that
     * applying the schema is queued on the ManagedScheduledExecutorService before any task that
     * waits for it (Payara Micro's default MSES has one thread: a waiter queued first would hold
     * it while the schema cannot be applied).
     */
    void onStart(@Observes @Priority(Interceptor.Priority.LIBRARY_BEFORE) @Initialized(ApplicationScoped.class) Object event) {
        settings = SchedulerSettings.read(config);
        try {
            storage.open();
        } catch (RuntimeException e) {
            LOG.warning("kafru scheduler could not open the SurrealDB connection yet: " + e.getMessage());
        }
        executor.execute(this::startWhenReady);
    }

    private void startWhenReady() {
        if (stopped) {
            return;
        }
        // never wait on the executor's thread: Payara Micro's MSES may have a single thread, and
        // the schema is applied on it
        if (!storage.isReady()) {
            try {
                storage.open();
            } catch (RuntimeException e) {
                LOG.warning("kafru scheduler waits for SurrealDB: " + e.getMessage());
            }
            executor.schedule(this::startWhenReady, 250, TimeUnit.MILLISECONDS);
            return;
        }
        defineRecurringSchedules();
        if (settings.enabled()) {
            start();
        } else {
            LOG.info("kafru scheduler is disabled on this server (kafru.scheduler.enabled=false)");
        }
    }

    /** Starts firing schedules on this server (again); does nothing when it runs already. */
    public synchronized void start() {
        if (running) {
            return;
        }
        if (settings == null) {
            settings = SchedulerSettings.read(config);
        }
        storage.awaitReady(Duration.ofSeconds(30));
        EngineClock engine = new EngineClock(Clock.systemUTC(), repository::databaseNow);
        try {
            LOG.info("kafru scheduler follows the database's clock: this server's differs by " + engine.measure());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not read the database's clock yet; the first pass measures it", e);
        }
        clock = engine;
        runner = new ScheduleRunner(repository, engine, settings, workers::wake, registry::withDefaults);
        try {
            changes = repository.onChange(this::wakeFor);
        } catch (StoreException e) {
            LOG.log(Level.WARNING, "no live query for schedule changes; schedules made on other servers are seen within "
                    + settings.pollInterval().toMillis() + " ms", e);
        }
        running = true;
        stopped = false;
        arm(Duration.ZERO);
        LOG.info("kafru scheduler started: poll every " + settings.pollInterval().toMillis() + " ms, missed runs "
                + settings.missedRuns());
    }

    /** Stops firing schedules on this server; a pass under way finishes. */
    public synchronized void stop() {
        running = false;
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        Subscription live = changes;
        changes = null;
        if (live != null) {
            live.close();
        }
    }

    public boolean isRunning() {
        return running;
    }

    /** Makes sure a pass runs at {@code due} at the latest: re-arms the timer when it is set later. */
    public void wakeFor(Instant due) {
        if (!running) {
            return;
        }
        synchronized (this) {
            if (wanted == null || due.isBefore(wanted)) {
                wanted = due;
            }
        }
        Instant armed = armedFor;
        if (armed == null || due.isBefore(armed)) {
            Duration delay = Duration.between(clock.instant(), due);
            arm(delay.isNegative() ? Duration.ZERO : delay);
        }
    }

    /** A schedule written on this server through {@link KafruSchedules}: wakes for it if it is to fire. */
    void onScheduleChanged(@Observes ScheduleChanged event) {
        Schedule schedule = event.schedule();
        if (schedule.status() == ScheduleStatus.Enabled && schedule.nextSchedule() != null) {
            wakeFor(schedule.nextSchedule());
        }
    }

    private synchronized void arm(Duration delay) {
        if (!running) {
            return;
        }
        ScheduledFuture<?> previous = timer;
        if (previous != null) {
            previous.cancel(false);
        }
        armedFor = clock.instant().plus(delay);
        timer = executor.schedule(() -> passes.execute(this::pass), Math.max(0, delay.toMillis()), TimeUnit.MILLISECONDS);
    }

    private void pass() {
        if (!passRunning.compareAndSet(false, true)) {
            passAgain = true;
            return;
        }
        Duration wait = settings.pollInterval();
        try {
            do {
                passAgain = false;
                wanted = null;
                ScheduleRunner.Pass done = runner.runDue();
                if (done.fired() + done.skipped() > 0) {
                    LOG.fine(() -> "kafru scheduler: " + done);
                }
                wait = runner.delayUntilNext();
            } while (passAgain && running);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "kafru scheduler pass failed; trying again in " + settings.pollInterval().toMillis() + " ms", e);
        } finally {
            passRunning.set(false);
        }
        Instant want = wanted;
        if (want != null) {
            Duration until = Duration.between(clock.instant(), want);
            wait = until.isNegative() ? Duration.ZERO : until.compareTo(wait) < 0 ? until : wait;
        }
        arm(wait);
    }

    void defineRecurringSchedules() {
        for (Bean<?> bean : beanManager.getBeans(TaskHandler.class, Any.Literal.INSTANCE)) {
            Recurring recurring = bean.getBeanClass().getAnnotation(Recurring.class);
            String handler = taskName(bean);
            if (recurring == null || handler == null) {
                continue;
            }
            String name = recurring.name().isBlank() ? handler : recurring.name();
            try {
                schedules.define(ScheduleRequest.of(name, handler).cron(recurring.cron()).queue(TaskRegistry.queueOf(recurring, bean.getBeanClass()))
                        .timeZone(recurring.timeZone()));
                LOG.info("kafru schedule '" + name + "' (" + recurring.cron() + ", " + recurring.timeZone() + ") runs " + handler);
            } catch (InvalidTaskException e) {
                LOG.severe("@Recurring on " + bean.getBeanClass().getName() + " is not usable, its schedule is not defined: "
                        + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not define the schedule of @Recurring " + bean.getBeanClass().getName(), e);
            }
        }
    }

    private static String taskName(Bean<?> bean) {
        for (Annotation qualifier : bean.getQualifiers()) {
            if (qualifier instanceof TaskName name) {
                return name.value();
            }
        }
        return null;
    }

    @Override
    protected void stopWithTheApplication() {
        stopped = true;
        stop();
    }
}
