package dev.kafru.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.function.Supplier;

/**
 * The database's clock, read on this server: this server's clock corrected by the offset to
 * SurrealDB's {@code time::now()}, measured with one round trip ({@link #measure()}: the
 * scheduler measures once per pass) or, for a clock made {@link #measuredWhenStale}, whenever the last
 * measurement is older than {@link #MAX_AGE}. Claims and leases already take the engine's time inside their statements;
 * with this clock the scheduler's due check, its missed-run decision, its wake-up timers and the
 * stamps it writes follow the same clock, so servers whose clocks disagree by minutes still fire
 * each occurrence once and on time. The error is at most half a round trip.
 */
public final class EngineClock extends Clock {

    /** How old a measured offset may be before {@link #instant()} measures again. */
    static final Duration MAX_AGE = Duration.ofSeconds(30);

    private final Clock local;
    private final Supplier<Instant> engineNow;
    /** Engine time minus local time, in nanoseconds; null until measured. */
    private volatile Long offsetNanos;
    private volatile long measuredAt;

    private final boolean measureWhenStale;

    /**
     * A clock that only {@link #measure()} measures; until then it is {@code local} (its
     * {@link #instant()} never waits for the database, so live-query listeners may read it).
     *
     * @param engineNow one round trip to the database that returns its {@code time::now()}
     */
    public EngineClock(Clock local, Supplier<Instant> engineNow) {
        this(local, engineNow, false);
    }

    private EngineClock(Clock local, Supplier<Instant> engineNow, boolean measureWhenStale) {
        this.local = local;
        this.engineNow = engineNow;
        this.measureWhenStale = measureWhenStale;
    }

    /** A clock that measures on first use and whenever its offset is older than {@link #MAX_AGE} (request threads). */
    public static EngineClock measuredWhenStale(Clock local, Supplier<Instant> engineNow) {
        return new EngineClock(local, engineNow, true);
    }

    /** Measures the offset now: the engine's time against the middle of the round trip on this server's clock. */
    public Duration measure() {
        Instant before = local.instant();
        long startNanos = System.nanoTime();
        Instant engine = engineNow.get();
        long tripNanos = System.nanoTime() - startNanos;
        Instant middle = before.plusNanos(tripNanos / 2);
        long offset = Duration.between(middle, engine).toNanos();
        offsetNanos = offset;
        measuredAt = System.nanoTime();
        return Duration.ofNanos(offset);
    }

    /** The last measured offset (engine minus this server); zero before the first measurement of a plain clock. */
    public Duration offset() {
        Long offset = offsetNanos;
        if (measureWhenStale && (offset == null || System.nanoTime() - measuredAt > MAX_AGE.toNanos())) {
            return measure();
        }
        return offset == null ? Duration.ZERO : Duration.ofNanos(offset);
    }

    @Override
    public Instant instant() {
        return local.instant().plus(offset());
    }

    @Override
    public ZoneId getZone() {
        return local.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new EngineClock(local.withZone(zone), engineNow, measureWhenStale);
    }
}
