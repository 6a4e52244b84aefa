package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskCompleted;
import dev.kafru.TaskEnded;
import dev.kafru.TaskFailed;
import dev.kafru.TaskFailure;
import dev.kafru.TaskStatus;
import dev.kafru.store.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Fires {@link TaskCompleted}, {@link TaskFailed} and {@link TaskEnded} as CDI events for the tasks
 * this server ran, once their outcomes are stored, on the container's managed executor (not on the
 * thread that finished the write). An observer that throws is logged; the outcome stays as stored.
 */
@ApplicationScoped
public class TaskEvents {

    private static final Logger LOG = Logger.getLogger(TaskEvents.class.getName());

    @Inject
    Workers workers;

    @Inject
    Event<TaskCompleted> completed;

    @Inject
    Event<TaskFailed> failed;

    @Inject
    Event<TaskEnded> ended;

    @Inject
    jakarta.enterprise.inject.spi.BeanManager beanManager;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        if (!observed()) {
            return; // nothing to tell: no map entry, no executor task per finished task
        }
        workers.onWorkerStarted(dispatcher -> dispatcher.addObserver(new QueueDispatcher.Observer() {
            @Override
            public boolean wantsStored() {
                return true;
            }

            @Override
            public void stored(Task task, Outcome outcome, Duration took) {
                try {
                    workers.executor().execute(() -> fire(task, outcome, took));
                } catch (RuntimeException e) { // refused (stopping), or no executor
                    LOG.log(Level.WARNING, "the events of task " + task.id() + " were not fired", e);
                }
            }
        }));
    }

    /** Whether the application observes any of the three events (observers are fixed at deployment). */
    private boolean observed() {
        return !beanManager.resolveObserverMethods(new TaskCompleted(null, null)).isEmpty()
                || !beanManager.resolveObserverMethods(new TaskFailed(null, null, false)).isEmpty()
                || !beanManager.resolveObserverMethods(new TaskEnded(null, null, null)).isEmpty();
    }

    /** The events of one stored outcome, in order: a failed attempt, then (if it was the last) the end. */
    void fire(Task task, Outcome outcome, Duration took) {
        switch (outcome.status()) {
            case Completed -> notify(() -> completed.fire(new TaskCompleted(task, took)), task);
            case Waiting -> notify(() -> failed.fire(new TaskFailed(task, failure(task, outcome), true)), task);
            case Error -> {
                notify(() -> failed.fire(new TaskFailed(task, failure(task, outcome), false)), task);
                notify(() -> ended.fire(new TaskEnded(task, TaskStatus.Error, outcome.message())), task);
            }
            case Cancelled -> notify(() -> ended.fire(new TaskEnded(task, TaskStatus.Cancelled, outcome.message())), task);
            default -> {
            }
        }
    }

    private static TaskFailure failure(Task task, Outcome outcome) {
        return outcome.failure() != null ? outcome.failure()
                : new TaskFailure(task.attempts(), Instant.now(), task.owner(), null, outcome.message(), null);
    }

    private static void notify(Runnable fire, Task task) {
        try {
            fire.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "an observer of task " + task.id() + "'s event threw (the task's outcome is unchanged)", e);
        }
    }
}
