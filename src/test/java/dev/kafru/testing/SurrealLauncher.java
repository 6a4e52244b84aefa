package dev.kafru.testing;

import dev.kafru.surrealdb.SurrealSettings;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts the project's SurrealDB launcher ({@code src/surrealdb/server.mjs}, the real engine
 * on RocksDB) on a free loopback port with a fresh data directory, for one test class.
 */
public final class SurrealLauncher implements AutoCloseable {

    public static final String USER = "kafru_test_root";
    public static final String PASSWORD = "test-secret-\"quoted\"";

    private final Path dataDir;
    private final int port;
    private final Map<String, String> environment;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private Process process;

    private SurrealLauncher(Path dataDir, int port, Map<String, String> environment) {
        this.dataDir = dataDir;
        this.port = port;
        this.environment = Map.copyOf(environment);
    }

    private static SurrealLauncher shared;

    /**
     * One engine for the whole test JVM, started on first use and stopped at exit. Tests that
     * only need a database of their own ({@link #freshDatabase()}) share it; a test that kills
     * or restarts the engine starts its own with {@link #start()}.
     */
    public static synchronized SurrealLauncher shared() {
        if (shared == null || !shared.isRunning()) {
            shared = start();
            SurrealLauncher started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close));
        }
        return shared;
    }

    /** A launcher on a free port with a new RocksDB directory, started. */
    public static SurrealLauncher start() {
        return start(Map.of());
    }

    /**
     * {@link #start()} with variables added to the engine's environment, which SurrealDB reads
     * its own settings from — e.g. {@code SURREAL_DATASTORE_SYNC_DATA=never} (RocksDB's log
     * synced in the background, not at each commit), which the benchmark shows beside the default.
     */
    public static SurrealLauncher start(Map<String, String> environment) {
        try {
            Path base = Paths.get(System.getProperty("java.io.tmpdir"));
            SurrealLauncher launcher = new SurrealLauncher(Files.createTempDirectory(base, "surrealdb-"), freePort(), environment);
            launcher.startProcess();
            return launcher;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path launcherDir() {
        return Paths.get(System.getProperty("kafru.launcher.dir", "src/surrealdb")).toAbsolutePath();
    }

    /** Runs the launcher with the given arguments and collects its output, for testing the CLI. */
    public static ProcessResult run(List<String> args, long timeoutSeconds) {
        List<String> command = new ArrayList<>(List.of("node", launcherDir().resolve("server.mjs").toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            CompletableFuture<String> text = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return e.toString();
                }
            });
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("launcher did not exit within " + timeoutSeconds + " s: " + command);
            }
            return new ProcessResult(p.exitValue(), text.join());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public record ProcessResult(int exitCode, String output) {
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + port + "/rpc");
    }

    public SurrealSettings settings(String namespace, String database) {
        return SurrealSettings.of(url(), USER, PASSWORD, namespace, database);
    }

    /** Settings for a database no other test uses. */
    public SurrealSettings freshDatabase() {
        return settings("kafru_test", "db_" + System.nanoTime());
    }

    /**
     * The allocator preloaded into the engine: jemalloc when Debian's libjemalloc2 is installed
     * (the engine spends a tenth of its time in glibc's malloc; see src/surrealdb/README.md), unless
     * {@code -Dkafru.launcher.malloc=system}.
     */
    public static String preload() {
        if ("system".equals(System.getProperty("kafru.launcher.malloc"))) {
            return "";
        }
        Path jemalloc = Paths.get("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2");
        return Files.exists(jemalloc) ? jemalloc.toString() : "";
    }

    private void startProcess() throws IOException {
        // -Dkafru.launcher.storage=memory runs the tests on storage that loses write conflicts: the
        // claim tests must then fail (how we checked that they can)
        String storage = "memory".equals(System.getProperty("kafru.launcher.storage")) ? "memory" : "rocksdb://" + dataDir;
        List<String> command = List.of("node", launcherDir().resolve("server.mjs").toString(), "start",
                "-u", USER, "-p", PASSWORD, "-b", "127.0.0.1:" + port, storage);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        if (!preload().isEmpty()) {
            builder.environment().put("LD_PRELOAD", preload());
        }
        process = builder.start();
        CompletableFuture<Void> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    if (line.contains("listening on")) {
                        listening.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            listening.completeExceptionally(new IllegalStateException("launcher exited: " + String.join("\n", output)));
        }, "surrealdb-launcher-output-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            listening.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("SurrealDB launcher did not start on port " + port + ": " + String.join("\n", output), e);
        }
    }

    /** Kills the engine at once, as a crash would. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** Starts the engine again on the same port and data directory. */
    public void restart() {
        try {
            startProcess();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The launcher's "listening on" line: its address, the engine's version and the storage. */
    public String listening() {
        return output().stream().filter(line -> line.contains("listening on")).findFirst().orElse("");
    }

    public List<String> output() {
        return List.copyOf(output);
    }

    private void waitForExit() {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    waitForExit();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteQuietly(dataDir);
    }

    /** Deletes a directory tree under target/, as far as it can (a leftover costs disk, not correctness). */
    public static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is under target/
        }
    }
}
