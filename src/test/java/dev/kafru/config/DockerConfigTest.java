package dev.kafru.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docker/ cannot be run here (no Docker engine), so its files are checked: every {@code KAFRU_*}
 * name there and in the README is one kafru reads ({@link Settings}: a misspelt one would be
 * ignored, the server running on a default); every image is pinned to a version; the Dockerfile
 * builds the WAR in a first stage and checks readiness; every service that keeps running restarts,
 * has a health check, and starts only once what it depends on is healthy (or, for the one-off
 * that hands SurrealDB's volume to the image's user, done); the compose file's servers point at its
 * SurrealDB with its credentials.
 */
class DockerConfigTest {

    private static final Path SOURCES = Path.of("src/main/java");
    /** Metric names, not configuration keys, though they look alike. */
    private static final Path METRIC_NAMES = SOURCES.resolve("dev/kafru/observe/TaskMetrics.java");
    private static final Pattern KEY = Pattern.compile("\"(kafru\\.[a-z0-9.-]+)\"");
    private static final Pattern VARIABLE = Pattern.compile("\\bKAFRU_[A-Z0-9_]*[A-Z0-9]\\b");
    private static final Path COMPOSE = Path.of("docker/compose.yaml");
    private static final Path DOCKERFILE = Path.of("docker/Dockerfile");

    @Test
    void everyKafruVariableInDockerAndTheReadmeNamesAKeyKafruReads() throws IOException {
        Map<String, String> keyOfVariable = new TreeMap<>();
        Settings.ALL.forEach(s -> keyOfVariable.put(s.envName(), s.key()));
        for (Path file : List.of(DOCKERFILE, COMPOSE, Path.of("README.md"))) {
            Set<String> unknown = variablesIn(Files.readString(file)).stream()
                    .filter(name -> !Settings.readsEnv(name) && !Settings.SCRIPT_VARIABLES.contains(name))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertTrue(unknown.isEmpty(), file + " names " + unknown + ", which no key kafru reads maps to: rename them to one of "
                    + keyOfVariable.keySet() + ", or add the key to dev.kafru.config.Settings");
        }
    }

    /** An image reference with a version tag: v3.0.2, 6.2025.10-jdk17, 1.37.0 — never latest, never a bare major like v3. */
    private static final Pattern PINNED = Pattern.compile("[^\\s:]+:v?\\d+\\.\\d+(\\.\\d+)?[-.\\w]*");

    @Test
    void everyImageIsPinnedToAVersion() throws IOException {
        List<String> images = new ArrayList<>(all(Pattern.compile("(?m)^FROM (\\S+)"), Files.readString(DOCKERFILE)));
        List<String> fromCompose = all(Pattern.compile("(?m)^\\s+image: (\\S+)$"), Files.readString(COMPOSE));
        fromCompose.remove("kafru:local"); // built from docker/Dockerfile by compose itself
        images.addAll(fromCompose);
        assertTrue(images.containsAll(List.of("surrealdb/surrealdb:v3.0.2", "payara/micro:6.2025.10-jdk17")), images.toString());
        for (String image : images) {
            assertTrue(PINNED.matcher(image).matches(), image + " is not pinned to a version");
        }
    }

    @Test
    void theDockerfileBuildsTheWarInItsFirstStageAndChecksReadiness() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        assertEquals(2, all(Pattern.compile("(?m)^(FROM) "), dockerfile).size(), "two stages: build, run");
        assertTrue(dockerfile.contains(" AS build") && dockerfile.contains("mvn -B -q package")
                && dockerfile.contains("COPY --from=build --chown=payara:payara /build/target/kafru.war"), dockerfile);
        String probe = one(Pattern.compile("(?m)^  CMD (\\[\"java\", \"/opt/payara/HealthCheck.java\".*)$"), dockerfile);
        assertTrue(probe.contains("/health/ready"), probe);
        assertTrue(Files.isRegularFile(Path.of("docker/HealthCheck.java")), "the probe the image copies");
    }

    @Test
    void everyServiceRestartsWaitsForHealthyDependenciesAndHasAHealthCheck() throws IOException {
        Map<String, String> services = services(Files.readString(COMPOSE));
        assertEquals(Set.of("surrealdb-data-owner", "surrealdb", "kafru-1", "kafru-2"), services.keySet());
        for (Map.Entry<String, String> service : services.entrySet()) {
            String name = service.getKey();
            String block = service.getValue();
            String restart = one(Pattern.compile("(?m)^    restart: (.+)$"), block);
            boolean oneOff = restart.equals("\"no\"");
            if (!oneOff) {
                assertEquals("unless-stopped", restart, name);
                assertTrue(Pattern.compile("(?m)^    healthcheck:\\n      test: \\[\"CMD\"").matcher(block).find(),
                        name + " has a health check:\n" + block);
            }
            List<String> dependencies = all(Pattern.compile("(?m)^      ([a-z0-9-]+):$"), section(block, "depends_on"));
            List<String> conditions = all(Pattern.compile("(?m)^        condition: (\\S+)$"), section(block, "depends_on"));
            assertEquals(dependencies.size(), conditions.size(), name + ": every dependency has a condition");
            for (int i = 0; i < dependencies.size(); i++) {
                boolean dependencyRunsOnce = one(Pattern.compile("(?m)^    restart: (.+)$"), services.get(dependencies.get(i))).equals("\"no\"");
                assertEquals(dependencyRunsOnce ? "service_completed_successfully" : "service_healthy", conditions.get(i),
                        name + " waits for " + dependencies.get(i));
            }
        }
        assertTrue(services.get("kafru-1").contains("surrealdb:\n        condition: service_healthy"));
        assertTrue(services.get("surrealdb").contains("user: \"65532:65532\""), "SurrealDB runs as its image's user");
        assertTrue(services.get("surrealdb-data-owner").contains("chown\", \"-R\", \"65532:65532\", \"/data\""),
                "the data volume is handed to that user first");
    }

    /**
     * The compose file's services, each as its own lines plus those of the blocks it merges
     * ({@code <<: *kafru}), re-indented as if written in the service.
     */
    static Map<String, String> services(String compose) {
        Map<String, String> anchors = new TreeMap<>();
        Matcher anchor = Pattern.compile("(?m)^x-[a-z-]+: &([a-z-]+)\\n((?: {2}.*\\n|\\n)*)").matcher(compose);
        while (anchor.find()) {
            anchors.put(anchor.group(1), anchor.group(2).replaceAll("(?m)^  ", "    "));
        }
        String body = compose.substring(compose.indexOf("\nservices:\n") + "\nservices:\n".length());
        body = body.substring(0, body.indexOf("\n\nvolumes:"));
        Map<String, String> services = new TreeMap<>();
        Matcher service = Pattern.compile("(?m)^  ([a-z0-9-]+):\\n((?: {4}.*\\n| {2}#.*\\n)*)").matcher(body + "\n");
        while (service.find()) {
            String block = service.group(2);
            Matcher merge = Pattern.compile("(?m)^    <<: \\*([a-z-]+)$").matcher(block);
            if (merge.find()) {
                block = anchors.get(merge.group(1)) + block;
            }
            services.put(service.group(1), block);
        }
        return services;
    }

    /** The lines under {@code    key:} of a service block, "" when it has none. */
    private static String section(String block, String key) {
        Matcher m = Pattern.compile("(?m)^    " + key + ":\\n((?: {6}.*\\n)*)").matcher(block);
        return m.find() ? m.group(1) : "";
    }

    @Test
    void theComposeFileRunsTwoKafruServersOnItsOneSurrealDb() throws IOException {
        String compose = Files.readString(COMPOSE);
        List<String> servers = all(Pattern.compile("(?m)^  (kafru-\\d+):\\n    <<: \\*kafru$"), compose);
        assertEquals(List.of("kafru-1", "kafru-2"), servers, "two kafru services built from the shared x-kafru block");
        assertEquals(2, all(Pattern.compile("(?m)^      (<<: \\*kafru-environment)$"), compose).size(), "both take the shared environment");
        assertEquals(2, Set.copyOf(all(Pattern.compile("(?m)^      KAFRU_SERVER_NAME: (\\S+)$"), compose)).size(), "distinct server names");

        String surreal = one(Pattern.compile("(?m)^    command: (start .*)$"), compose);
        assertEquals("ws://surrealdb:" + one(Pattern.compile("--bind \\S+:(\\d+)"), surreal) + "/rpc",
                one(Pattern.compile("(?m)^  KAFRU_DB_URL: (\\S+)$"), compose), "kafru connects to the surrealdb service's port");
        assertEquals(one(Pattern.compile("--user (\\S+)"), surreal), one(Pattern.compile("(?m)^  KAFRU_DB_USERNAME: (\\S+)$"), compose));
        assertEquals(one(Pattern.compile("--pass (\\S+)"), surreal), one(Pattern.compile("(?m)^  KAFRU_DB_PASSWORD: (\\S+)$"), compose));
        assertTrue(surreal.contains(" rocksdb:"), "SurrealDB on RocksDB, the storage whose claims are safe: " + surreal);
    }

    /** The configuration keys in kafru's code: every "kafru.…" string literal but the metric names. */
    static Set<String> keysKafruReads() throws IOException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java") && !f.equals(METRIC_NAMES)).toList()) {
                keys.addAll(all(KEY, Files.readString(file)));
            }
        }
        return keys;
    }

    /** MicroProfile Config's environment name for a key: non-alphanumerics to '_', upper case. */
    static String environmentName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    private static Set<String> variablesIn(String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = VARIABLE.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group());
        }
        return names;
    }

    private static List<String> all(Pattern pattern, String text) {
        Matcher matcher = pattern.matcher(text);
        List<String> found = new ArrayList<>();
        while (matcher.find()) {
            found.add(matcher.group(1));
        }
        return found;
    }

    private static String one(Pattern pattern, String text) {
        List<String> found = all(pattern, text);
        assertEquals(1, found.size(), "exactly one match of " + pattern + " in " + text);
        return found.get(0);
    }
}
