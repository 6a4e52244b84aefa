package dev.kafru.config;

import dev.kafru.admin.KafruUsers;
import dev.kafru.agent.AgentSettings;
import dev.kafru.schedule.MissedRunPolicy;
import dev.kafru.schedule.SchedulerSettings;
import dev.kafru.store.surreal.SurrealDatabase;
import dev.kafru.worker.WorkerSettings;
import dev.kafru.worker.Workers;
import org.eclipse.microprofile.config.Config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every {@code kafru.*} key kafru reads: its type, default, environment variable and an example,
 * and how a value is checked. {@link SettingsCheck} parses each configured value when the
 * application starts, and a bad one fails the deployment naming the key, the value and an example:
 *
 * <pre>
 * kafru.worker.enabled is 'ture': not a boolean, write true or false; for example kafru.worker.enabled=false
 * (environment: KAFRU_WORKER_ENABLED=false)
 * </pre>
 *
 * The README's configuration table lists the same keys (a unit test keeps the two in step).
 */
public final class Settings {

    /** One key: {@code check} throws IllegalArgumentException with the reason a value is refused. */
    public record Setting(String key, String type, String defaultValue, String example, boolean secret, Check check) {

        /** The environment variable MicroProfile Config maps to this key: {@code kafru.db.port} → {@code KAFRU_DB_PORT}. */
        public String envName() {
            return Settings.envName(key);
        }
    }

    /** Checks one value; throws IllegalArgumentException saying what is wrong with it. */
    @FunctionalInterface
    public interface Check {
        void check(String value);
    }

    /** Variables of kafru's own scripts (run.sh, test.sh), not settings: no warning for them. */
    static final Set<String> SCRIPT_VARIABLES = Set.of("KAFRU_RUN_ONCE", "KAFRU_NODE_VERSIONS", "KAFRU_NODE_CACHE",
            "KAFRU_CHROMIUM");

    public static final List<Setting> ALL = List.of(
            text("kafru.db.url", "ws://HOST:PORT/rpc from kafru.db.host and kafru.db.port", "ws://surrealdb:8000/rpc"),
            text("kafru.db.host", "127.0.0.1", "surrealdb"),
            integer("kafru.db.port", "4030", "8000", 1, 65535),
            text("kafru.db.username", "kafru_admin", "kafru"),
            secret("kafru.db.password", "kafru_password", "a-long-secret"),
            text("kafru.db.namespace", "kafru", "kafru"),
            text("kafru.db.name", "kafru_db", "kafru_db"),
            duration("kafru.db.request-timeout", "30s", "30s", Duration.ofMillis(1)),
            text("kafru.server.name", "host name + pid + random suffix", "node-1"),
            new Setting("kafru.queues", "queue:threads list", "default:5", "default:5,mail:2", false,
                    WorkerSettings::parseQueues),
            bool("kafru.worker.enabled", "true", "false"),
            duration("kafru.worker.poll-interval", "15s", "15s", Duration.ofMillis(1)),
            bool("kafru.worker.live-wakeups", "true", "false"),
            duration("kafru.worker.lease", "30s", "30s", Duration.ofMillis(300)),
            duration("kafru.worker.shutdown-timeout", "30s", "30s", Duration.ZERO),
            duration("kafru.worker.retry-base", "1s", "1s", Duration.ofMillis(1)),
            duration("kafru.worker.retry-max", "1h", "1h", Duration.ofMillis(1)),
            integer("kafru.worker.batch-size", String.valueOf(WorkerSettings.DEFAULT_BATCH_SIZE), "200", 1, WorkerSettings.MAX_BATCH_SIZE),
            integer("kafru.worker.prefetch", "unset (about a second of work)", "0", 0, WorkerSettings.MAX_PREFETCH),
            duration("kafru.worker.abandon-after", "30s", "30s", Duration.ofMillis(1)),
            integer("kafru.worker.result-limit", "65536", "65536", 1, 16_777_216),
            retention("kafru.retention.completed", "24h"),
            retention("kafru.retention.failed", "7d"),
            duration("kafru.retention.interval", "10s", "10s", Duration.ofMillis(1)),
            bool("kafru.scheduler.enabled", "true", "false"),
            duration("kafru.scheduler.poll-interval", "5s", "5s", Duration.ofMillis(1)),
            new Setting("kafru.scheduler.missed-runs", "fire-once or skip", "fire-once", "skip", false, MissedRunPolicy::parse),
            duration("kafru.scheduler.missed-after", "60s", "60s", Duration.ZERO),
            integer("kafru.scheduler.batch-size", "100", "100", 1, 1000),
            text("kafru.admin.username", "admin", "ops"),
            secret("kafru.admin.password", "generated and logged at start", "a-long-secret"),
            secret("kafru.users", "none", "grafana:kafru-viewer:secret,ops:kafru-admin:secret"),
            oneOf("kafru.admin.authentication", "basic", "container", "basic", "container"),
            new Setting("kafru.admin.allowed-origins", "origin list", "none", "https://ops.example.com", false,
                    value -> dev.kafru.admin.CrossSiteRule.allowedOrigins(value)),
            integer("kafru.admin.lockout.after", "5", "5", 1, 1000),
            duration("kafru.admin.lockout.max", "5m", "15m", Duration.ofSeconds(1)),
            bool("kafru.agent.enabled", "true", "false"),
            duration("kafru.agent.heartbeat", "5s", "5s", Duration.ofMillis(1)),
            duration("kafru.agent.expiry", "30s", "30s", Duration.ofMillis(1)),
            duration("kafru.metrics.interval", "10s", "10s", Duration.ofMillis(1)),
            bool("kafru.sample.enabled", "false", "true"));

    private static final Map<String, Setting> BY_KEY = ALL.stream().collect(Collectors.toMap(Setting::key, s -> s));
    private static final Map<String, Setting> BY_ENV = ALL.stream().collect(Collectors.toMap(Setting::envName, s -> s));

    private Settings() {
    }

    public static Optional<Setting> find(String key) {
        return Optional.ofNullable(BY_KEY.get(key));
    }

    /** The environment variable MicroProfile Config maps to a key (non-alphanumerics to _, upper case). */
    public static String envName(String key) {
        return key.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    /** Whether kafru reads the environment variable {@code name}. */
    public static boolean readsEnv(String name) {
        return BY_ENV.containsKey(name);
    }

    /**
     * Every configured value that does not parse, as "KEY is 'VALUE': REASON; for example …" —
     * and, when each parses alone, the rules between keys (retry-base above retry-max…).
     */
    public static List<String> problems(Config config) {
        List<String> problems = new ArrayList<>();
        for (Setting setting : ALL) {
            Optional<String> value = config.getOptionalValue(setting.key(), String.class);
            if (value.isEmpty()) {
                continue;
            }
            try {
                setting.check().check(value.get());
            } catch (RuntimeException e) {
                problems.add(setting.key() + " is " + (setting.secret() ? "not valid (its value is not shown)" : "'" + value.get() + "'")
                        + ": " + reason(e, setting) + "; for example " + setting.key() + "=" + setting.example()
                        + " (environment: " + setting.envName() + "=" + setting.example() + ")");
            }
        }
        if (problems.isEmpty()) {
            for (Function<Config, ?> whole : List.<Function<Config, ?>>of(Workers::readSettings, SchedulerSettings::read,
                    AgentSettings::read, SurrealDatabase::settings, KafruUsers::check)) {
                try {
                    whole.apply(config);
                } catch (RuntimeException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        return problems;
    }

    /** Configured {@code kafru.*} keys and {@code KAFRU_*} variables kafru does not read, each with the nearest it does. */
    public static List<String> unknown(Iterable<String> names) {
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            if (name.startsWith("kafru.") && !BY_KEY.containsKey(name)) {
                unknown.add("'" + name + "' is not a kafru setting; did you mean " + nearest(name, BY_KEY.keySet()) + "?");
            } else if (name.startsWith("KAFRU_") && !BY_ENV.containsKey(name) && !SCRIPT_VARIABLES.contains(name)) {
                String env = nearest(name, BY_ENV.keySet());
                unknown.add("environment variable " + name + " is not a kafru setting; did you mean " + env + " ("
                        + BY_ENV.get(env).key() + ")?");
            }
        }
        return unknown;
    }

    /** The candidate with the fewest single-character edits from {@code name}. */
    static String nearest(String name, Set<String> candidates) {
        return candidates.stream().min(Comparator.comparingInt((String c) -> editDistance(name, c)).thenComparing(c -> c))
                .orElseThrow();
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }

    private static String reason(RuntimeException e, Setting setting) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        // the readers' own messages often start with the key: say it once
        String prefix = setting.key() + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }

    // ---------------------------------------------------------------------------------------
    // kinds of value

    private static Setting text(String key, String defaultValue, String example) {
        return new Setting(key, "text", defaultValue, example, false, value -> {
            if (value.isBlank()) {
                throw new IllegalArgumentException("empty");
            }
        });
    }

    private static Setting secret(String key, String defaultValue, String example) {
        return new Setting(key, "text", defaultValue, example, true, value -> {
        });
    }

    private static final Set<String> TRUE = Set.of("true", "yes", "on", "1");
    private static final Set<String> FALSE = Set.of("false", "no", "off", "0");

    /** true or false (also yes/no, on/off, 1/0); anything else is an error, never false. */
    public static boolean parseBoolean(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (TRUE.contains(v)) {
            return true;
        }
        if (FALSE.contains(v)) {
            return false;
        }
        throw new IllegalArgumentException("not a boolean, write true or false");
    }

    private static Setting bool(String key, String defaultValue, String example) {
        return new Setting(key, "boolean", defaultValue, example, false, Settings::parseBoolean);
    }

    private static Setting integer(String key, String defaultValue, String example, int min, int max) {
        return new Setting(key, "integer " + min + " to " + max, defaultValue, example, false, value -> {
            int n;
            try {
                n = Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a whole number, write one from " + min + " to " + max);
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("out of range, write a whole number from " + min + " to " + max);
            }
        });
    }

    private static Setting duration(String key, String defaultValue, String example, Duration min) {
        return new Setting(key, "duration", defaultValue, example, false, value -> {
            Duration d = Durations.parse(value);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException(min.isZero() ? "negative, write zero or more"
                        : "too short, write at least " + (min.toMillis() < 1000 ? min.toMillis() + "ms" : min.toSeconds() + "s"));
            }
        });
    }

    private static Setting retention(String key, String defaultValue) {
        return new Setting(key, "retention", defaultValue, "3d", false, value -> {
            String v = value.trim();
            if (v.equalsIgnoreCase("forever") || v.equals("0")) {
                return;
            }
            Duration d;
            try {
                d = Durations.parse(v);
            } catch (IllegalArgumentException e) {
                d = Duration.ofSeconds(-1);
            }
            if (d.isNegative()) {
                throw new IllegalArgumentException("not a retention, write a duration such as 24h or 7d, 0 (delete at once) or forever");
            }
        });
    }

    private static Setting oneOf(String key, String defaultValue, String example, String... values) {
        return new Setting(key, String.join(" or ", values), defaultValue, example, false, value -> {
            if (!List.of(values).contains(value.trim())) {
                throw new IllegalArgumentException("write " + String.join(" or ", values));
            }
        });
    }
}
