package dev.kafru.admin;

import dev.kafru.config.Durations;
import dev.kafru.observe.SecurityMetrics;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Slows down password guessing on the admin API's Basic logins, per user name and per client
 * address: after {@code kafru.admin.lockout.after} (5) failed logins in a row, that user (or
 * address) is refused without a password check for 1 s, then 2 s, 4 s… after each further
 * failure, up to {@code kafru.admin.lockout.max} (5 min). Nothing is locked for longer than that:
 * once the lock has passed, the right password logs in and clears the count for its user and
 * address. Each lock logs one WARNING and counts in {@code kafru.admin.login.lockouts}; each
 * failure in {@code kafru.admin.login.failures}.
 *
 * <p>The address is the connection's ({@code getRemoteAddr}): behind a reverse proxy every
 * caller shares the proxy's, and the per-user lock does the work. Counts live in this server's
 * memory; a quiet key is forgotten after {@link #FORGET_AFTER}.
 */
@ApplicationScoped
public class LoginThrottle {

    static final String AFTER = "kafru.admin.lockout.after";
    static final String MAX = "kafru.admin.lockout.max";
    static final int DEFAULT_AFTER = 5;
    static final Duration DEFAULT_MAX = Duration.ofMinutes(5);
    static final Duration FIRST_LOCK = Duration.ofSeconds(1);
    /** A user or address with no failure for this long starts again from zero. */
    static final Duration FORGET_AFTER = Duration.ofMinutes(30);
    /** The most users and addresses remembered at once (each kind); the oldest unlocked ones go first. */
    static final int MAX_KEYS = 10_000;

    private static final Logger LOG = Logger.getLogger(LoginThrottle.class.getName());

    @Inject
    Config config;

    @Inject
    SecurityMetrics metrics;

    private int after = DEFAULT_AFTER;
    private Duration max = DEFAULT_MAX;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Failures> users = new ConcurrentHashMap<>();
    private final Map<String, Failures> addresses = new ConcurrentHashMap<>();

    /** Failed logins in a row of one user or address, and until when it is refused. */
    private record Failures(int count, Instant last, Instant lockedUntil) {
    }

    LoginThrottle() {
    }

    /** A throttle outside CDI (tests): its own limits and clock, no metrics. */
    LoginThrottle(int after, Duration max, Clock clock) {
        this.after = after;
        this.max = max;
        this.clock = clock;
    }

    @PostConstruct
    void configure() {
        after = config.getOptionalValue(AFTER, Integer.class).orElse(DEFAULT_AFTER);
        max = Durations.read(config, MAX, DEFAULT_MAX);
        if (after < 1) {
            throw new IllegalArgumentException(AFTER + " must be 1 or more, not " + after);
        }
        if (max.compareTo(FIRST_LOCK) < 0) {
            throw new IllegalArgumentException(MAX + " must be at least 1s, not " + max);
        }
    }

    /** How long logins as {@code user} from {@code address} are still refused; empty when they may be checked. */
    public Optional<Duration> lockedFor(String user, String address) {
        Instant now = clock.instant();
        Duration left = Duration.ZERO;
        for (Failures f : new Failures[]{user == null ? null : users.get(user), addresses.get(address)}) {
            if (f != null && f.lockedUntil() != null && f.lockedUntil().isAfter(now)) {
                Duration d = Duration.between(now, f.lockedUntil());
                left = d.compareTo(left) > 0 ? d : left;
            }
        }
        return left.isZero() ? Optional.empty() : Optional.of(left);
    }

    /** A wrong password (or unreadable credentials: {@code user} null) from {@code address}. */
    public void failed(String user, String address) {
        if (metrics != null) {
            metrics.loginFailed();
        }
        if (user != null) {
            count(users, user, "user '" + user + "'", address);
        }
        count(addresses, address, "address " + address, address);
    }

    /** The right password: the user's and the address's counts start again. */
    public void succeeded(String user, String address) {
        users.remove(user);
        addresses.remove(address);
    }

    private void count(Map<String, Failures> map, String key, String who, String address) {
        Instant now = clock.instant();
        Failures next = map.compute(key, (k, f) -> {
            int count = f == null || Duration.between(f.last(), now).compareTo(FORGET_AFTER) > 0 ? 1 : f.count() + 1;
            Instant until = count < after ? null : now.plus(lock(count));
            return new Failures(count, now, until);
        });
        if (next.lockedUntil() != null) {
            Duration lock = Duration.between(now, next.lockedUntil());
            LOG.warning("kafru admin API: " + next.count() + " failed logins in a row for " + who
                    + (who.endsWith(address) ? "" : " (the last from " + address + ")") + "; its logins are refused for "
                    + lock.toSeconds() + " s (longer after each further failure, at most " + max.toSeconds() + " s: " + MAX + ")");
            if (metrics != null) {
                metrics.lockedOut(map == users ? "user" : "address");
            }
        }
        if (map.size() > MAX_KEYS) {
            forgetQuietKeys(map, now);
        }
    }

    /** 1 s at the {@code after}-th failure, doubling with each further one, at most {@code max}. */
    Duration lock(int failures) {
        int doublings = Math.min(failures - after, 30);
        Duration lock = FIRST_LOCK.multipliedBy(1L << doublings);
        return lock.compareTo(max) > 0 ? max : lock;
    }

    private static void forgetQuietKeys(Map<String, Failures> map, Instant now) {
        for (Iterator<Failures> it = map.values().iterator(); it.hasNext(); ) {
            Failures f = it.next();
            if (f.lockedUntil() == null || !f.lockedUntil().isAfter(now)) {
                it.remove();
            }
        }
    }
}
