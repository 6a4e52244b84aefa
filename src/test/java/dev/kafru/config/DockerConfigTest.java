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
 * docker/ (and the README's tables) configure kafru by environment variables, which nothing else
 * checks: a misspelt or renamed one is silently ignored and the server runs on a default. So every
 * {@code KAFRU_*} name there must be what MicroProfile Config maps a key kafru reads to, and the
 * compose file's servers must point at its SurrealDB with its credentials.
 */
class DockerConfigTest {

    private static final Path SOURCES = Path.of("src/main/java");
    /** Metric names, not configuration keys, though they look alike. */
    private static final Path METRIC_NAMES = SOURCES.resolve("dev/kafru/observe/TaskMetrics.java");
    private static final Pattern KEY = Pattern.compile("\"(kafru\\.[a-z0-9.-]+)\"");
    private static final Pattern VARIABLE = Pattern.compile("\\bKAFRU_[A-Z0-9_]*[A-Z0-9]\\b");
    private static final Path COMPOSE = Path.of("docker/compose.yaml");

    @Test
    void everyKafruVariableInDockerAndTheReadmeNamesAKeyKafruReads() throws IOException {
        Map<String, String> keyOfVariable = new TreeMap<>();
        keysKafruReads().forEach(key -> keyOfVariable.put(environmentName(key), key));
        assertTrue(keyOfVariable.containsKey("KAFRU_DB_URL"), "the key scan found kafru.db.url: " + keyOfVariable);
        for (Path file : List.of(Path.of("docker/Dockerfile"), COMPOSE, Path.of("README.md"))) {
            Set<String> unknown = variablesIn(Files.readString(file)).stream()
                    .filter(name -> !keyOfVariable.containsKey(name)).collect(Collectors.toCollection(TreeSet::new));
            assertTrue(unknown.isEmpty(), file + " names " + unknown + ", which no key kafru reads maps to: rename them to one of "
                    + keyOfVariable.keySet() + ", or read the key in the code");
        }
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
