package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** CDI events for the tasks a server ran, fired after their outcomes are stored. */
@ExtendWith(ArquillianExtension.class)
class EventsIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.kafru("events_it", EventsIT.class, EventRecorder.class, FailingTask.class, CountingTask.class);
    }

    @Inject
    KafruQueue queue;

    @Inject
    EventRecorder recorder;

    @Test
    void aTaskThatFailsThreeTimesFiresThreeTaskFailedAndOneTaskEndedEachAfterItsOutcomeIsStored() {
        Task task = queue.push(TaskRequest.of("it-fail").maxAttempts(3));
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.seenFor(task.id()).size() == 4);
        assertEquals(List.of(
                "failed " + task.id() + " 1 true Waiting java.lang.IllegalStateException",
                "failed " + task.id() + " 2 true Waiting java.lang.IllegalStateException",
                "failed " + task.id() + " 3 false Error java.lang.IllegalStateException",
                "ended " + task.id() + " 3 Error Error"), recorder.seenFor(task.id()));
        Task stored = queue.get(task.id()).orElseThrow();
        assertEquals(TaskStatus.Error, stored.status(), "an observer that throws changed nothing");
        assertEquals(3, stored.attempts());
    }

    @Test
    void aCompletedTaskFiresTaskCompletedOnceStored() {
        Task task = queue.push(TaskRequest.of("it-count"));
        await().atMost(Duration.ofSeconds(30)).until(() -> recorder.seenFor(task.id()).size() == 1);
        assertEquals(List.of("completed " + task.id() + " 1 - Completed"), recorder.seenFor(task.id()));
    }
}
