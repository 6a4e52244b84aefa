package dev.kafru.agent;

import dev.kafru.config.ContainerExecutor;
import dev.kafru.config.StopsWithTheApplication;
import dev.kafru.schedule.Scheduler;
import dev.kafru.store.AgentRepository;
import dev.kafru.store.MetricRepository;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.worker.Workers;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs this server's {@link ServerAgents} in the container: started once the schema is applied
 * and the workers know the server's name, following every queue worker and the scheduler.
 * Off with {@code kafru.agent.enabled=false}.
 */
@ApplicationScoped
public class AgentService extends StopsWithTheApplication {

    private static final Logger LOG = Logger.getLogger(AgentService.class.getName());

    @Inject
    Config config;

    @Inject
    StoreLifecycle storage;

    @Inject
    AgentRepository agentRepository;

    @Inject
    MetricRepository metricRepository;

    @Inject
    Workers workers;

    @Inject
    Scheduler scheduler;

    @Inject
    @ContainerExecutor
    ManagedScheduledExecutorService timer;

    @Inject
    @ContainerExecutor
    ManagedExecutorService executor;

    private volatile ServerAgents agents;
    private volatile AgentSettings settings;
    private volatile boolean stopped;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        if (!config.getOptionalValue("kafru.agent.enabled", Boolean.class).orElse(true)) {
            LOG.info("kafru agents are disabled (kafru.agent.enabled=false)");
            return;
        }
        settings = AgentSettings.read(config);
        timer.execute(this::startWhenReady);
    }

    private void startWhenReady() {
        if (stopped) {
            return;
        }
        // never wait on the timer's thread (Payara Micro's may be the one that applies the schema)
        if (!storage.isReady() || workers.serverName() == null) {
            timer.schedule(this::startWhenReady, 250, TimeUnit.MILLISECONDS);
            return;
        }
        executor.execute(() -> {
            try {
                ServerAgents started = new ServerAgents(agentRepository, metricRepository, workers.serverName(), timer, executor, settings,
                        (dispatcher, force) -> workers.stopWorker(dispatcher.queue(),
                                force ? Duration.ZERO : workers.settings().shutdownTimeout()));
                started.start();
                agents = started;
                workers.onWorkerStarted(started::registerQueue);
                started.followScheduler("scheduler", new ServerAgents.SchedulerControl() {
                    @Override
                    public boolean isRunning() {
                        return scheduler.isRunning();
                    }

                    @Override
                    public void stop(boolean force) {
                        scheduler.stop();
                    }
                });
                LOG.info("kafru agents of " + workers.serverName() + " started: heartbeat every "
                        + settings.heartbeat().toMillis() + " ms");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "kafru agents could not start yet; retrying in 2 s", e);
                timer.schedule(this::startWhenReady, 2, TimeUnit.SECONDS);
            }
        });
    }

    /** This server's agents; null until started. */
    public ServerAgents agents() {
        return agents;
    }

    @Override
    protected void stopWithTheApplication() {
        stopped = true;
        ServerAgents a = agents;
        if (a != null) {
            a.close();
        }
    }
}
