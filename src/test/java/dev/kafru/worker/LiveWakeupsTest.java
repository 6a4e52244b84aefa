package dev.kafru.worker;

import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.StoreLifecycle;
import dev.kafru.store.TaskRepository;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.MapConfig;
import dev.kafru.testing.PlainManagedExecutor;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafru.worker.live-wakeups on the real engine: a task pushed through another connection (as
 * another server pushes) starts through the live query at once, or — with the wake-ups off, as on
 * a multi-node SurrealDB where live queries do not cross nodes — within the poll interval.
 */
class LiveWakeupsTest {

    static SurrealLauncher launcher;
    SurrealSettings database;
    RpcSurrealConnection workersConnection;
    RpcSurrealConnection otherServer;
    PlainManagedExecutor executor;
    Workers workers;
    final AtomicInteger subscriptions = new AtomicInteger();
    final Map<String, Long> startedAt = new ConcurrentHashMap<>();

    @BeforeAll
    static void startEngine() {
        launcher = SurrealLauncher.shared();
    }

    @BeforeEach
    void connect() {
        database = launcher.freshDatabase();
        workersConnection = RpcSurrealConnection.open(database);
        Schema.apply(workersConnection);
        otherServer = RpcSurrealConnection.open(database);
        executor = new PlainManagedExecutor(8);
    }

    @AfterEach
    void stop() {
        if (workers != null) {
            workers.stopWithTheApplication();
        }
        executor.shutdownNow();
        workersConnection.close();
        otherServer.close();
    }

    /** This server's workers on queue "q", with their own connection; counts live-query subscriptions. */
    private void startWorkers(Map<String, String> settings) {
        SurrealTaskRepository store = new SurrealTaskRepository(workersConnection);
        TaskRepository counting = (TaskRepository) Proxy.newProxyInstance(TaskRepository.class.getClassLoader(),
                new Class<?>[]{TaskRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("onSignal")) {
                        subscriptions.incrementAndGet();
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Map<String, String> config = new java.util.HashMap<>(Map.of("kafru.queues", "q:2", "kafru.server.name", "this-server"));
        config.putAll(settings);
        workers = new Workers();
        workers.config = new MapConfig(config);
        workers.storage = new StoreLifecycle() {
            @Override
            public void open() {
            }

            @Override
            public void awaitReady(Duration timeout) {
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public boolean isConnected() {
                return true;
            }
        };
        workers.tasks = counting;
        TaskHandler record = ctx -> startedAt.put(ctx.taskId(), System.nanoTime());
        workers.registry = TaskRegistry.of(Map.of("record", record));
        workers.executor = executor;
        workers.scheduler = executor;
        workers.onStart(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> workers.dispatcher("q") != null);
    }

    /** Pushes one task through the other connection, as another server would, and returns when it started (ms after). */
    private long pushElsewhereAndTimeTheStart(Duration patience) {
        long pushed = System.nanoTime();
        String id = new SurrealTaskRepository(otherServer).insert(List.of(TaskRequest.of("record").queue("q"))).get(0).id();
        await().atMost(patience).pollInterval(Duration.ofMillis(20)).until(() -> startedAt.containsKey(id));
        return (startedAt.get(id) - pushed) / 1_000_000;
    }

    @Test
    void withLiveWakeupsAnotherServersPushStartsLongBeforeThePollInterval() {
        startWorkers(Map.of("kafru.worker.poll-interval", "60s"));
        assertEquals(1, subscriptions.get(), "the workers listen to push signals");
        long took = pushElsewhereAndTimeTheStart(Duration.ofSeconds(10));
        assertTrue(took < 5_000, "started after " + took + " ms, poll interval 60 s");
    }

    @Test
    void withLiveWakeupsOffAnotherServersPushStartsWithinThePollInterval() {
        startWorkers(Map.of("kafru.worker.poll-interval", "2s", "kafru.worker.live-wakeups", "false"));
        assertEquals(0, subscriptions.get(), "no live query for wake-ups");
        for (int i = 0; i < 3; i++) {
            long took = pushElsewhereAndTimeTheStart(Duration.ofSeconds(6));
            assertTrue(took <= 2_000 + 1_500, "push " + i + " started after " + took + " ms, poll interval 2 s");
        }
        assertEquals(0, ((Number) otherServer.query("RETURN count(SELECT * FROM kafru_queues WHERE status = $s)",
                Map.of("s", TaskStatus.Waiting.name())).get(0)).intValue());
    }
}
