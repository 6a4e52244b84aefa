package dev.kafru.config;

import org.eclipse.microprofile.config.Config;

import java.time.Duration;

/** Durations in kafru's configuration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 7d} or ISO-8601 ({@code PT30S}). */
public final class Durations {

    private Durations() {
    }

    /** Reads one duration. */
    public static Duration parse(String text) {
        String t = text.trim();
        try {
            if (t.startsWith("P") || t.startsWith("p")) {
                return Duration.parse(t);
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            }
            long amount = Long.parseLong(t.substring(0, t.length() - 1).trim());
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new NumberFormatException();
            };
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write it like 30s, 500ms, 2m, 1h, 7d or PT30S", e);
        }
    }

    /** The duration under {@code key}, or {@code fallback}; a bad value names the key. */
    public static Duration read(Config config, String key, Duration fallback) {
        return config.getOptionalValue(key, String.class).map(value -> {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
            }
        }).orElse(fallback);
    }
}
