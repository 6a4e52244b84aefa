package dev.kafru.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What a scheduler does with an occurrence it comes to late — after downtime, or when no
 * scheduler ran. Either way a schedule fires at most once for all the occurrences it missed,
 * and its next_schedule moves to the first occurrence after now. Configured with
 * {@code kafru.scheduler.missed-runs}: {@code fire-once} (default) or {@code skip}.
 */
public enum MissedRunPolicy {

    /** The missed occurrences are run once, as soon as a scheduler sees them. */
    FIRE_ONCE,

    /** An occurrence later than {@code kafru.scheduler.missed-after} (60 s) is not run at all. */
    SKIP;

    /** True when the occurrence at {@code due}, seen at {@code now}, becomes a task. */
    public boolean fires(Instant due, Instant now, Duration missedAfter) {
        return this == FIRE_ONCE || !now.isAfter(due.plus(missedAfter));
    }

    /** Reads {@code fire-once} or {@code skip} (case and {@code _}/{@code -} do not matter). */
    public static MissedRunPolicy parse(String text) {
        String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (MissedRunPolicy policy : values()) {
            if (policy.name().equals(t)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("kafru.scheduler.missed-runs '" + text + "' is not a policy; use fire-once or skip");
    }
}
