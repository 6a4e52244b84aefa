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
 * Deploys WARs on a Payara Micro started here and reads their refusals: the Payara Micro
 * Arquillian adapter does not report a failed deployment. Several WARs share one boot: Payara
 * Micro deploys each of its {@code --deploy}s in turn, refused or not, then says it is ready.
 */
final class RefusedDeployments {

    /** What Payara Micro printed: the first line containing {@code marker} (or "" when there is none), and all lines. */
    record Outcome(String refusal, List<String> lines) {
    }

    private RefusedDeployments() {
    }

    /** The first line of {@code lines} containing {@code marker}, or "", with all the lines. */
    static Outcome outcome(List<String> lines, String marker) {
        return new Outcome(lines.stream().filter(l -> l.contains(marker)).findFirst().orElse(""), lines);
    }

    /** Boots one Payara Micro deploying every archive and answers all it printed until it was ready (or ended). */
    static List<String> boot(List<WebArchive> archives) throws Exception {
        List<String> command = new ArrayList<>(List.of(PayaraProcess.java(), "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-jar", System.getProperty("payara.microJar")));
        for (WebArchive archive : archives) {
            File war = new File(System.getProperty("java.io.tmpdir"), archive.getName());
            archive.as(ZipExporter.class).exportTo(war, true);
            command.addAll(List.of("--deploy", war.getAbsolutePath()));
        }
        command.addAll(List.of("--port", String.valueOf(SurrealLauncher.freePort()), "--nocluster", "--nohazelcast", "--disablephonehome"));
        Process payara = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(payara.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.contains("ready in")) {
                        ready.complete(null);
                    }
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
            ready.complete(null);
        }, "refused-deployment-output");
        reader.setDaemon(true);
        reader.start();
        try {
            // every deployment's refusal (and its warnings) is printed before the server says it is ready
            ready.get(180, TimeUnit.SECONDS);
            return List.copyOf(lines);
        } finally {
            payara.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
