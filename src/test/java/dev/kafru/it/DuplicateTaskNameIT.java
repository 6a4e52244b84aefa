package dev.kafru.it;

import dev.kafru.testing.SurrealLauncher;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two handlers with one @TaskName must fail deployment, naming both classes. Payara Micro is
 * started directly here: its Arquillian adapter does not report a failed deployment.
 */
class DuplicateTaskNameIT {

    @Test
    void twoHandlersWithOneNameFailDeploymentNamingBothClasses() throws Exception {
        File war = new File(System.getProperty("java.io.tmpdir"), "duplicate-names.war");
        Deployments.kafru("duplicate_it", DuplicateNameTasks.class, DuplicateNameTasks.DailyReport.class,
                DuplicateNameTasks.WeeklyReport.class).as(ZipExporter.class).exportTo(war, true);
        List<String> command = List.of("java", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-jar",
                System.getProperty("payara.microJar"), "--deploy", war.getAbsolutePath(), "--port",
                String.valueOf(SurrealLauncher.freePort()), "--nocluster", "--nohazelcast");
        Process payara = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<String> verdict = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(payara.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    lines.add(line);
                    if (line.contains("more than one task handler")) {
                        return line;
                    }
                    if (line.contains("ready in")) {
                        return "";
                    }
                }
            } catch (java.io.IOException e) {
                return "";
            }
            return "";
        });
        try {
            String refusal = verdict.get(180, TimeUnit.SECONDS);
            assertTrue(refusal.contains("@TaskName(\"report\")") && refusal.contains("DuplicateNameTasks$DailyReport")
                    && refusal.contains("DuplicateNameTasks$WeeklyReport"), "no refusal naming both classes in:\n" + String.join("\n", lines));
        } finally {
            payara.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
