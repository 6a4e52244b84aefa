package dev.kafru.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.kafru.testing.SurrealLauncher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Where the peers keep their tasks, and the JDBC pool they get for it: HikariCP, as
 * applications give them a {@code DataSource}.
 */
final class Pools {

    /** A peer's storage; each row of the table names one. */
    enum Store {
        IN_MEMORY("in-memory"),
        H2_FILE("H2 file + HikariCP"),
        POSTGRES("PostgreSQL + HikariCP");

        final String label;

        Store(String label) {
            this.label = label;
        }
    }

    private Pools() {
    }

    /**
     * A new database for one child JVM: an H2 file under the temp directory, or a database of
     * its own in the benchmark's PostgreSQL cluster ({@code --pg-port}).
     */
    static HikariDataSource open(Bench.Options o, Store store, String name, int size) throws Exception {
        HikariConfig config = new HikariConfig();
        config.setMaximumPoolSize(size);
        config.setPoolName(name);
        switch (store) {
            case H2_FILE -> {
                Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "h2-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> SurrealLauncher.deleteQuietly(dir))); // the child JVM's own
                config.setJdbcUrl("jdbc:h2:file:" + dir.resolve(name).toAbsolutePath());
                config.setUsername("sa");
            }
            case POSTGRES -> {
                if (o.pgPort == 0) {
                    throw new IllegalStateException("no PostgreSQL cluster for " + name + ": run it from bench.sh, which starts one (--pg-port)");
                }
                String database = name + "_" + System.nanoTime();
                try (Connection c = DriverManager.getConnection(postgresUrl(o.pgPort, "postgres"), "postgres", "");
                     Statement s = c.createStatement()) {
                    s.execute("create database " + database); // a name of ours, not input
                }
                config.setJdbcUrl(postgresUrl(o.pgPort, database));
                config.setUsername("postgres");
            }
            case IN_MEMORY -> throw new IllegalArgumentException("an in-memory store has no JDBC pool");
        }
        return new HikariDataSource(config);
    }

    private static String postgresUrl(int port, String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }
}
