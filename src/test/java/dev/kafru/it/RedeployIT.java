package dev.kafru.it;

import org.jboss.shrinkwrap.api.exporter.ExplodedExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * kafru.war redeployed in a running Payara Micro (its hot deploy: touching {@code .reload} in
 * the exploded application), then the server stopped: both undeploys must be clean. Payara stops
 * a redeployed application's class loader before it stops the application, which made kafru's
 * shutdown fail on a class it had not loaded yet (WELD-000019, the connection left open).
 */
class RedeployIT {

    @Test
    void aRedeployAndAStopLogNoErrorAndTheNewDeploymentWorks() throws Exception {
        WebArchive war = Deployments.kafru("redeploy_it", List.of("kafru.sample.enabled=true", "kafru.admin.password=redeploy-secret"));
        Path dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "redeploy-");
        war.as(ExplodedExporter.class).exportExploded(dir.toFile(), "kafru");
        Path app = dir.resolve("kafru");
        try (PayaraProcess payara = PayaraProcess.start(app, "--hotdeploy")) {
            payara.awaitReady();
            payara.awaitLines(l -> l.contains("Hello, kafru!"), 1, Duration.ofSeconds(60));
            AdminClient admin = AdminClient.of(payara.root(), "admin", "redeploy-secret");
            assertEquals(200, admin.get("kafru/api/handlers").status());

            // Payara's hot deploy compares the marker's modification time with the last one it saw
            Files.writeString(app.resolve(".reload"), "");
            Files.setLastModifiedTime(app.resolve(".reload"), FileTime.from(Instant.now().plusSeconds(2)));
            payara.awaitLines(l -> l.contains("was successfully deployed"), 2, Duration.ofSeconds(120));
            // the new deployment runs: its own sample task, and the admin API answers
            payara.awaitLines(l -> l.contains("Hello, kafru!"), 2, Duration.ofSeconds(60));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
                    .until(() -> admin.get("kafru/api/handlers").status() == 200);
            assertTrue(payara.errors().isEmpty(), "the redeploy logged errors:\n" + String.join("\n", payara.errors()));

            payara.stop();
            assertTrue(payara.errors().isEmpty(), "the stop logged errors:\n" + String.join("\n", payara.errors()));
            assertEquals(0, payara.count("kafru could not stop cleanly"), String.join("\n", payara.lines()));
        }
    }
}
