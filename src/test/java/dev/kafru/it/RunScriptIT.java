package dev.kafru.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The main job, {@code src/scripts/run.sh}, started again and again in this checkout, each run
 * ended another way (--once, Ctrl-C, SIGTERM, SIGKILL): every start deploys kafru.war once, runs
 * its own hello task once, prints the admin password in force, and from its "kafru is running"
 * line on the admin API, the dashboard and /health/ready answer 200 to every request.
 */
class RunScriptIT {

    private static final Path CHECKOUT = Path.of(System.getProperty("user.dir"));
    private static final Path PAYARA_LOG = CHECKOUT.resolve("target/payara.log");
    private static final Pattern PASSWORD = Pattern.compile("admin API .*\\(user admin, password (\\S+),");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<Run> STARTED = Collections.synchronizedList(new ArrayList<>());

    /** A failed check must not leave run.sh and its servers running: Ctrl-C every run still alive. */
    @AfterEach
    void stopWhatIsStillRunning() throws Exception {
        for (Run run : List.copyOf(STARTED)) {
            if (run.process.isAlive()) {
                run.signal("INT");
                if (!run.process.waitFor(60, TimeUnit.SECONDS)) {
                    run.process.destroyForcibly();
                }
            }
        }
        STARTED.clear();
        // servers a run.sh killed with SIGKILL left behind, which no later run stopped
        Path pids = CHECKOUT.resolve("target/run.pids");
        if (Files.exists(pids)) {
            for (String line : Files.readAllLines(pids)) {
                String[] namePid = line.trim().split(" ");
                if (namePid.length == 2) {
                    ProcessHandle.of(Long.parseLong(namePid[1])).ifPresent(ProcessHandle::destroy);
                }
            }
        }
    }

    @Test
    void everyStartDeploysOnceAndAnswersFromItsReadyLineWhateverTheLastRunLeft() throws Exception {
        // a run that stops by itself
        Run once = Run.start("--once");
        once.awaitReady();
        assertEquals(0, once.awaitExit(), once.output());
        checkOneDeployment(once);
        assertServersStopped(once);

        // Ctrl-C
        Run interrupted = Run.start();
        interrupted.awaitReady();
        checkOneDeployment(interrupted);
        assertAnswersFor(interrupted, Duration.ofSeconds(5));
        interrupted.signal("INT");
        assertEquals(130, interrupted.awaitExit(), interrupted.output());
        assertServersStopped(interrupted);

        // SIGKILL: run.sh cannot stop its servers; the next start must, and still deploy once
        Run killed = Run.start();
        killed.awaitReady();
        killed.signal("KILL");
        killed.awaitExit();
        assertTrue(listening(8080) && listening(4030), "a SIGKILL of run.sh alone leaves its servers running");

        // ... and that next start ends with SIGTERM
        Run next = Run.start();
        next.awaitReady();
        assertTrue(next.output().contains("an earlier run.sh that did not stop left"), next.output());
        checkOneDeployment(next);
        assertAnswersFor(next, Duration.ofSeconds(5));
        next.signal("TERM");
        assertEquals(143, next.awaitExit(), next.output());
        assertServersStopped(next);
        assertTrue(errors().isEmpty(), "Payara Micro logged errors while it stopped:\n" + String.join("\n", errors()));
    }

    /** This start's log: one deployment, one generated password (the one printed), one hello line (of the task pushed now). */
    private static void checkOneDeployment(Run run) throws IOException {
        List<String> log = payaraLog();
        String all = String.join("\n", log);
        assertEquals(1, log.stream().filter(l -> l.contains("was successfully deployed")).count(), all);
        List<String> passwords = log.stream().filter(l -> l.contains("kafru generated the admin password")).toList();
        assertEquals(1, passwords.size(), all);
        assertTrue(passwords.get(0).endsWith(": " + run.password()), "printed " + run.password() + ", logged " + passwords.get(0));
        Matcher pushed = Pattern.compile("kafru sample: pushed task (\\w+)").matcher(all);
        assertTrue(pushed.find(), all);
        List<String> hellos = log.stream().filter(l -> l.contains("Hello, kafru!")).toList();
        assertEquals(1, hellos.size(), all);
        assertTrue(hellos.get(0).contains("kafru task " + pushed.group(1) + ","), hellos.get(0));
        assertTrue(run.output().contains("kafru task " + pushed.group(1)), run.output());
    }

    /** Polls the admin API, the dashboard and readiness for {@code period}: every answer must be 200. */
    private static void assertAnswersFor(Run run, Duration period) throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + run.password()).getBytes(StandardCharsets.UTF_8));
        Map<String, String> paths = Map.of("kafru/api/handlers", basic, "kafru/api/queues", basic, "kafru/", basic,
                "health/ready", "");
        List<String> bad = new ArrayList<>();
        int requests = 0;
        long end = System.nanoTime() + period.toNanos();
        while (System.nanoTime() < end) {
            for (Map.Entry<String, String> path : paths.entrySet()) {
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:8080/" + path.getKey()))
                        .timeout(Duration.ofSeconds(10));
                if (!path.getValue().isEmpty()) {
                    request.header("Authorization", path.getValue());
                }
                HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                requests++;
                if (answer.statusCode() != 200) {
                    bad.add(path.getKey() + " → " + answer.statusCode());
                }
            }
        }
        assertTrue(requests > 20, "only " + requests + " requests in " + period);
        assertTrue(bad.isEmpty(), bad.size() + " of " + requests + " requests after the ready line failed: " + bad);
    }

    private static void assertServersStopped(Run run) {
        assertFalse(listening(8080), "Payara Micro still listens after run.sh ended:\n" + run.output());
        assertFalse(listening(4030), "the launcher still listens after run.sh ended:\n" + run.output());
        assertFalse(Files.exists(CHECKOUT.resolve("target/run.pids")), "target/run.pids left behind");
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> payaraLog() throws IOException {
        return Files.readAllLines(PAYARA_LOG).stream().map(l -> l.replaceAll("\u001b\\[[0-9;]*m", "")).toList();
    }

    private static List<String> errors() throws IOException {
        return payaraLog().stream().filter(l -> l.contains("[SEVERE]") || l.contains("[ERROR]")).toList();
    }

    /** One run.sh process and what it printed. */
    private static final class Run {
        final Process process;
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        private Run(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        lines.add(line);
                        if (line.startsWith("  logs ")) { // the last line of the block that begins "kafru is running"
                            ready.complete(null);
                        }
                    }
                } catch (IOException ignored) {
                    // ended
                }
                ended.complete(null);
                ready.completeExceptionally(new AssertionError("run.sh ended before its ready line:\n" + output()));
            }, "run.sh-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Run start(String... args) throws IOException {
            // As a terminal starts it: with SIGINT at its default. A build started in the background
            // of a non-interactive shell passes SIGINT down ignored, and bash can neither trap nor
            // reset a signal ignored when it starts (Ctrl-C would then do nothing); perl-base is
            // part of every Debian system.
            List<String> command = new ArrayList<>(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                    CHECKOUT.resolve("src/scripts/run.sh").toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).directory(CHECKOUT.toFile()).redirectErrorStream(true);
            builder.environment().remove("KAFRU_ADMIN_PASSWORD");
            builder.environment().remove("KAFRU_RUN_ONCE");
            Run run = new Run(builder.start());
            STARTED.add(run);
            return run;
        }

        void awaitReady() throws Exception {
            try {
                ready.get(300, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw (AssertionError) e.getCause();
            } catch (java.util.concurrent.TimeoutException e) {
                process.destroyForcibly();
                throw new AssertionError("no ready line from run.sh within 300 s:\n" + output());
            }
        }

        String password() {
            Matcher m = PASSWORD.matcher(output());
            if (!m.find()) {
                throw new AssertionError("run.sh printed no admin password:\n" + output());
            }
            return m.group(1);
        }

        void signal(String name) throws Exception {
            new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        }

        int awaitExit() throws Exception {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("run.sh did not exit within 120 s:\n" + output());
            }
            try {
                ended.get(10, TimeUnit.SECONDS); // all of its output read
            } catch (java.util.concurrent.TimeoutException e) {
                // killed with SIGKILL: what it started may still hold its output open
            }
            return process.exitValue();
        }

        String output() {
            synchronized (lines) {
                return String.join("\n", lines);
            }
        }
    }
}
