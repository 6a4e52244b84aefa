package dev.kafru.bench;

import dev.kafru.testing.SurrealLauncher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PostgreSQL cluster for the peers' PostgreSQL rows, started the way the benchmark
 * starts the SurrealDB launcher: Debian's server ({@code /usr/lib/postgresql/N/bin}),
 * {@code initdb} into a fresh directory with trust authentication, listening on 127.0.0.1 only,
 * on a port and a socket directory of its own, with the default settings (fsync and
 * synchronous_commit on). Stopped and deleted at the end. As root, the server runs as the
 * {@code postgres} user (it refuses root).
 */
final class PostgresCluster implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;

    private PostgresCluster(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The newest {@code /usr/lib/postgresql/N/bin} with an {@code initdb}, if Debian's server is installed. */
    static Optional<Path> binaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static PostgresCluster start(Path bin) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(), "postgres-");
        if (isRoot()) {
            Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres"));
        }
        PostgresCluster cluster = new PostgresCluster(bin, dir, SurrealLauncher.freePort());
        try {
            cluster.run("initdb", "-D", dir.toString(), "-U", "postgres", "--auth=trust");
            cluster.run("pg_ctl", "-D", dir.toString(), "-l", dir.resolve("server.log").toString(), "-w", "-o",
                    "-p " + cluster.port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir, "start");
        } catch (IOException | RuntimeException e) {
            SurrealLauncher.deleteQuietly(dir);
            throw e;
        }
        return cluster;
    }

    int port() {
        return port;
    }

    /** The server's major version, from its directory: "15". */
    String version() {
        return bin.getParent().getFileName().toString();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** Runs one of the server's programs (as postgres when we are root); its output goes into the failure's message. */
    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(isRoot() ? List.of("runuser", "-u", "postgres", "--") : List.of());
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
    }

    @Override
    public void close() {
        try {
            run("pg_ctl", "-D", dir.toString(), "-m", "fast", "-w", "stop");
        } catch (IOException e) {
            System.out.println("PostgreSQL did not stop: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SurrealLauncher.deleteQuietly(dir);
    }
}
