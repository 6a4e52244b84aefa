package dev.kafru.it;

import dev.kafru.testing.SurrealLauncher;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Deploys a WAR on a Payara Micro started here and reads its refusal: the Payara Micro
 * Arquillian adapter does not report a failed deployment.
 */
final class RefusedDeployments {

    /** What Payara Micro printed: the first line containing {@code marker} (or "" when it started), and all lines. */
    record Outcome(String refusal, List<String> lines) {
    }

    private RefusedDeployments() {
    }

    static Outcome deploy(WebArchive archive, String marker) throws Exception {
        File war = new File(System.getProperty("java.io.tmpdir"), archive.getName());
        archive.as(ZipExporter.class).exportTo(war, true);
        List<String> command = List.of(PayaraProcess.java(), "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-jar",
                System.getProperty("payara.microJar"), "--deploy", war.getAbsolutePath(), "--port",
                String.valueOf(SurrealLauncher.freePort()), "--nocluster", "--nohazelcast");
        Process payara = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<String> verdict = new CompletableFuture<>();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(payara.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.contains(marker)) {
                        verdict.complete(line);
                    }
                    if (line.contains("ready in")) {
                        verdict.complete("");
                        ready.complete(null);
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
            verdict.complete("");
            ready.complete(null);
        }, "refused-deployment-output");
        reader.setDaemon(true);
        reader.start();
        try {
            String refusal = verdict.get(180, TimeUnit.SECONDS);
            // a refusal's further problems (and warnings) are printed before the server says it is ready
            try {
                ready.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                // the lines so far, then
            }
            return new Outcome(refusal, List.copyOf(lines));
        } finally {
            payara.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
