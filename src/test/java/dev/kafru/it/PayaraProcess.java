package dev.kafru.it;

import dev.kafru.testing.SurrealLauncher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A Payara Micro started here as its own process, for tests that need what the Arquillian
 * adapter does not do: a redeploy, several servers on one database, a server killed with
 * SIGKILL, reading the whole log.
 */
public final class PayaraProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path rootDir;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());

    /** The server's operating-system process (e.g. for its processor time). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    private PayaraProcess(Process process, int port, Path rootDir) {
        this.process = process;
        this.port = port;
        this.rootDir = rootDir;
        Thread reader = new Thread(this::read, "payara-micro-output-" + port);
        reader.setDaemon(true);
        reader.start();
    }

    /** The java of the JVM running the tests, so that Payara Micro runs on the Java under test (17, 21, 25), as Arquillian's does. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts Payara Micro deploying {@code deployment} (a WAR or an exploded directory) at context root /. */
    public static PayaraProcess start(Path deployment, String... moreArgs) {
        return start(List.of(), deployment, moreArgs);
    }

    /** {@link #start(Path, String...)} with options for its JVM (the benchmark gives it the heap its plain JVMs have). */
    public static PayaraProcess start(List<String> jvmOptions, Path deployment, String... moreArgs) {
        int port = SurrealLauncher.freePort();
        List<String> command = new ArrayList<>(List.of(PayaraProcess.java(), "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir")));
        command.addAll(jvmOptions);
        // e.g. -Dkafru.payara.jvm-args="-XX:StartFlightRecording=filename=target/payara.jfr" to profile a benchmark's servers
        String jvmArgs = System.getProperty("kafru.payara.jvm-args", "").trim();
        if (!jvmArgs.isEmpty()) {
            command.addAll(List.of(jvmArgs.split("\\s+")));
        }
        command.addAll(List.of("-jar", System.getProperty("payara.microJar"), "--deploy", deployment.toString(), "--contextroot", "/",
                "--port", String.valueOf(port), "--nocluster", "--nohazelcast", "--disablephonehome"));
        command.addAll(List.of(moreArgs));
        try {
            Path root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "payara-root-");
            command.addAll(List.of("--rootdir", root.toString()));
            return new PayaraProcess(new ProcessBuilder(command).redirectErrorStream(true).start(), port, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line.replaceAll("\u001b\\[[0-9;]*m", ""));
                synchronized (lines) {
                    lines.notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        synchronized (lines) {
            lines.notifyAll();
        }
    }

    public int port() {
        return port;
    }

    public java.net.URL root() {
        try {
            return new java.net.URL("http://localhost:" + port + "/");
        } catch (java.net.MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Everything printed so far, without colours. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public long count(String text) {
        return lines().stream().filter(l -> l.contains(text)).count();
    }

    /** Waits until {@code count} printed lines match, failing with the log when the process ends or time runs out. */
    public void awaitLines(Predicate<String> match, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (lines.stream().filter(match).count() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && lines.stream().filter(match).count() < count)) {
                    throw new AssertionError("Payara Micro on port " + port + (process.isAlive() ? " did not print the expected line within "
                            + timeout.toSeconds() + " s" : " exited") + "; its log:\n" + String.join("\n", lines));
                }
                TimeUnit.NANOSECONDS.timedWait(lines, Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
            }
        }
    }

    public void awaitReady() throws InterruptedException {
        awaitLines(l -> l.contains("ready in"), 1, Duration.ofSeconds(180));
    }

    /** Lines at SEVERE or ERROR level, and the stack-trace lines of errors kafru's shutdown must not produce. */
    public List<String> errors() {
        return lines().stream().filter(l -> l.contains("[SEVERE]") || l.contains("[ERROR]") || l.contains("WELD-000019")
                || l.contains("web container has not yet been started") || l.contains("NoClassDefFoundError")).toList();
    }

    /** Stops it as an operator would (SIGTERM) and waits for it to exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("Payara Micro on port " + port + " did not stop within 60 s of SIGTERM");
        }
    }

    /** Kills it at once, as a crash would (SIGKILL). */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Stops the server if it still runs and deletes its root directory (~100 MB each; they used to pile up in target). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        SurrealLauncher.deleteQuietly(rootDir);
    }
}
