package dev.kafru.it;

import dev.kafru.TaskRequest;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser: kafru.war on Payara Micro with the real SurrealDB engine, and
 * Debian's Chromium driven headless by {@code src/test/js/browser/scenarios.mjs} (playwright-core
 * from src/test/js/package-lock.json). Every scenario of the script must print "ok"; the script
 * also fails on any console error of the page. Each destructive button is clicked with its
 * confirmation dismissed and then accepted, and the store is read through the admin API after
 * each. A task is cancelled from the keyboard, a failing handler's attempt history read, and a
 * handler no server offers (a task this test stores as another application on the same database
 * would) named on the queues page. Screenshots go to target/screenshots/.
 */
class DashboardBrowserIT {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("KAFRU_CHROMIUM", "/usr/bin/chromium"));
    /** The handler of a task that another application pushed into the same database: no server here offers it. */
    static final String UNSERVED = "nobody-has-this";
    static final Path SCRIPT = Path.of("src/test/js/browser/scenarios.mjs");
    static final List<String> SCENARIOS = List.of("signs in", "enqueues through the form", "pages through 250 tasks",
            "opens a task's detail", "shows a batch member's batch as a bar", "retries a failed task", "creates a schedule", "pauses and resumes a queue",
            "a page on another site cannot write", "purges after a confirmation", "removes a task only once",
            "terminates a running task once", "pushes a unique task twice through the form, then cancels it",
            "shows the attempt history of a task whose handler failed", "names a handler that waiting tasks need and no server",
            "retries every failed task of a queue", "runs a schedule now and removes it",
            "keeps keyboard focus", "throughput of the last hour", "as a viewer finds no write controls", "writes screenshots",
            "the pages logged no console error");

    @Test
    void operatorsUseEveryPageInChromiumAndAViewerSeesNoWriteControls() throws Exception {
        assertTrue(Files.isExecutable(CHROMIUM), "no Chromium at " + CHROMIUM + ": install Debian's (apt-get install -y chromium),"
                + " as .ci/run does, or point KAFRU_CHROMIUM at one");
        assertTrue(Files.isDirectory(Path.of("src/test/js/node_modules/playwright-core")),
                "playwright-core is not installed: run npm ci --prefix src/test/js (src/scripts/test.sh does)");
        File war = new File(System.getProperty("java.io.tmpdir"), "dashboard.war");
        Deployments.kafru("dashboard_it", List.of("kafru.admin.password=admin-secret",
                        "kafru.users=viewer:kafru-viewer:viewer-secret"), OnceFailingTask.class, FailingTask.class, BlockingTask.class)
                .as(ZipExporter.class).exportTo(war, true);
        try (PayaraProcess payara = PayaraProcess.start(war.toPath());
             RpcSurrealConnection db = RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", "dashboard_it"))) {
            payara.awaitReady();
            // another application on the same database pushes a task whose handler this deployment lacks (the admin API
            // refuses an unknown handler): it waits, and the queues page names it (scenario "names a handler ...")
            new SurrealTaskRepository(db).insert(List.of(TaskRequest.of(UNSERVED).queue("default").name("unserved")));
            Process node = new ProcessBuilder("node", SCRIPT.toString(), payara.root().toString(), "admin", "admin-secret",
                    "viewer", "viewer-secret", "target/screenshots").redirectErrorStream(true).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(node));
            if (!node.waitFor(5, TimeUnit.MINUTES)) {
                node.destroyForcibly();
                throw new AssertionError("the browser scenarios did not end within 5 minutes:\n" + out.get());
            }
            String output = out.get();
            System.out.println("browser scenarios:\n" + output);
            assertEquals(0, node.exitValue(), "the browser scenarios failed:\n" + output);
            for (String scenario : SCENARIOS) {
                assertTrue(output.lines().anyMatch(l -> l.startsWith("ok - ") && l.contains(scenario)),
                        "no passing scenario '" + scenario + "':\n" + output);
            }
            for (String page : List.of("queues", "tasks", "task", "schedules", "agents")) {
                for (int width : new int[] {1280, 390}) {
                    Path shot = Path.of("target/screenshots", page + "-" + width + ".png");
                    assertTrue(Files.size(shot) > 5_000, shot + " is missing or empty");
                }
            }
            assertEquals(List.of(), payara.errors(), "Payara Micro logged errors");
        }
    }

    /** The script's output, read while it runs so that it never blocks on a full pipe. */
    private static String read(Process process) {
        try {
            return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
