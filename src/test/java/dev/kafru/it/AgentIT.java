package dev.kafru.it;

import dev.kafru.Agent;
import dev.kafru.AgentFilter;
import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Command;
import dev.kafru.KafruAgents;
import dev.kafru.KafruManager;
import dev.kafru.KafruQueue;
import dev.kafru.KafruSchedules;
import dev.kafru.ScheduleRequest;
import dev.kafru.Task;
import dev.kafru.TaskName;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.Workers;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Agents, commands, metrics and health in a real Payara Micro. */
@ExtendWith(ArquillianExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgentIT {

    @Deployment
    static WebArchive deployment() {
        // the scheduler passes at least every second: one that went on after its stop would fire within the 3 s the test watches
        return Deployments.kafru("agent_it", List.of("kafru.scheduler.poll-interval=1s"),
                AgentIT.class, CountingTask.class, FlakyTask.class, FailingTask.class);
    }

    @Inject
    KafruAgents agents;

    @Inject
    KafruQueue queue;

    @Inject
    KafruManager manager;

    @Inject
    Workers workers;

    @Inject
    KafruSchedules schedules;

    @Inject
    @TaskName("it-count")
    CountingTask counting;

    @ArquillianResource
    URL base;

    @Test
    @Order(1)
    void theServerRegistersItsWorkersAndSchedulerAsRunningAgents() {
        String server = workers.serverName();
        await().atMost(Duration.ofSeconds(30)).until(() ->
                agents.list(AgentFilter.builder().server(server).kind(AgentKind.Queue).build()).size() == 2
                        && agents.list(AgentFilter.builder().server(server).kind(AgentKind.Scheduler).build()).size() == 1);
        List<String> queues = agents.list(AgentFilter.builder().server(server).kind(AgentKind.Queue).build()).stream().map(Agent::name).sorted().toList();
        assertEquals(List.of("default", "second"), queues);
        agents.list(AgentFilter.builder().server(server).build()).forEach(a -> assertEquals(AgentStatus.Running, a.status(), a.toString()));
        await().atMost(Duration.ofSeconds(10)).until(() -> agents.metrics().stream()
                .anyMatch(m -> m.name().equals(server + "/default") && m.numWorkers() == 5 && m.kind().equals("Worker")));
        assertTrue(agents.metrics().stream().anyMatch(m -> m.name().equals(server + "/scheduler") && m.kind().equals("Scheduler")));
    }

    @Test
    @Order(2)
    void taskTerminateStopsALongTaskWhichEndsError() {
        Task task = queue.push(TaskRequest.of("it-count").queue("default").parameters(Map.of("sleepMillis", 120_000)));
        await().atMost(Duration.ofSeconds(20)).until(() -> agents.list(AgentFilter.builder().queueId(task.id()).build()).size() == 1);
        Agent agent = agents.list(AgentFilter.builder().queueId(task.id()).build()).get(0);
        assertEquals(AgentKind.Task, agent.kind());
        Agent worker = agents.get(agent.parentId()).orElseThrow();
        assertEquals("default", worker.name());

        long sent = System.nanoTime();
        agents.sendCommand(agent.id(), Command.TaskTerminate, "stuck", "AgentIT");
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() ->
                queue.get(task.id()).orElseThrow().status() == TaskStatus.Error);
        System.out.println("AgentIT: TaskTerminate ended the task in " + (System.nanoTime() - sent) / 1_000_000 + " ms");
        assertEquals("task has been terminated", queue.get(task.id()).orElseThrow().message());
        await().atMost(Duration.ofSeconds(5)).until(() -> agents.get(agent.id()).orElseThrow().commandIsExecuted());
    }

    @Test
    @Order(3)
    void queueForceShutdownGivesEveryRunningAndClaimedTaskBack() {
        manager.startWorker("forced", 2, Duration.ofSeconds(30));
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(TaskRequest.of("it-count").queue("forced").parameters(Map.of("sleepMillis", 120_000)));
        }
        List<Task> pushed = queue.pushAll(requests);
        await().atMost(Duration.ofSeconds(20)).until(() -> counting.mostAtOnce("forced") == 2);
        Agent worker = agents.list(AgentFilter.builder().server(workers.serverName()).kind(AgentKind.Queue).name("forced").build()).get(0);
        agents.sendCommand(worker.id(), Command.QueueForceShutdown, null, "AgentIT");
        await().atMost(Duration.ofSeconds(5)).until(() -> agents.get(worker.id()).orElseThrow().commandIsExecuted());
        assertEquals(AgentStatus.Terminated, agents.get(worker.id()).orElseThrow().status());
        long waiting = pushed.stream().filter(t -> queue.get(t.id()).orElseThrow().status() == TaskStatus.Waiting).count();
        System.out.println("AgentIT: after QueueForceShutdown " + waiting + " of 10 tasks are Waiting");
        assertEquals(10, waiting, "no task lost");
        assertTrue(workers.dispatcher("forced") == null);
        queue.purge(TaskStatus.Waiting, "forced");
    }

    @Test
    @Order(4)
    void metricsCountTheTasksAtTheMetricsEndpoint() throws Exception {
        // the handler's timer appears with its first execution: run one before the baseline
        Task warmUp = queue.push(TaskRequest.of("it-count").queue("second"));
        await().atMost(Duration.ofSeconds(30)).until(() -> find(get("/metrics?scope=application").body(),
                "kafru_task_duration_count", "handler=\"it-count\"").isPresent()
                && queue.get(warmUp.id()).orElseThrow().status() == TaskStatus.Completed);
        int n = 25;
        String before = get("/metrics?scope=application").body();
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("it-count").queue("second"));
        }
        requests.add(TaskRequest.of("it-flaky").queue("second").maxAttempts(2));
        requests.add(TaskRequest.of("it-fail").queue("second").maxAttempts(1));
        List<Task> pushed = queue.pushAll(requests);
        Task flaky = pushed.get(n);
        Task failing = pushed.get(n + 1);
        await().atMost(Duration.ofSeconds(60)).until(() -> pushed.subList(0, n + 1).stream()
                .allMatch(t -> queue.get(t.id()).orElseThrow().status() == TaskStatus.Completed)
                && queue.get(failing.id()).orElseThrow().status() == TaskStatus.Error);
        assertEquals(2, queue.get(flaky.id()).orElseThrow().attempts(), "it-flaky failed once and ran again");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String now = get("/metrics?scope=application").body();
            return increase(before, now, "kafru_tasks_completed_total", "queue=\"second\"") == n + 1
                    && increase(before, now, "kafru_tasks_enqueued_total", "queue=\"second\"") == n + 2;
        });
        String after = get("/metrics?scope=application").body();
        System.out.println("AgentIT: metrics after " + n + " tasks, a retried one and a failed one:\n" + after.lines()
                .filter(l -> l.startsWith("kafru_") && !l.contains("quantile")).reduce("", (a, b) -> a + b + "\n"));
        assertEquals(n, increase(before, after, "kafru_task_duration_count", "handler=\"it-count\""));
        assertEquals(1, increase(before, after, "kafru_tasks_retried_total", "queue=\"second\""), "it-flaky's first attempt");
        assertEquals(1, increase(before, after, "kafru_tasks_failed_total", "queue=\"second\""), "it-fail, out of attempts");
        assertEquals(0, value(after, "kafru_tasks_running", "queue=\"second\""));
        // the waiting gauge is read every kafru.metrics.interval (500 ms here): none of the queue's tasks waits now
        await().atMost(Duration.ofSeconds(10)).until(() ->
                value(get("/metrics?scope=application").body(), "kafru_tasks_waiting", "queue=\"second\"") == 0);
    }

    @Test
    @Order(5)
    void schedulerGracefulShutdownStopsTheSchedulerAndAPausedQueueClaimsNothingUntilResumed() {
        String server = workers.serverName();
        Agent scheduler = agents.list(AgentFilter.builder().server(server).kind(AgentKind.Scheduler)
                .status(AgentStatus.Running).build()).get(0);
        agents.sendCommand(scheduler.id(), Command.SchedulerGracefulShutdown, null, "AgentIT");
        await().atMost(Duration.ofSeconds(5)).until(() -> agents.get(scheduler.id()).orElseThrow().commandIsExecuted());
        assertEquals(AgentStatus.Terminated, agents.get(scheduler.id()).orElseThrow().status());
        assertTrue(!manager.isSchedulerRunning());
        manager.startScheduler();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                agents.list(AgentFilter.builder().server(server).kind(AgentKind.Scheduler).status(AgentStatus.Running).build()).size() == 1);

        manager.pause("second", true);
        assertTrue(agents.list(AgentFilter.builder().kind(AgentKind.Queue).name("second").build()).stream().allMatch(Agent::paused));
        Task parked = queue.push(TaskRequest.of("it-count").queue("second"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() ->
                queue.get(parked.id()).orElseThrow().status() == TaskStatus.Waiting);
        manager.pause("second", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> queue.get(parked.id()).orElseThrow().status() == TaskStatus.Completed);
        assertEquals(1, counting.executionsOf(parked.id()));
    }

    @Test
    @Order(6)
    void schedulerForceShutdownStopsFiringUntilTheSchedulerIsStartedAgain() {
        String server = workers.serverName();
        await().atMost(Duration.ofSeconds(10)).until(() ->
                agents.list(AgentFilter.builder().server(server).kind(AgentKind.Scheduler).status(AgentStatus.Running).build()).size() == 1);
        Agent scheduler = agents.list(AgentFilter.builder().server(server).kind(AgentKind.Scheduler).status(AgentStatus.Running).build()).get(0);
        agents.sendCommand(scheduler.id(), Command.SchedulerForceShutdown, "now", "AgentIT");
        await().atMost(Duration.ofSeconds(5)).until(() -> agents.get(scheduler.id()).orElseThrow().commandIsExecuted());
        assertEquals(AgentStatus.Terminated, agents.get(scheduler.id()).orElseThrow().status());
        assertFalse(manager.isSchedulerRunning());

        // due every second from now on: a stopped scheduler fires none of it
        dev.kafru.Schedule everySecond = schedules.create(ScheduleRequest.of("agent-it-after-force", "it-count").queue("second")
                .cron("* * * * * ?"));
        try {
            await("no task from a schedule due every second after SchedulerForceShutdown").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5)).until(() -> tasksNamed("agent-it-after-force") == 0);
            manager.startScheduler();
            await().atMost(Duration.ofSeconds(30)).until(() -> tasksNamed("agent-it-after-force") > 0);
        } finally {
            schedules.remove(everySecond.id());
        }
    }

    private long tasksNamed(String name) {
        return queue.list(null, "second", 1000, 0).stream().filter(t -> name.equals(t.name())).count();
    }

    @Test
    @Order(7)
    void liveHealthIsDownWhileAWorkerHasStoppedWithoutBeingAskedTo() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/live").statusCode() == 200);
        QueueDispatcher doomed = manager.startWorker("doomed", 1, Duration.ofSeconds(30));
        // the dispatcher ends by itself, as a crashed one would: Workers never asked it to stop
        doomed.stop(Duration.ZERO);
        HttpResponse<String> down = await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/live"), r -> r.statusCode() == 503);
        assertTrue(down.body().contains("kafru-workers") && down.body().contains("\"DOWN\"")
                && down.body().contains("queue.doomed"), down.body());
        // stopped on purpose, it no longer counts
        assertTrue(manager.stopWorker("doomed"));
        await().atMost(Duration.ofSeconds(10)).until(() -> get("/health/live").statusCode() == 200);
    }

    @Test
    @Order(8)
    @RunAsClient
    void healthGoesDownWithSurrealDbAndUpWhenItIsBack() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> get("/health").statusCode() == 200);
        SurrealLauncher launcher = Deployments.launcher();
        launcher.kill();
        long killed = System.nanoTime();
        try {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> get("/health").statusCode() == 503);
            String down = get("/health/ready").body();
            System.out.println("AgentIT: /health DOWN after " + (System.nanoTime() - killed) / 1_000_000 + " ms: " + down);
            assertTrue(down.contains("\"DOWN\"") && down.contains("kafru-surrealdb"), down);
        } finally {
            launcher.restart();
        }
        long restarted = System.nanoTime();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> get("/health").statusCode() == 200);
        System.out.println("AgentIT: /health UP again " + (System.nanoTime() - restarted) / 1_000_000 + " ms after restart: "
                + get("/health").body());
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI uri = new URI(base.getProtocol(), null, base.getHost(), base.getPort(), null, null, null).resolve(path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of the Prometheus line {@code name{…tag…} value}; a series that is not exported fails the test. */
    static double value(String text, String name, String tag) {
        return find(text, name, tag).orElseThrow(() -> new AssertionError(name + "{" + tag + "} is not exported; kafru's series are:\n"
                + text.lines().filter(l -> l.startsWith("kafru_")).reduce("", (a, b) -> a + b + "\n")));
    }

    /** How much a series grew between two readings; both must have it. */
    static double increase(String before, String after, String name, String tag) {
        return value(after, name, tag) - value(before, name, tag);
    }

    /** The value of the Prometheus line {@code name{…tag…} value}, if there is one. */
    static java.util.OptionalDouble find(String text, String name, String tag) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} ([0-9.eE+-]+)").matcher(text);
        while (m.find()) {
            if (m.group(1).contains(tag)) {
                return java.util.OptionalDouble.of(Double.parseDouble(m.group(2)));
            }
        }
        return java.util.OptionalDouble.empty();
    }
}
