package dev.kafru.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import org.h2.jdbcx.JdbcConnectionPool;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** db-scheduler 16.12.0 on an H2 file database: poll 100 ms, {@code threads} threads, a no-op one-time task. */
final class DbSchedulerPeer {

    private DbSchedulerPeer() {
    }

    /** db-scheduler's table, as its README gives it for H2 / PostgreSQL. */
    private static final String DDL = """
            create table scheduled_tasks (
              task_name varchar(100) not null,
              task_instance varchar(100) not null,
              task_data blob,
              execution_time timestamp with time zone not null,
              picked boolean not null,
              picked_by varchar(50),
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

    /** A pooled H2 file database (as an application would give db-scheduler a pooled DataSource). */
    static JdbcConnectionPool database(String name) throws Exception {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "db-scheduler-");
        JdbcConnectionPool ds = JdbcConnectionPool.create("jdbc:h2:file:" + dir.resolve(name).toAbsolutePath(), "sa", "");
        ds.setMaxConnections(32);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            for (String sql : DDL.split(";")) {
                if (!sql.isBlank()) {
                    s.execute(sql);
                }
            }
        }
        return ds;
    }

    static Map<String, Double> throughput(Bench.Options o, boolean batch) throws Exception {
        JdbcConnectionPool ds = database("throughput");
        Measure.Runs runs = new Measure.Runs(o.tasks);
        OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> runs.ran());
        Scheduler scheduler = Scheduler.create(ds, noop).threads(o.threads).pollingInterval(Duration.ofMillis(100)).build();
        scheduler.start();
        try {
            long start = System.nanoTime();
            if (batch) {
                for (int from = 0; from < o.tasks; from += 500) {
                    List<TaskInstance<?>> chunk = new ArrayList<>();
                    for (int i = from; i < Math.min(o.tasks, from + 500); i++) {
                        chunk.add(noop.instance("t" + i));
                    }
                    scheduler.scheduleBatch(chunk, Instant.now());
                }
            } else {
                for (int i = 0; i < o.tasks; i++) {
                    scheduler.schedule(noop.instance("t" + i), Instant.now());
                }
            }
            double pushed = (System.nanoTime() - start) / 1e9;
            runs.awaitAll();
            Map<String, Double> r = Measure.rate(o.tasks, start, pushed);
            awaitEmpty(ds);
            return r;
        } finally {
            scheduler.stop();
            ds.dispose();
        }
    }

    /** One-time tasks are deleted when they complete: the table empties. */
    private static void awaitEmpty(JdbcConnectionPool ds) throws Exception {
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

    static Map<String, Double> latency(Bench.Options o) throws Exception {
        JdbcConnectionPool ds = database("latency");
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
            ds.dispose();
        }
    }
}
