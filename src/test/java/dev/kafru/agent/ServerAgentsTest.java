package dev.kafru.agent;

import dev.kafru.Agent;
import dev.kafru.AgentFilter;
import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;
import dev.kafru.Command;
import dev.kafru.Task;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.MetricSnapshot;
import dev.kafru.store.NewAgent;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealAgentRepository;
import dev.kafru.store.surreal.SurrealMetricRepository;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.QueueDispatcher;
import dev.kafru.worker.TaskRegistry;
import dev.kafru.worker.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Agents and commands on the real engine, with two "servers" in one JVM: server A runs a
 * worker with its agents on its own connection; commands are sent from server B's connection.
 */
class ServerAgentsTest {

    static SurrealLauncher launcher;
    SurrealSettings database;
    RpcSurrealConnection connA;
    RpcSurrealConnection connB;
    SurrealTaskRepository tasksA;
    SurrealAgentRepository agentsB;
    ExecutorService executor;
    ScheduledExecutorService timer;
    final List<ServerAgents> servers = new ArrayList<>();
    final List<QueueDispatcher> dispatchers = new ArrayList<>();
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger interrupted = new AtomicInteger();
    final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    final AgentSettings fast = new AgentSettings(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofMillis(200));
    final WorkerSettings workerSettings = WorkerSettings.defaults().withShutdownTimeout(Duration.ofSeconds(10));
    final TaskHandler sleeper = ctx -> {
        started.incrementAndGet();
        executions.computeIfAbsent(ctx.taskId(), k -> new AtomicInteger()).incrementAndGet();
        try {
            Thread.sleep(ctx.getLong("sleepMillis", 0));
        } catch (InterruptedException e) {
            interrupted.incrementAndGet();
            throw e;
        }
    };

    @BeforeAll
    static void startEngine() {
        launcher = SurrealLauncher.shared();
    }

    @BeforeEach
    void setUp() {
        database = launcher.freshDatabase();
        connA = RpcSurrealConnection.open(database);
        connB = RpcSurrealConnection.open(database);
        Schema.apply(connA);
        tasksA = new SurrealTaskRepository(connA);
        agentsB = new SurrealAgentRepository(connB);
        executor = Executors.newCachedThreadPool();
        timer = Executors.newScheduledThreadPool(2);
    }

    @AfterEach
    void tearDown() {
        servers.forEach(ServerAgents::close);
        dispatchers.forEach(d -> d.stop(Duration.ZERO));
        executor.shutdownNow();
        timer.shutdownNow();
        connA.close();
        connB.close();
    }

    /** A server on its own connection: a worker of {@code queue} and its agents. */
    ServerAgents server(String name, String queue, int threads, RpcSurrealConnection conn) {
        ServerAgents agents = new ServerAgents(new SurrealAgentRepository(conn), new SurrealMetricRepository(conn), name, timer, executor, fast,
                (d, force) -> d.stop(force ? Duration.ZERO : workerSettings.shutdownTimeout()));
        agents.start();
        QueueDispatcher d = new QueueDispatcher(queue, threads, workerSettings, new SurrealTaskRepository(conn),
                TaskRegistry.of(Map.of("sleep", sleeper)), executor, timer, name + "/" + queue);
        agents.registerQueue(d);
        d.start();
        servers.add(agents);
        dispatchers.add(d);
        return agents;
    }

    List<Task> push(int n, String queue, long sleepMillis) {
        List<TaskRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(TaskRequest.of("sleep").queue(queue).parameters(Map.of("sleepMillis", sleepMillis, "i", i)));
        }
        List<Task> tasks = tasksA.insert(requests);
        dispatchers.forEach(QueueDispatcher::wake); // as a push on a server does
        return tasks;
    }

    /** Tasks with this status, as the store reads them (rows and the members of push units alike). */
    long count(TaskStatus status) {
        return new SurrealTaskRepository(connB).count(new dev.kafru.TaskFilter(status, null, null, null), Integer.MAX_VALUE);
    }

    Agent agent(String key) {
        return agentsB.get(key).orElseThrow();
    }

    @Test
    void forceShutdownSentFromAnotherServerStopsTheWorkerAndLosesNoTask() {
        ServerAgents a = server("server-a", "q", 4, connA);
        push(40, "q", 30_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == 4);
        Agent worker = agentsB.list(AgentFilter.builder().kind(AgentKind.Queue).server("server-a").build(), 10).get(0);
        assertEquals(a.queueAgent("q"), worker.id());
        assertEquals(AgentStatus.Running, worker.status());

        long sent = System.nanoTime();
        agentsB.sendCommand(worker.id(), Command.QueueForceShutdown, "deploying", "ops");
        // "within about a second" is timing: printed here, not a pass/fail threshold; the test waits generously
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> agent(worker.id()).commandIsExecuted());
        long tookMs = (System.nanoTime() - sent) / 1_000_000;
        System.out.println("ServerAgentsTest: QueueForceShutdown carried out in " + tookMs + " ms; interrupted " + interrupted.get());

        Agent after = agent(worker.id());
        assertEquals(AgentStatus.Terminated, after.status());
        assertEquals("ops", after.author());
        assertTrue(dispatchers.get(0).isStopped());
        await().atMost(Duration.ofSeconds(5)).until(() -> interrupted.get() == 4);
        // every one of the 40 tasks is back in the queue: the 4 interrupted and the ones claimed ahead
        assertEquals(40, count(TaskStatus.Waiting));
        assertEquals(0, count(TaskStatus.InProgress) + count(TaskStatus.Completed) + count(TaskStatus.Error));
    }

    @Test
    void gracefulShutdownLetsTheRunningTasksFinishAndGivesTheRestBack() {
        ServerAgents a = server("server-a", "q", 3, connA);
        push(30, "q", 600);
        await().atMost(Duration.ofSeconds(10)).until(() -> started.get() >= 3);
        String worker = a.queueAgent("q");
        agentsB.sendCommand(worker, Command.QueueGracefulShutdown, null, "ops");
        await().atMost(Duration.ofSeconds(10)).until(() -> agent(worker).commandIsExecuted());
        assertEquals(AgentStatus.Terminated, agent(worker).status());
        long completed = count(TaskStatus.Completed);
        System.out.println("ServerAgentsTest: graceful shutdown: " + completed + " completed, " + count(TaskStatus.Waiting)
                + " waiting, interrupted " + interrupted.get());
        assertEquals(0, interrupted.get(), "graceful interrupts nothing");
        assertEquals(started.get(), completed, "every started task completed");
        assertEquals(30, completed + count(TaskStatus.Waiting));
        assertEquals(0, count(TaskStatus.InProgress));
    }

    @Test
    void taskTerminateSentFromAnotherServerStopsALongTaskWhichEndsError() {
        ServerAgents a = server("server-a", "q", 2, connA);
        Task task = push(1, "q", 60_000).get(0);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                agentsB.list(AgentFilter.builder().kind(AgentKind.Task).queueId(task.id()).build(), 10).size() == 1);
        Agent taskAgent = agentsB.list(AgentFilter.builder().kind(AgentKind.Task).queueId(task.id()).build(), 10).get(0);
        assertEquals(a.queueAgent("q"), taskAgent.parentId());
        assertEquals("server-a", taskAgent.server());
        assertEquals(AgentStatus.Running, taskAgent.status());

        long sent = System.nanoTime();
        agentsB.sendCommand(taskAgent.id(), Command.TaskTerminate, "stuck", "ops");
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() ->
                tasksA.get(task.id()).orElseThrow().status() == TaskStatus.Error);
        long tookMs = (System.nanoTime() - sent) / 1_000_000;
        System.out.println("ServerAgentsTest: TaskTerminate ended the task in " + tookMs + " ms");
        assertEquals("task has been terminated", tasksA.get(task.id()).orElseThrow().message());
        assertEquals(1, interrupted.get());
        await().atMost(Duration.ofSeconds(5)).until(() -> agent(taskAgent.id()).commandIsExecuted());
        assertEquals(AgentStatus.Terminated, agent(taskAgent.id()).status());
    }

    @Test
    void taskRemoveDeletesTheTask() {
        server("server-a", "q", 2, connA);
        Task task = push(1, "q", 60_000).get(0);
        await().atMost(Duration.ofSeconds(10)).until(() ->
                agentsB.list(AgentFilter.builder().kind(AgentKind.Task).queueId(task.id()).build(), 10).size() == 1);
        Agent taskAgent = agentsB.list(AgentFilter.builder().kind(AgentKind.Task).queueId(task.id()).build(), 10).get(0);
        agentsB.sendCommand(taskAgent.id(), Command.TaskRemove, null, null);
        await().atMost(Duration.ofSeconds(5)).until(() -> tasksA.get(task.id()).isEmpty() && agent(taskAgent.id()).commandIsExecuted());
        assertEquals(1, interrupted.get());
    }

    @Test
    void aLongTaskIsListedWhileItRunsAndItsAgentGoesWhenItEnds() {
        server("server-a", "q", 2, connA);
        Task task = push(1, "q", 1_500).get(0);
        AgentFilter ofTheTask = AgentFilter.builder().kind(AgentKind.Task).queueId(task.id()).build();
        await().atMost(Duration.ofSeconds(5)).until(() -> agentsB.list(ofTheTask, 10).size() == 1);
        assertEquals(TaskStatus.InProgress, tasksA.get(task.id()).orElseThrow().status(), "listed while it runs");
        await().atMost(Duration.ofSeconds(10)).until(() -> tasksA.get(task.id()).orElseThrow().status() == TaskStatus.Completed);
        await().atMost(Duration.ofSeconds(5)).until(() -> agentsB.list(ofTheTask, 10).isEmpty());
        assertEquals(1, executions.get(task.id()).get());
    }

    @Test
    void shortTasksLeaveNoTaskAgentsBehindAndEachRunsOnce() {
        server("server-a", "q", 8, connA);
        push(300, "q", 0);
        await().atMost(Duration.ofSeconds(60)).until(() -> count(TaskStatus.Completed) == 300);
        await().atMost(Duration.ofSeconds(5)).until(() ->
                agentsB.list(AgentFilter.builder().kind(AgentKind.Task).server("server-a").build(), 1000).isEmpty());
        assertEquals(300, executions.size());
        executions.values().forEach(n -> assertEquals(1, n.get()));
    }

    @Test
    void pauseIsClusterWideAndResumeRunsTheWaitingTasks() {
        RpcSurrealConnection connC = RpcSurrealConnection.open(database);
        try {
            server("server-a", "shared", 2, connA);
            server("server-c", "shared", 2, connC);
            assertEquals(2, agentsB.setQueuePaused("shared", true));
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20)).until(() ->
                    dispatchers.stream().allMatch(QueueDispatcher::isPaused));
            push(20, "shared", 0);
            // the workers are awake (a push wakes them) but claim nothing while paused
            dispatchers.forEach(QueueDispatcher::wake);
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> count(TaskStatus.Waiting) == 20);
            assertEquals(0, started.get());

            // a worker that starts later for that queue starts paused
            ServerAgents late = server("server-d", "shared", 1, connC);
            assertTrue(dispatchers.get(2).isPaused(), "a late worker starts paused");

            agentsB.setQueuePaused("shared", false);
            await().atMost(Duration.ofSeconds(20)).until(() -> count(TaskStatus.Completed) == 20);
            assertFalse(dispatchers.stream().anyMatch(QueueDispatcher::isPaused));
            assertEquals(20, started.get());
            late.close();
        } finally {
            servers.forEach(ServerAgents::close);
            servers.clear();
            dispatchers.forEach(d -> d.stop(Duration.ZERO));
            dispatchers.clear();
            connC.close();
        }
    }

    @Test
    void aPauseOutlivesEveryWorkerOfTheQueueUntilResumed() {
        assertEquals(0, agentsB.setQueuePaused("lonely", true), "no worker of it runs anywhere");
        assertTrue(agentsB.isQueuePaused("lonely"));
        assertEquals(java.util.Set.of("lonely"), agentsB.pausedQueues());
        server("server-a", "lonely", 2, connA);
        assertTrue(dispatchers.get(0).isPaused(), "a worker started after the pause starts paused");
        push(3, "lonely", 0);
        dispatchers.get(0).wake();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> count(TaskStatus.Waiting) == 3);

        assertEquals(1, agentsB.setQueuePaused("lonely", false));
        assertFalse(agentsB.isQueuePaused("lonely"));
        assertEquals(java.util.Set.of(), agentsB.pausedQueues());
        await().atMost(Duration.ofSeconds(20)).until(() -> count(TaskStatus.Completed) == 3);
    }

    @Test
    void aServerPurgesItsOldAgentsAtStartAndMarksASilentServersAgentsError() {
        SurrealAgentRepository storeA = new SurrealAgentRepository(connA);
        storeA.create(new NewAgent("old-a", "q", AgentKind.Queue, "server-a", null, null, AgentStatus.Running, false));
        storeA.create(new NewAgent("ghost-q", "q", AgentKind.Queue, "ghost", null, null, AgentStatus.Running, false));
        server("server-a", "q", 1, connA);
        assertTrue(agentsB.get("old-a").isEmpty(), "server-a's old agent is purged at start");
        await().atMost(Duration.ofSeconds(5)).until(() -> agent("ghost-q").status() == AgentStatus.Error);
        assertTrue(agent("ghost-q").message().startsWith("no heartbeat from server ghost"), agent("ghost-q").message());
        // server-a's own agent keeps beating
        Agent own = agentsB.list(AgentFilter.builder().server("server-a").build(), 10).get(0);
        assertEquals(AgentStatus.Running, own.status());
        // and the silent server's agents are deleted after three expiries
        await().atMost(Duration.ofSeconds(8)).until(() -> agentsB.get("ghost-q").isEmpty());
    }

    @Test
    void metricSnapshotsCountTheRunningTasksAndTheThreadsOfEachWorker() {
        server("server-a", "q", 3, connA);
        push(5, "q", 30_000);
        SurrealMetricRepository metrics = new SurrealMetricRepository(connB);
        await().atMost(Duration.ofSeconds(10)).until(() -> metrics.list().stream()
                .anyMatch(s -> s.name().equals("server-a/q") && s.numAliveTasks() == 3));
        MetricSnapshot s = metrics.list().stream().filter(m -> m.name().equals("server-a/q")).findFirst().orElseThrow();
        assertEquals("Worker", s.kind());
        assertEquals(3, s.numWorkers());
        assertEquals(1, metrics.list().size(), "one row per name, updated in place");
    }

    @Test
    void agentsAreFilteredAsTheCrateFiltersThem() {
        ServerAgents a = server("server-a", "q", 1, connA);
        ServerAgents b = server("server-b", "r", 1, connB);
        assertEquals(2, agentsB.list(AgentFilter.all(), 100).size());
        assertEquals(1, agentsB.list(AgentFilter.builder().name("r").build(), 100).size());
        assertEquals(2, agentsB.list(AgentFilter.builder().names(List.of("q", "r")).build(), 100).size());
        assertEquals(1, agentsB.list(AgentFilter.builder().id(a.queueAgent("q")).build(), 100).size());
        assertEquals(2, agentsB.list(AgentFilter.builder().ids(List.of(a.queueAgent("q"), b.queueAgent("r"))).build(), 100).size());
        assertEquals(2, agentsB.list(AgentFilter.builder().statuses(List.of(AgentStatus.Running)).build(), 100).size());
        assertEquals(0, agentsB.list(AgentFilter.builder().status(AgentStatus.Error).build(), 100).size());
        assertEquals(0, agentsB.list(AgentFilter.builder().kind(AgentKind.Scheduler).build(), 100).size());
        assertEquals(0, agentsB.list(AgentFilter.builder().command(Command.TaskRemove).build(), 100).size());
        assertEquals(2, agentsB.list(AgentFilter.builder().commandIsExecuted(false).build(), 100).size());
        assertEquals(1, agentsB.list(AgentFilter.builder().server("server-b").kind(AgentKind.Queue).build(), 100).size());
    }
}
