package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.TaskCompleted;
import dev.kafru.TaskEnded;
import dev.kafru.TaskFailed;
import dev.kafru.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Observes kafru's task events as an application would, writing down each with the task's status
 * in the store at that moment (the event must come after the outcome is stored); and one observer
 * that throws, which must change nothing.
 */
@ApplicationScoped
public class EventRecorder {

    /** "kind task-id attempt willRetry stored-status", in the order they came. */
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Inject
    KafruQueue queue;

    public List<String> seenFor(String taskId) {
        return seen.stream().filter(s -> s.split(" ")[1].equals(taskId)).toList();
    }

    void completed(@Observes TaskCompleted e) {
        seen.add("completed " + e.task().id() + " " + e.task().attempts() + " - " + stored(e.task().id()));
    }

    void failed(@Observes TaskFailed e) {
        seen.add("failed " + e.task().id() + " " + e.task().attempts() + " " + e.willRetry() + " " + stored(e.task().id())
                + " " + e.failure().exception());
    }

    void ended(@Observes TaskEnded e) {
        seen.add("ended " + e.task().id() + " " + e.task().attempts() + " " + e.status() + " " + stored(e.task().id()));
    }

    void throwsOnEveryEvent(@Observes TaskFailed e) {
        throw new IllegalStateException("an observer that throws");
    }

    private String stored(String id) {
        return queue.get(id).map(t -> t.status() == TaskStatus.Waiting && t.attempts() > 0 ? "Waiting" : t.status().name())
                .orElse("gone");
    }
}
