package dev.kafru.worker;

import dev.kafru.Task;
import dev.kafru.TaskHandler;
import dev.kafru.TaskRequest;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failing handler is visible in the log, on the real engine: one WARNING per failed attempt
 * naming the task, its handler, the attempt of how many and the exception; the stack trace comes
 * with the last failure's WARNING, and at FINE for the attempts before it.
 */
class FailureLoggingTest {

    RpcSurrealConnection db;
    SurrealTaskRepository store;
    ExecutorService executor;
    ScheduledExecutorService scheduler;
    QueueDispatcher dispatcher;
    final Logger logger = Logger.getLogger(TaskExecution.class.getName());
    Level levelBefore;
    final List<LogRecord> records = new CopyOnWriteArrayList<>();
    final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void setUp() {
        db = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase());
        Schema.apply(db);
        store = new SurrealTaskRepository(db);
        executor = Executors.newCachedThreadPool();
        scheduler = Executors.newScheduledThreadPool(2);
        levelBefore = logger.getLevel();
        logger.setLevel(Level.FINE);
        logger.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        logger.removeHandler(capture);
        logger.setLevel(levelBefore);
        if (dispatcher != null) {
            dispatcher.stop(Duration.ofSeconds(5));
        }
        executor.shutdownNow();
        scheduler.shutdownNow();
        db.close();
    }

    @Test
    void eachFailedAttemptIsOneWarningAndTheLastCarriesTheStackTrace() {
        IllegalStateException failure = new IllegalStateException("the mail server refused");
        TaskHandler mailer = ctx -> {
            throw failure;
        };
        Task task = store.insert(List.of(TaskRequest.of("mailer").queue("mail").maxAttempts(3))).get(0);
        dispatcher = new QueueDispatcher("mail", 1, WorkerSettings.defaults().withRetryBase(Duration.ofMillis(20)), store,
                TaskRegistry.of(Map.of("mailer", mailer)), executor, scheduler, "me/mail");
        dispatcher.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> store.get(task.id()).orElseThrow().status() == TaskStatus.Error);

        List<LogRecord> warnings = records.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(3, warnings.size(), "one WARNING per attempt: " + messages(warnings));
        for (int attempt = 1; attempt <= 3; attempt++) {
            String line = warnings.get(attempt - 1).getMessage();
            assertTrue(line.startsWith("task " + task.id() + " (handler mailer, queue mail) failed attempt " + attempt + " of 3: "
                    + "java.lang.IllegalStateException: the mail server refused; "), line);
            assertTrue(line.endsWith(attempt < 3 ? " ms" : "it ends Error"), line);
        }
        assertNull(warnings.get(0).getThrown(), "no stack trace at WARNING before the last attempt");
        assertNull(warnings.get(1).getThrown());
        assertSame(failure, warnings.get(2).getThrown(), "the last failure's WARNING carries the stack trace");
        List<LogRecord> fine = records.stream().filter(r -> r.getLevel() == Level.FINE).toList();
        assertEquals(2, fine.size(), "the earlier attempts' stack traces at FINE: " + messages(fine));
        fine.forEach(r -> assertSame(failure, r.getThrown()));
    }

    private static List<String> messages(List<LogRecord> records) {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }
}
