package dev.kafru.store;

import dev.kafru.Schedule;
import dev.kafru.ScheduleFilter;
import dev.kafru.ScheduleStatus;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link ScheduleRepository} must do, written once against the interface (see
 * {@link TaskRepositoryContract} for the task half): names are unique, and firing is a
 * compare-and-set that turns one occurrence into one task however many servers fire it at once.
 */
public abstract class ScheduleRepositoryContract {

    /** The schedule repository on this test's store, as one more server sees it; empty when the test starts. */
    protected abstract ScheduleRepository schedules();

    /** The task repository on the same store, to count what firing pushed. */
    protected abstract TaskRepository tasks();

    private static final Instant NOW = Instant.parse("2026-06-01T10:00:00Z");

    private static ScheduleFields fields(String name, Instant next) {
        return new ScheduleFields(name, "contract", "work", Map.of("n", 1L), "0 * * * * *", "UTC", ScheduleStatus.Enabled,
                false, null, null, next, NOW);
    }

    @Test
    void aNameBelongsToOneScheduleAndAClashStoresNothing() {
        ScheduleRepository repository = schedules();
        Schedule first = repository.insert(fields("nightly", NOW.plusSeconds(60)));
        assertThrows(ScheduleRepository.DuplicateNameException.class, () -> repository.insert(fields("nightly", NOW.plusSeconds(120))));
        Schedule other = repository.insert(fields("hourly", NOW.plusSeconds(60)));
        assertThrows(ScheduleRepository.DuplicateNameException.class, () -> repository.replace(other.id(), fields("nightly", NOW)));

        assertEquals("hourly", repository.get(other.id()).orElseThrow().name(), "the refused rename changed nothing");
        assertEquals(first.id(), repository.byName("nightly").orElseThrow().id());
        assertEquals(2, repository.list(ScheduleFilter.all()).size());
    }

    @Test
    void serversFiringOneOccurrenceAtOncePushOneTask() throws Exception {
        Instant occurrence = NOW.minusSeconds(1).truncatedTo(ChronoUnit.SECONDS);
        Schedule schedule = schedules().insert(fields("every-minute", occurrence));
        Instant next = occurrence.plusSeconds(60);
        int servers = 4;
        List<ScheduleRepository> repositories = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            repositories.add(schedules());
        }
        ExecutorService pool = Executors.newFixedThreadPool(servers);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<ScheduleRepository.Fired>> fired = new ArrayList<>();
            for (ScheduleRepository repository : repositories) {
                fired.add(pool.submit(() -> {
                    start.await();
                    return repository.fire(schedule.id(), occurrence, next, ScheduleStatus.Enabled,
                            TaskRequest.of("work").queue("contract").name("every-minute"), NOW);
                }));
            }
            start.countDown();
            int moved = 0;
            for (Future<ScheduleRepository.Fired> f : fired) {
                moved += f.get(60, TimeUnit.SECONDS).moved() ? 1 : 0;
            }
            assertEquals(1, moved, "exactly one server moved the occurrence");
        } finally {
            pool.shutdownNow();
        }
        List<Task> pushed = tasks().list(null, "contract", 100, 0);
        assertEquals(1, pushed.size(), "one occurrence, one task: " + pushed);
        assertEquals(next, schedules().get(schedule.id()).orElseThrow().nextSchedule());

        // a server that saw the old occurrence late fires nothing
        ScheduleRepository.Fired late = schedules().fire(schedule.id(), occurrence, next.plusSeconds(60), ScheduleStatus.Enabled,
                TaskRequest.of("work").queue("contract"), NOW);
        assertFalse(late.moved());
        assertEquals(1, tasks().list(null, "contract", 100, 0).size());
    }

    @Test
    void dueHoldsEnabledSchedulesAtOrBeforeNowOnly() {
        ScheduleRepository repository = schedules();
        Schedule past = repository.insert(fields("past", NOW.minusSeconds(5)));
        Schedule atNow = repository.insert(fields("at-now", NOW));
        repository.insert(fields("future", NOW.plusSeconds(5)));
        Schedule disabled = repository.insert(fields("disabled", NOW.minusSeconds(5)));
        repository.replace(disabled.id(), new ScheduleFields("disabled", "contract", "work", Map.of(), "0 * * * * *", "UTC",
                ScheduleStatus.Disabled, false, null, null, NOW.minusSeconds(5), NOW));

        List<String> due = repository.due(NOW, 100).stream().map(Schedule::name).sorted().toList();
        assertEquals(List.of("at-now", "past"), due);
        assertEquals(NOW.minusSeconds(5), repository.earliestNext().orElseThrow(), "the earliest Enabled one: " + past + " " + atNow);
        assertTrue(repository.remove(past.id()));
        assertFalse(repository.remove(past.id()));
    }
}
