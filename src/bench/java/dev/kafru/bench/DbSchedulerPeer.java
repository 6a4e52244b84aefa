package dev.kafru.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * db-scheduler 16.12.0 on an H2 file or PostgreSQL through HikariCP: poll 100 ms, its default
 * {@code fetch} strategy, {@code threads} threads, a no-op one-time task.
 */
final class DbSchedulerPeer {

    private DbSchedulerPeer() {
    }

    /**
     * db-scheduler's table, as its DDL files give it per database: names are {@code text} and
     * the data {@code bytea} on PostgreSQL, {@code varchar} and {@code blob} on H2.
     */
    private static final String DDL = """
            create table scheduled_tasks (
              task_name %1$s not null,
              task_instance %1$s not null,
              task_data %2$s,
              execution_time timestamp with time zone not null,
              picked boolean not null,
              picked_by %1$s,
              last_success timestamp with time zone,
              last_failure timestamp with time zone,
              consecutive_failures int,
              last_heartbeat timestamp with time zone,
              version bigint not null,
              priority smallint,
              primary key (task_name, task_instance));
            create index execution_time_idx on scheduled_tasks (execution_time);
            create index last_heartbeat_idx on scheduled_tasks (last_heartbeat);
            create index priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
            """;

    /** A pool of {@code threads + 4} connections (the executing threads, the poller, the pushes) with db-scheduler's table. */
    static HikariDataSource database(Bench.Options o, Pools.Store store, String name) throws Exception {
        HikariDataSource ds = Pools.open(o, store, name, o.threads + 4);
        String ddl = store == Pools.Store.POSTGRES ? DDL.formatted("text", "bytea") : DDL.formatted("varchar(100)", "blob");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : ddl.split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql);
                }
            }
        }
        return ds;
    }

    /** The warm-up and the timed flood, pushed with {@code scheduleBatch} in 500s, or one {@code schedule} at a time. */
    static Map<String, Double> throughput(Bench.Options o, Pools.Store store, boolean batch) throws Exception {
        try (HikariDataSource ds = database(o, store, "db_scheduler")) {
            Measure.Runs runs = new Measure.Runs(0);
            OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> runs.ran());
            Scheduler scheduler = Scheduler.create(ds, noop).threads(o.threads).pollingInterval(Duration.ofMillis(100)).build();
            scheduler.start();
            try {
                return Measure.warmThenTime(o, o.tasks, runs, new Measure.Flood() {
                    @Override
                    public void push(long first, int tasks) {
                        if (batch) {
                            for (long from = first; from < first + tasks; from += 500) {
                                List<TaskInstance<?>> chunk = new ArrayList<>();
                                for (long i = from; i < Math.min(first + tasks, from + 500); i++) {
                                    chunk.add(noop.instance("t" + i));
                                }
                                scheduler.scheduleBatch(chunk, Instant.now());
                            }
                        } else {
                            for (long i = first; i < first + tasks; i++) {
                                scheduler.schedule(noop.instance("t" + i), Instant.now());
                            }
                        }
                    }

                    @Override
                    public void confirm(long total) throws Exception {
                        awaitEmpty(ds);
                    }
                });
            } finally {
                scheduler.stop();
            }
        }
    }

    /** One-time tasks are deleted when they complete: the table empties. */
    private static void awaitEmpty(HikariDataSource ds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select count(*) from scheduled_tasks")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(rs.getLong(1) + " executions left in scheduled_tasks");
                }
            }
            Thread.sleep(100);
        }
    }

    static Map<String, Double> latency(Bench.Options o, Pools.Store store) throws Exception {
        try (HikariDataSource ds = database(o, store, "db_scheduler_latency")) {
            Measure.Start start = new Measure.Start();
            OneTimeTask<Void> mark = Tasks.oneTime("mark").execute((instance, context) -> start.mark());
            Scheduler scheduler = Scheduler.create(ds, mark).threads(4).pollingInterval(Duration.ofMillis(100)).build();
            scheduler.start();
            try {
                int[] i = {0};
                // each waits for a poll (about 50 ms): at most 100 samples
                return Measure.percentiles(Measure.samples(Math.min(o.samples, 100), 0, 20, () -> {
                    start.reset();
                    long t0 = System.nanoTime();
                    scheduler.schedule(mark.instance("m" + i[0]++), Instant.now());
                    return start.msAfter(t0);
                }), null);
            } finally {
                scheduler.stop();
            }
        }
    }
}
