package dev.kafru.schedule;

import dev.kafru.testing.SettableClock;

import dev.kafru.InvalidScheduleException;
import dev.kafru.KafruSchedules;
import dev.kafru.Schedule;
import dev.kafru.ScheduleFilter;
import dev.kafru.ScheduleRequest;
import dev.kafru.ScheduleStatus;
import dev.kafru.TaskHandler;
import dev.kafru.store.surreal.Schema;
import dev.kafru.store.surreal.SurrealScheduleRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import dev.kafru.testing.SurrealLauncher;
import dev.kafru.worker.TaskRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The schedules API on the real engine: what is refused (and that nothing is stored), and what is kept. */
class KafruSchedulesTest {

    static SurrealLauncher launcher;
    final SettableClock clock = new SettableClock(Instant.parse("2026-06-01T12:00:00Z"));
    final List<RpcSurrealConnection> connections = new ArrayList<>();
    final TaskHandler nothing = ctx -> { };
    final TaskRegistry registry = TaskRegistry.of(Map.of("report", nothing, "mail", nothing));
    SurrealSettings settings;
    RpcSurrealConnection db;
    KafruSchedules schedules;

    @BeforeAll
    static void startEngine() {
        launcher = SurrealLauncher.shared();
    }

    @BeforeEach
    void setUp() {
        settings = launcher.freshDatabase();
        db = open();
        Schema.apply(db);
        schedules = KafruSchedules.of(new SurrealScheduleRepository(db), registry, clock);
    }

    RpcSurrealConnection open() {
        RpcSurrealConnection c = RpcSurrealConnection.open(settings);
        connections.add(c);
        return c;
    }

    @AfterEach
    void tearDown() {
        connections.forEach(RpcSurrealConnection::close);
    }

    long stored() {
        return ((Number) db.query("RETURN count(SELECT id FROM kafru_schedules)", Map.of()).get(0)).longValue();
    }

    void refused(String field, String expectedText, ScheduleRequest request) {
        long before = stored();
        InvalidScheduleException e = assertThrows(InvalidScheduleException.class, () -> schedules.create(request));
        assertEquals(field, e.field(), e.getMessage());
        assertTrue(e.getMessage().contains(expectedText), e.getMessage());
        assertEquals(before, stored(), "nothing stored for " + request);
    }

    static ScheduleRequest hourly(String name) {
        return ScheduleRequest.of(name, "report").cron("0 0 * * * ?");
    }

    @Test
    void runningNowIsRefusedWhereTheHandlerIsMissingAndAnUnknownScheduleIsNone() {
        Schedule report = schedules.create(ScheduleRequest.of("nightly", "report").cron("0 0 2 * * ?"));
        KafruSchedules elsewhere = KafruSchedules.of(new SurrealScheduleRepository(db), TaskRegistry.of(Map.of("mail", nothing)), clock);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> elsewhere.runNow(report.id()));
        assertEquals("schedule 'nightly' cannot run here: unknown handler 'report' (registered: mail)", e.getMessage());
        assertTrue(schedules.runNow("no-such-schedule").isEmpty());
        assertEquals(report.nextSchedule(), schedules.get(report.id()).orElseThrow().nextSchedule());
    }

    @Test
    void eachRefusalNamesTheFieldAndStoresNothing() {
        refused("cron", "'0 61 * * * ?': Value 61 not in range [0, 59]", ScheduleRequest.of("s", "report").cron("0 61 * * * ?"));
        refused("cron", "'every day': it has 2 fields", ScheduleRequest.of("s", "report").cron("every day"));
        refused("cron", "no occurrence", ScheduleRequest.of("s", "report").cron("0 0 0 1 1 ? 2020"));
        refused("cron", "cron is required", ScheduleRequest.of("s", "report"));
        refused("nextSchedule", "needs a cron or a nextSchedule", ScheduleRequest.of("s", "report").oneTime(true));
        refused("untilSchedule", "is before startSchedule", hourly("s")
                .startSchedule(Instant.parse("2026-07-01T00:00:00Z")).untilSchedule(Instant.parse("2026-06-30T00:00:00Z")));
        refused("handler", "unknown handler 'mailer' (registered: mail, report)", ScheduleRequest.of("s", "mailer").cron("0 0 * * * ?"));
        refused("timeZone", "unknown time zone 'Mars/Olympus_Mons'", hourly("s").timeZone("Mars/Olympus_Mons"));
        refused("queue", "is not a queue name", hourly("s").queue("no spaces"));
        refused("name", "name is required", hourly(" "));
        refused("parameters.when", "JSON values only", hourly("s").parameters(Map.of("when", new Object())));
        assertEquals(0, stored());

        schedules.create(hourly("taken"));
        refused("name", "a schedule named 'taken' exists already", hourly("taken").cron("*/5 * * * *"));
        assertEquals(1, stored());
    }

    @Test
    void unixCratesStructuredFormAndTimeZoneAreStoredAndGiveTheNextTimes() {
        Schedule unix = schedules.create(ScheduleRequest.of("weekday-0215", "report").cron("15 2 * * 1-5").timeZone("America/New_York"));
        assertEquals("15 2 * * 1-5", unix.cronExpression());
        assertEquals("America/New_York", unix.timeZone());
        assertEquals(List.of(Instant.parse("2026-06-02T06:15:00Z"), Instant.parse("2026-06-03T06:15:00Z")),
                schedules.nextFireTimes(unix.id(), 2), "02:15 EDT = 06:15 UTC; 2026-06-01 12:00Z is a Monday");

        Schedule structured = schedules.create(ScheduleRequest.of("crate-form", "report")
                .cron(new ScheduleRequest.CronFields("30", "*/10", null, null, null, null, null)));
        assertEquals("30 */10 * * * ? *", structured.cronExpression());
        assertEquals(Instant.parse("2026-06-01T12:00:30Z"), structured.nextSchedule());
        assertEquals(List.of(Instant.parse("2026-06-01T12:00:30Z"), Instant.parse("2026-06-01T12:10:30Z"), Instant.parse("2026-06-01T12:20:30Z")),
                schedules.nextFireTimes(structured.id(), 3));
        assertEquals("UTC", structured.timeZone());
    }

    @Test
    void listFiltersUpdateRemoveAndPurge() {
        Schedule a = schedules.create(hourly("a").queue("q1"));
        schedules.create(ScheduleRequest.of("b", "mail").cron("0 30 * * * ?").queue("q2"));
        Schedule c = schedules.create(ScheduleRequest.of("c", "mail").oneTime(true).nextSchedule(Instant.parse("2026-06-01T12:05:00Z")));
        schedules.create(hourly("d").status(ScheduleStatus.Disabled));

        assertEquals(List.of("a", "b", "c", "d"), names(ScheduleFilter.all()));
        assertEquals(List.of("b", "c"), names(ScheduleFilter.builder().handler("mail").build()));
        assertEquals(List.of("a"), names(ScheduleFilter.builder().queue("q1").build()));
        assertEquals(List.of("c"), names(ScheduleFilter.builder().oneTime(true).build()));
        assertEquals(List.of("d"), names(ScheduleFilter.builder().status(ScheduleStatus.Disabled).build()));
        assertEquals(List.of("b"), names(ScheduleFilter.builder().name("b").build()));
        assertEquals(List.of("c", "b", "a"), names(ScheduleFilter.builder().upcoming(true).build()), "soonest first: 12:05, 12:30, 13:00");
        assertEquals(List.of("d"), names(ScheduleFilter.builder().upcoming(false).build()));
        assertEquals(2, schedules.list(ScheduleFilter.builder().limit(2).build()).size());
        assertEquals("limit", assertThrows(InvalidScheduleException.class,
                () -> schedules.list(ScheduleFilter.builder().limit(0).build())).field());

        clock.set(Instant.parse("2026-06-01T12:10:00Z"));
        Schedule changed = schedules.update(a.id(), ScheduleRequest.of("a2", "mail").cron("0 */15 * * * ?").queue("q9")
                .parameters(Map.of("x", 1))).orElseThrow();
        assertEquals("a2", changed.name());
        assertEquals(Instant.parse("2026-06-01T12:15:00Z"), changed.nextSchedule(), "computed again from now");
        assertEquals(a.dateCreated(), changed.dateCreated());
        assertEquals(clock.instant(), changed.dateModified());
        assertEquals(Map.of("x", 1L), changed.parameters());
        assertEquals("name", assertThrows(InvalidScheduleException.class,
                () -> schedules.update(a.id(), hourly("b"))).field(), "renaming onto another schedule's name");
        assertTrue(schedules.update("nope", hourly("zz")).isEmpty());

        assertTrue(schedules.remove(c.id()));
        assertFalse(schedules.remove(c.id()));
        assertEquals(1, schedules.purge(ScheduleStatus.Disabled));
        assertEquals(2, schedules.purge(null));
        assertEquals(0, stored());
    }

    List<String> names(ScheduleFilter filter) {
        return schedules.list(filter).stream().map(Schedule::name).toList();
    }

    @Test
    void defineCreatesOnceThenChangesNothingUntilTheDefinitionChanges() {
        Schedule first = schedules.define(hourly("nightly").queue("q1"));
        clock.set(Instant.parse("2026-06-01T12:30:00Z"));
        Schedule again = schedules.define(hourly("nightly").queue("q1"));
        assertEquals(first, again, "same definition: not even date_modified changes");

        schedules.update(first.id(), hourly("nightly").queue("q1").status(ScheduleStatus.Disabled));
        Schedule moved = schedules.define(hourly("nightly").queue("q2"));
        assertEquals(first.id(), moved.id());
        assertEquals("q2", moved.queue());
        assertEquals(ScheduleStatus.Disabled, moved.status(), "an administrator's Disabled survives a restart");

        clock.set(Instant.parse("2026-06-01T12:40:00Z"));
        Schedule recron = schedules.define(ScheduleRequest.of("nightly", "report").cron("0 0/20 * * * ?").queue("q2"));
        assertEquals("0 0/20 * * * ?", recron.cronExpression());
        assertEquals(Instant.parse("2026-06-01T13:00:00Z"), recron.nextSchedule(), "a new cron: next time computed again");
        assertEquals(1, stored());
    }

    @Test
    void serversDefiningTheSameScheduleAtOnceMakeOneSchedule() throws Exception {
        int servers = 6;
        List<KafruSchedules> each = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            each.add(KafruSchedules.of(new SurrealScheduleRepository(open()), registry, clock));
        }
        ExecutorService pool = Executors.newFixedThreadPool(servers);
        try {
            for (int round = 0; round < 5; round++) {
                String name = "recurring-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Schedule>> results = new ArrayList<>();
                for (KafruSchedules s : each) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return s.define(hourly(name));
                    }));
                }
                go.countDown();
                String id = null;
                for (Future<Schedule> result : results) {
                    Schedule s = result.get();
                    id = id == null ? s.id() : id;
                    assertEquals(id, s.id(), "every server sees the same schedule");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(5, stored());
    }

    @Test
    void nextFireTimesStopAtUntilAndAreEmptyForADisabledSchedule() {
        Schedule s = schedules.create(ScheduleRequest.of("short", "report").cron("0 0 * * * ?")
                .untilSchedule(Instant.parse("2026-06-01T15:00:00Z")));
        assertEquals(List.of(Instant.parse("2026-06-01T13:00:00Z"), Instant.parse("2026-06-01T14:00:00Z"), Instant.parse("2026-06-01T15:00:00Z")),
                schedules.nextFireTimes(s.id(), 10));
        Executable tooMany = () -> schedules.nextFireTimes(s.id(), 101);
        assertEquals("count", assertThrows(InvalidScheduleException.class, tooMany).field());
        Schedule off = schedules.create(hourly("off").status(ScheduleStatus.Disabled));
        assertTrue(schedules.nextFireTimes(off.id(), 3).isEmpty());
        assertNull(schedules.get("missing").orElse(null));
    }
}
