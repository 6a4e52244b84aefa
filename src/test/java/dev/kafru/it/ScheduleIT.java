package dev.kafru.it;

import dev.kafru.InvalidScheduleException;
import dev.kafru.KafruManager;
import dev.kafru.KafruQueue;
import dev.kafru.KafruSchedules;
import dev.kafru.Recurring;
import dev.kafru.Schedule;
import dev.kafru.ScheduleRequest;
import dev.kafru.ScheduleStatus;
import dev.kafru.Task;
import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scheduler in a real container: the MSES timer fires schedules into queues that the workers run. */
@ExtendWith(ArquillianExtension.class)
class ScheduleIT {

    @Deployment
    static WebArchive deployment() {
        // passes at least every second: a scheduler that went on after its stop would fire within the 3 s the stop test watches
        return Deployments.kafru("schedule_it", List.of("kafru.scheduler.poll-interval=1s"),
                ScheduleIT.class, ScheduleIT.EveryTwoSeconds.class, CountingTask.class);
    }

    /** A declarative schedule: defined at start-up from the annotation. */
    @TaskName("it-recurring")
    @Recurring(cron = "*/2 * * * * ?", name = "it-recurring-every-2s", queue = "second", timeZone = "Europe/Berlin")
    @ApplicationScoped
    public static class EveryTwoSeconds implements TaskHandler {
        final AtomicInteger runs = new AtomicInteger();

        public int runs() {
            return runs.get();
        }

        @Override
        public void run(TaskContext ctx) {
            runs.incrementAndGet();
        }
    }

    @Inject
    KafruSchedules schedules;

    @Inject
    KafruQueue queue;

    @Inject
    KafruManager manager;

    @Inject
    @TaskName("it-count")
    CountingTask counting;

    @Inject
    @TaskName("it-recurring")
    EveryTwoSeconds everyTwoSeconds;

    List<Task> tasksNamed(String name) {
        return queue.list(null, null, 1000, 0).stream().filter(t -> name.equals(t.name())).toList();
    }

    @Test
    void aScheduleFiringEverySecondProducesTasksThatTheWorkerCompletesEachOnce() {
        Schedule schedule = schedules.create(ScheduleRequest.of("it-every-second", "it-count").cron("* * * * * ?")
                .parameters(Map.of("sleepMillis", 1)));
        await().atMost(Duration.ofSeconds(60)).until(() ->
                tasksNamed("it-every-second").stream().filter(t -> t.status() == TaskStatus.Completed).count() >= 6);
        assertTrue(schedules.remove(schedule.id()));

        List<Task> tasks = tasksNamed("it-every-second");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                tasksNamed("it-every-second").stream().allMatch(t -> t.status() == TaskStatus.Completed));
        tasks = tasksNamed("it-every-second");
        long distinctSeconds = tasks.stream().map(Task::runAt).distinct().count();
        assertEquals(tasks.size(), distinctSeconds, "one task per occurrence");
        long worstLagMillis = 0;
        for (Task task : tasks) {
            assertEquals(1, counting.executionsOf(task.id()), "executions of " + task.id());
            assertEquals("default", task.queue());
            assertEquals(1L, ((Number) task.parameters().get("sleepMillis")).longValue());
            assertEquals(task.runAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), task.runAt(),
                    "a task's runAt is its occurrence, a whole second: " + task.runAt());
            assertFalse(task.dateCreated().isBefore(task.runAt()), "fired before its occurrence: created " + task.dateCreated()
                    + " for " + task.runAt());
            worstLagMillis = Math.max(worstLagMillis, Duration.between(task.runAt(), task.dateCreated()).toMillis());
        }
        // how late it fires is timing: printed here, not a pass/fail threshold
        System.out.println("ScheduleIT: " + tasks.size() + " tasks from an every-second schedule; worst lag from occurrence to task "
                + worstLagMillis + " ms");
    }

    @Test
    void aRecurringBeanHasItsScheduleFromStartUpAndItRuns() {
        Schedule recurring = schedules.byName("it-recurring-every-2s").orElseThrow();
        assertEquals("*/2 * * * * ?", recurring.cronExpression());
        assertEquals("Europe/Berlin", recurring.timeZone());
        assertEquals("second", recurring.queue());
        assertEquals("it-recurring", recurring.handler());
        await().atMost(Duration.ofSeconds(60)).until(() -> everyTwoSeconds.runs() >= 2);
        await().atMost(Duration.ofSeconds(30)).until(() -> tasksNamed("it-recurring-every-2s").stream()
                .anyMatch(t -> t.status() == TaskStatus.Completed && t.queue().equals("second")));
        schedules.update(recurring.id(), ScheduleRequest.of(recurring.name(), "it-recurring").cron(recurring.cronExpression())
                .queue("second").timeZone("Europe/Berlin").status(ScheduleStatus.Disabled));
    }

    @Test
    void anUnknownHandlerIsRefusedAndTheManagerStopsAndStartsTheScheduler() {
        InvalidScheduleException refused = assertThrows(InvalidScheduleException.class,
                () -> schedules.create(ScheduleRequest.of("it-bad", "mailer").cron("0 * * * * ?")));
        assertEquals("handler", refused.field());
        assertTrue(refused.getMessage().contains("it-count"), refused.getMessage());
        assertTrue(schedules.byName("it-bad").isEmpty());

        await().atMost(Duration.ofSeconds(30)).until(manager::isSchedulerRunning);
        manager.stopScheduler();
        assertFalse(manager.isSchedulerRunning());
        // due every second from now on: a stopped scheduler fires none of it, a started one does
        Schedule everySecond = schedules.create(ScheduleRequest.of("it-while-stopped", "it-count").cron("* * * * * ?"));
        try {
            await("no task from a schedule due every second while the scheduler is stopped").during(Duration.ofSeconds(3))
                    .atMost(Duration.ofSeconds(5)).until(() -> tasksNamed("it-while-stopped").isEmpty());
            manager.startScheduler();
            assertTrue(manager.isSchedulerRunning());
            await().atMost(Duration.ofSeconds(30)).until(() -> !tasksNamed("it-while-stopped").isEmpty());
        } finally {
            schedules.remove(everySecond.id());
        }
    }
}
