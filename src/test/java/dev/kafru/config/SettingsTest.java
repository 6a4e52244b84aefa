package dev.kafru.config;

import dev.kafru.testing.MapConfig;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SettingsTest {

    private static List<String> problems(String... keyValues) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            values.put(keyValues[i], keyValues[i + 1]);
        }
        return Settings.problems(new MapConfig(values));
    }

    @Test
    void everyKeyTheCodeReadsIsInTheRegistryWithAnExampleThatParses() throws IOException {
        Set<String> metricNames = Set.of("kafru.admin.login.failures", "kafru.admin.login.lockouts");
        Set<String> read = DockerConfigTest.keysKafruReads().stream().filter(k -> !metricNames.contains(k))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> registered = Settings.ALL.stream().map(Settings.Setting::key).collect(Collectors.toCollection(TreeSet::new));
        read.removeAll(registered);
        assertEquals(Set.of(), read, "keys read in src/main/java but missing from dev.kafru.config.Settings");
        for (Settings.Setting s : Settings.ALL) {
            assertEquals(List.of(), problems(s.key(), s.example()), s.key() + "'s example parses");
            assertFalse(s.defaultValue().isBlank(), s.key());
        }
    }

    @Test
    void nothingConfiguredIsFine() {
        assertEquals(List.of(), problems());
    }

    @Test
    void aBadValueOfEachKindIsNamedWithItsKeyValueAndAnExample() {
        assertEquals(List.of("kafru.worker.enabled is 'ture': not a boolean, write true or false; for example"
                + " kafru.worker.enabled=false (environment: KAFRU_WORKER_ENABLED=false)"), problems("kafru.worker.enabled", "ture"));
        for (String[] bad : new String[][]{
                {"kafru.worker.poll-interval", "15", "not a duration"},
                {"kafru.worker.lease", "100ms", "too short, write at least 300ms"},
                {"kafru.scheduler.missed-after", "-1s", "negative"},
                {"kafru.retention.completed", "3 days", "not a retention"},
                {"kafru.retention.failed", "-1d", "not a retention"},
                {"kafru.worker.batch-size", "lots", "not a whole number, write one from 1 to 5000"},
                {"kafru.db.port", "70000", "out of range"},
                {"kafru.queues", "default:5,mail:two", "kafru.queues entry 'mail:two' has no thread count"},
                {"kafru.queues", "a b:2", "is not a queue name"},
                {"kafru.scheduler.missed-runs", "always", "fire-once or skip"},
                {"kafru.admin.authentication", "oidc", "write basic or container"},
                {"kafru.admin.allowed-origins", "ops.example", "is not an origin"},
                {"kafru.sample.enabled", "enabled", "not a boolean"},
                {"kafru.db.host", " ", "empty"}}) {
            List<String> found = problems(bad[0], bad[1]);
            assertEquals(1, found.size(), bad[0] + "=" + bad[1] + ": " + found);
            String problem = found.get(0);
            assertTrue(problem.startsWith(bad[0] + " is '" + bad[1] + "': ") && problem.contains(bad[2])
                    && problem.contains("for example " + bad[0] + "=") && problem.contains(Settings.envName(bad[0]) + "="), problem);
        }
        assertEquals(3, problems("kafru.worker.enabled", "ture", "kafru.agent.heartbeat", "5", "kafru.db.port", "x").size(),
                "every bad value at once, not the first alone");
    }

    @Test
    void booleansAreTrueOrFalseNeverAGuess() {
        for (String yes : List.of("true", "TRUE", "yes", "on", "1", " true ")) {
            assertTrue(Settings.parseBoolean(yes), yes);
        }
        for (String no : List.of("false", "False", "no", "off", "0")) {
            assertFalse(Settings.parseBoolean(no), no);
        }
        for (String neither : List.of("ture", "", "y", "enabled", "2")) {
            assertThrows(IllegalArgumentException.class, () -> Settings.parseBoolean(neither), neither);
        }
    }

    @Test
    void rulesBetweenKeysAndWholeEntriesAreCheckedOnceEachKeyParses() {
        assertEquals(List.of("kafru.users entry 1 is not name:role:password (found 1 colon(s)); separate users with commas"),
                problems("kafru.users", "ops:secret"));
        List<String> url = problems("kafru.db.url", "http://db:8000/rpc");
        assertTrue(url.size() == 1 && url.get(0).contains("kafru.db.url must be a ws:// or wss:// URL"), url.toString());
    }

    @Test
    void secretsAreNeverShown() {
        List<String> found = problems("kafru.users", "ops:kafru-admin:PBKDF2WithHmacSHA256:bad-hash-secret");
        assertEquals(1, found.size(), found.toString());
        assertFalse(found.get(0).contains("bad-hash-secret"), found.get(0));
    }

    @Test
    void anUnknownKeyOrVariableNamesTheNearestKnownOne() {
        assertEquals(List.of("'kafru.worker.enable' is not a kafru setting; did you mean kafru.worker.enabled?",
                        "'kafru.retention.complete' is not a kafru setting; did you mean kafru.retention.completed?",
                        "environment variable KAFRU_DB_PASWORD is not a kafru setting; did you mean KAFRU_DB_PASSWORD (kafru.db.password)?"),
                Settings.unknown(List.of("kafru.worker.enable", "kafru.worker.enabled", "kafru.retention.complete", "KAFRU_DB_PASWORD",
                        "KAFRU_DB_PASSWORD", "KAFRU_RUN_ONCE", "mp.openapi.filter", "PATH")));
        assertEquals(0, Settings.editDistance("kafru.queues", "kafru.queues"));
        assertEquals(1, Settings.editDistance("kafru.queus", "kafru.queues"));
        assertEquals(4, Settings.editDistance("kafru.queues", "kafru.queues.x.y"));
    }

    @Test
    void environmentNamesAreMicroProfileConfigs() {
        assertEquals("KAFRU_WORKER_POLL_INTERVAL", Settings.envName("kafru.worker.poll-interval"));
        assertTrue(Settings.readsEnv("KAFRU_DB_URL"));
        assertFalse(Settings.readsEnv("KAFRU_DB_URI"));
        assertTrue(Path.of("README.md").toFile().isFile(), "tests run from the checkout");
    }
}
