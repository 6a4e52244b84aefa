package dev.kafru;

import dev.kafru.schedule.Scheduler;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Workers;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;

/**
 * The crate's {@code Manager}, for code that starts workers itself rather than (or as well as)
 * through {@code kafru.queues}:
 *
 * <pre>{@code
 * @Inject KafruManager manager;
 *
 * manager.startWorker("reports", 2, Duration.ofSeconds(30));
 * ...
 * manager.stopWorker("reports");
 * manager.awaitStopped(Duration.ofMinutes(1));
 * }</pre>
 *
 * Workers run on the container's ManagedExecutorService and stop with the application. The
 * cron scheduler starts by itself unless {@code kafru.scheduler.enabled} is false;
 * {@link #startScheduler()} and {@link #stopScheduler()} start and stop it on this server.
 */
@ApplicationScoped
public class KafruManager {

    @Inject
    Workers workers;

    @Inject
    Scheduler scheduler;

    @Inject
    KafruAgents agents;

    /**
     * Starts a worker for a queue on this server; one that already runs is returned as it is.
     *
     * @param threads      the most tasks of this queue that run at once here (1 to 1000)
     * @param pollInterval how often it looks for due tasks when nothing wakes it (a fallback)
     */
    public QueueDispatcher startWorker(String queue, int threads, Duration pollInterval) {
        return workers.startWorker(queue, threads, pollInterval);
    }

    /** Stops a queue's worker gracefully: no new claims, running tasks finish (up to the shutdown timeout). */
    public boolean stopWorker(String queue) {
        return workers.stopWorker(queue);
    }

    /**
     * Stops or resumes claiming on a queue without stopping its worker — on every server (the
     * flag is stored on the queue's agents; see {@link KafruAgents#pauseQueue}).
     */
    public void pause(String queue, boolean paused) {
        QueueDispatcher dispatcher = workers.dispatcher(queue);
        if (dispatcher == null) {
            throw new IllegalArgumentException("no worker runs queue '" + queue + "' on this server");
        }
        if (paused) {
            agents.pauseQueue(queue);
        } else {
            agents.resumeQueue(queue);
        }
    }

    /** Waits until all workers of this server have stopped; false when the timeout passed first. */
    public boolean awaitStopped(Duration timeout) throws InterruptedException {
        return workers.awaitStopped(timeout);
    }

    /** Starts firing due schedules on this server (as the crate's {@code Manager::scheduler}); a running scheduler is left as it is. */
    public void startScheduler() {
        scheduler.start();
    }

    /** Stops firing schedules on this server; other servers' schedulers go on. */
    public void stopScheduler() {
        scheduler.stop();
    }

    /** True while this server's scheduler fires schedules. */
    public boolean isSchedulerRunning() {
        return scheduler.isRunning();
    }
}
