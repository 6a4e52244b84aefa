package dev.kafru.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An application of a user's own ({@code src/test/sample-app}) that adds kafru with one
 * {@code <dependency>} on {@code dev.kafru:kafru:classes}, as the README's "Embedding" shows: built
 * here by Maven, offline, from the local repository — so only what kafru's POM declares reaches
 * its WAR — and deployed on Payara Micro, where its own @TaskName bean runs the tasks its own
 * resource pushes, and kafru's admin API and dashboard are served beside them.
 */
class SampleApplicationIT {

    private static final String PASSWORD = "sample-app-admin";
    private static final Path SAMPLE = Path.of("src/test/sample-app/pom.xml");

    @Test
    void anApplicationWithKafruAsItsOneDependencyRunsItsOwnTasks() throws Exception {
        Path war = build();
        assertEquals(Set.of("kafru", "cron-utils", "slf4j-api", "jackson-core", "jackson-dataformat-cbor"), libraries(war),
                "kafru's jar and the runtime dependencies its POM declares, nothing more");
        Path properties = Files.createTempFile(Path.of(System.getProperty("java.io.tmpdir")), "sample-app-", ".properties");
        Files.writeString(properties, Deployments.databaseConfig("sample_app") + "\nkafru.admin.password=" + PASSWORD + "\n");
        try (PayaraProcess payara = PayaraProcess.start(war, "--systemproperties", properties.toString())) {
            payara.awaitReady();
            AdminClient admin = AdminClient.of(payara.root(), "admin", PASSWORD);

            AdminClient.Answer pushed = admin.anonymous().post("api/greetings?count=5", null);
            assertEquals(200, pushed.status(), pushed.toString());
            List<String> ids = pushed.body().lines().toList();
            assertEquals(5, ids.size(), pushed.toString());
            for (String id : ids) {
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .until(() -> admin.get("kafru/api/tasks/" + AdminClient.segment(id)).object().getString("status"), "Completed"::equals);
            }
            payara.awaitLines(l -> l.contains("sample-app greeted guest"), 5, Duration.ofSeconds(30));

            AdminClient.Answer handlers = admin.get("kafru/api/handlers");
            assertEquals("[\"sample-greeting\"]", handlers.body().replace(" ", ""), "the application's handler only, no kafru.war sample: " + handlers);
            assertEquals(401, admin.anonymous().get("kafru/api/tasks").status());
            AdminClient.Answer page = admin.anonymous().get("kafru/");
            assertEquals(200, page.status(), page.toString());
            assertTrue(page.body().contains("app.mjs"), "the dashboard, from the jar's META-INF/resources: " + page);
        }
    }

    /**
     * Installs the freshly built {@code target/kafru-classes.jar} with kafru's POM into the local
     * repository (what {@code mvn install} does for it), then builds the sample application offline.
     */
    private static Path build() throws IOException, InterruptedException {
        maven("org.apache.maven.plugins:maven-install-plugin:3.1.2:install-file",
                "-Dfile=" + System.getProperty("kafru.classes.jar", "target/kafru-classes.jar"),
                "-DpomFile=pom.xml", "-Dclassifier=classes");
        maven("-f", SAMPLE.toString(), "-Dkafru.version=" + System.getProperty("kafru.version", "0.1.0-SNAPSHOT"), "package");
        Path war = Path.of("target/sample-app/kafru-sample-app.war");
        assertTrue(Files.exists(war), "the sample application's build made no " + war);
        return war;
    }

    /** The jars in the WAR's WEB-INF/lib, by artifact name (without version and classifier). */
    private static Set<String> libraries(Path war) throws IOException {
        try (ZipFile zip = new ZipFile(war.toFile())) {
            return zip.stream().map(ZipEntry::getName).filter(n -> n.startsWith("WEB-INF/lib/") && n.endsWith(".jar"))
                    .map(n -> n.substring("WEB-INF/lib/".length()).replaceAll("-\\d.*", "")).collect(Collectors.toSet());
        }
    }

    private static void maven(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mvn", "-o", "-B", "-q"));
        String repository = System.getProperty("kafru.maven.repo");
        if (repository != null && !repository.isBlank()) {
            command.add("-Dmaven.repo.local=" + repository);
        }
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed:\n" + output);
        }
    }
}
