package dev.kafru.it;

import dev.kafru.InvalidTaskException;
import dev.kafru.KafruManager;
import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.TaskName;
import dev.kafru.TaskStatus;
import dev.kafru.worker.TaskRegistry;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The queue in a real container: an injected KafruQueue, a @TaskName bean, workers on the ManagedExecutorService. */
@ExtendWith(ArquillianExtension.class)
class QueueIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.kafru("queue_it", QueueIT.class, CountingTask.class, DependentTask.class, OptionedTask.class,
                OptionedTask.NeverRetryBadInput.class, EventRecorder.class, FailingTask.class, TransactionalTask.class,
                TransactionalTask.PerRun.class);
    }

    @Inject
    KafruQueue queue;

    @Inject
    KafruManager manager;

    @Inject
    @TaskName("it-count")
    CountingTask counting;

    @Inject
    @TaskName("it-transactional")
    TransactionalTask transactional;

    @Inject
    TaskRegistry registry;

    @Test
    void directGivesTheRegistryItselfNotItsClientProxy() {
        // the workers and pushAll take the registry from direct(); every run consults it three times: through
        // the proxy each call is a context look-up (and, outside a request, an interception stack made and
        // dropped); a proxy answers `return this` with itself, which is why direct() hands out a holder
        assertNotSame(TaskRegistry.class, registry.getClass(), "the injected registry is Weld's client proxy");
        assertSame(TaskRegistry.class, registry.direct().registry().getClass(), "direct() gives the instance itself");
        assertEquals(registry.names(), registry.direct().registry().names());
    }

    @Test
    void anApplicationScopedHandlerRunsOnItsOneInstanceWithItsInterceptors() {
        List<Task> pushed = queue.pushAll(List.of(TaskRequest.of("it-transactional"), TaskRequest.of("it-transactional"),
                TaskRequest.of("it-transactional")));
        await().atMost(Duration.ofSeconds(30)).until(() -> pushed.stream()
                .allMatch(t -> queue.get(t.id()).orElseThrow().status() == TaskStatus.Completed));
        for (Task task : pushed) {
            assertEquals(jakarta.transaction.Status.STATUS_ACTIVE, transactional.statusSeenBy(task.id()),
                    "the run of " + task.id() + " went through its @Transactional interceptor");
            assertEquals(transactional.instance(), transactional.instanceThatRan(task.id()),
                    "the run of " + task.id() + " was on the application's one instance");
            // the registry takes an @ApplicationScoped handler's instance from its context once: a call
            // through the client proxy looked it up again and made an interception stack on every run
            assertEquals(Boolean.FALSE, transactional.ranThroughClientProxy(task.id()),
                    "the run of " + task.id() + " was called on the instance, not through its client proxy");
        }
    }

    @Test
    void aDependentHandlerMadeForARunGetsItsResourcesAndInterceptors() {
        List<Task> pushed = queue.pushAll(List.of(TaskRequest.of("it-transactional-dependent"), TaskRequest.of("it-transactional-dependent")));
        await().atMost(Duration.ofSeconds(30)).until(() -> pushed.stream()
                .allMatch(t -> queue.get(t.id()).orElseThrow().status() == TaskStatus.Completed));
        for (Task task : pushed) {
            assertEquals(jakarta.transaction.Status.STATUS_ACTIVE, TransactionalTask.PerRun.STATUS_BY_TASK.get(task.id()),
                    "the run of " + task.id() + " had its @Resource and went through its @Transactional interceptor");
        }
    }

    @Test
    void aDependentHandlerGetsAFreshInstanceForEveryRunAndItIsDestroyedAfter() {
        int created = DependentTask.CREATED.get();
        int destroyed = DependentTask.DESTROYED.get();
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            requests.add(TaskRequest.of("it-dependent"));
        }
        List<Task> pushed = queue.pushAll(requests);
        await().atMost(Duration.ofSeconds(30)).until(() -> pushed.stream()
                .allMatch(t -> queue.get(t.id()).orElseThrow().status() == TaskStatus.Completed));
        assertEquals(20, DependentTask.INSTANCES_THAT_RAN.size(), "one instance per run");
        assertEquals(20, DependentTask.CREATED.get() - created);
        await().atMost(Duration.ofSeconds(5)).until(() -> DependentTask.DESTROYED.get() - destroyed == 20);
    }

    @Test
    void fiveHundredTasksOverTwoQueuesAllCompleteEachExecutedExactlyOnce() {
        assertTrue(queue.handlers().contains("it-count"), String.valueOf(queue.handlers()));
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            requests.add(TaskRequest.of("it-count").queue(i % 2 == 0 ? "default" : "second").parameters(Map.of("i", i)));
        }
        List<Task> pushed = new ArrayList<>(queue.pushAll(requests.subList(0, 250)));
        for (TaskRequest request : requests.subList(250, 500)) {
            pushed.add(queue.push(request));
        }
        assertEquals(500, pushed.size());

        await().atMost(Duration.ofMinutes(2)).until(() ->
                queue.list(TaskStatus.Completed, null, 1000, 0).size() == 500);
        for (Task task : pushed) {
            assertEquals(1, counting.executionsOf(task.id()), "executions of " + task.id());
        }
        assertEquals(500, counting.distinctTasks());
        assertEquals(0, queue.list(TaskStatus.Error, null, 1000, 0).size());
        int mostDefault = counting.mostAtOnce("default");
        int mostSecond = counting.mostAtOnce("second");
        assertTrue(mostDefault >= 1 && mostDefault <= 5, "default:5 ran " + mostDefault + " at once");
        assertTrue(mostSecond >= 1 && mostSecond <= 3, "second:3 ran " + mostSecond + " at once");
        System.out.println("QueueIT: most at once: default " + mostDefault + "/5, second " + mostSecond + "/3");
    }

    @Test
    void theManagerStartsAWorkerForANewQueueAndStopsIt() throws Exception {
        Task task = queue.push(TaskRequest.of("it-count").queue("managed"));
        // polls every 200 ms: a worker that went on after its stop would claim within the wait below
        manager.startWorker("managed", 2, Duration.ofMillis(200));
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.get(task.id()).orElseThrow().status() == TaskStatus.Completed);
        assertEquals(1, counting.executionsOf(task.id()));
        assertTrue(manager.stopWorker("managed"));
        assertFalse(manager.stopWorker("managed"), "a worker is stopped once");

        Task afterStop = queue.push(TaskRequest.of("it-count").queue("managed"));
        await("a task pushed after the worker's stop stays Waiting").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> queue.get(afterStop.id()).orElseThrow().status() == TaskStatus.Waiting);
        assertEquals(0, counting.executionsOf(afterStop.id()), "no worker of 'managed' runs after the stop");
        assertTrue(queue.remove(afterStop.id()));
    }

    @Test
    void anUnknownHandlerIsRefusedAtPushWithTheRegisteredNamesAndNothingIsStored() {
        long before = queue.list(null, null, 1000, 0).size();
        InvalidTaskException refused = assertThrows(InvalidTaskException.class,
                () -> queue.push(TaskRequest.of("mailer").queue("default")));
        assertEquals("handler", refused.field());
        assertTrue(refused.getMessage().contains("unknown handler 'mailer'") && refused.getMessage().contains("it-count"),
                refused.getMessage());
        assertEquals(before, queue.list(null, null, 1000, 0).size());
    }

    @Test
    void aTaskCanBeReadUpdatedAndRemoved() {
        Task task = queue.push(TaskRequest.of("it-count").queue("parked").name("parked task"));
        assertEquals("parked task", queue.get(task.id()).orElseThrow().name());
        assertEquals("parked task", queue.get("kafru_queues:" + task.id()).orElseThrow().name());
        Task changed = queue.update(task.id(), TaskRequest.of("it-count").queue("parked").name("renamed").priority(4)).orElseThrow();
        assertEquals("renamed", changed.name());
        assertEquals(4, changed.priority());
        assertTrue(queue.remove(task.id()));
        assertTrue(queue.get(task.id()).isEmpty());
        queue.push(TaskRequest.of("it-count").queue("parked"));
        queue.push(TaskRequest.of("it-count").queue("parked"));
        assertEquals(2, queue.purge(TaskStatus.Waiting, "parked"));
    }

    @Test
    void aHandlersTaskOptionsAreDefaultsAPushOverridesAndItsOwnRetryPolicyAndTimeOutApplyInTheContainer() {
        Task defaults = queue.push(TaskRequest.of("it-options"));
        assertEquals(List.of("second", 4, 7, Duration.ofSeconds(1)),
                List.of(defaults.queue(), defaults.maxAttempts(), defaults.priority(), defaults.timeout()));
        Task given = queue.push(TaskRequest.of("it-options").queue("default").maxAttempts(2).priority(0).timeout(Duration.ofSeconds(5)));
        assertEquals(List.of("default", 2, 0, Duration.ofSeconds(5)),
                List.of(given.queue(), given.maxAttempts(), given.priority(), given.timeout()));
        Task badInput = queue.push(TaskRequest.of("it-options").parameters(Map.of("fail", "bad-input")));
        Task sleeps = queue.push(TaskRequest.of("it-options").maxAttempts(2).parameters(Map.of("fail", "sleep")));

        await().atMost(Duration.ofSeconds(30)).until(() -> queue.get(badInput.id()).orElseThrow().status() == TaskStatus.Error
                && queue.get(sleeps.id()).orElseThrow().status() == TaskStatus.Error);
        Task failed = queue.get(badInput.id()).orElseThrow();
        assertEquals(1, failed.attempts(), "its own policy never retries bad input, though maxAttempts is 4");
        assertEquals("no such customer", failed.message());
        Task timedOut = queue.get(sleeps.id()).orElseThrow();
        assertEquals("timed out after PT1S", timedOut.message());
        assertEquals(2, timedOut.attempts(), "the first time-out was retried");
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.get(defaults.id()).orElseThrow().status() == TaskStatus.Completed
                && queue.get(given.id()).orElseThrow().status() == TaskStatus.Completed);
    }

    @Inject
    EventRecorder recorder;

    /** CDI events for the tasks this server ran, each fired once its outcome is stored (the recorder reads the store). */
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
