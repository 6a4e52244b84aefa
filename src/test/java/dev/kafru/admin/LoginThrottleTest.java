package dev.kafru.admin;

import dev.kafru.testing.SettableClock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginThrottleTest {

    private final SettableClock clock = new SettableClock(Instant.parse("2026-12-01T00:00:00Z"));
    private final LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(5), clock);
    private final List<LogRecord> logged = new ArrayList<>();
    private final Logger logger = Logger.getLogger(LoginThrottle.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void listen() {
        logger.addHandler(capture);
    }

    @AfterEach
    void stopListening() {
        logger.removeHandler(capture);
    }

    @Test
    void fiveWrongPasswordsForOneUserHoldItBackForASecondThenLongerUpToTheCap() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("ops", "10.0.0." + i);
            assertEquals(Optional.empty(), throttle.lockedFor("ops", "10.0.0.99"), "four failures cost nothing");
        }
        throttle.failed("ops", "10.0.0.4");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.lockedFor("ops", "10.0.0.99"), "the fifth: held back for 1 s");
        assertEquals(Optional.empty(), throttle.lockedFor("admin", "10.0.0.99"), "other users are not");
        assertEquals(1, warnings().size(), "one WARNING for the lock");
        assertTrue(warnings().get(0).contains("5 failed logins in a row for user 'ops'"), warnings().toString());

        List<Long> locks = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            clock.advance(throttle.lockedFor("ops", "10.0.0.99").orElseThrow());
            assertEquals(Optional.empty(), throttle.lockedFor("ops", "10.0.0.99"), "the lock ends");
            throttle.failed("ops", "10.0.0.9" + (i % 5));
            locks.add(throttle.lockedFor("ops", "10.0.0.99").orElseThrow().toSeconds());
        }
        assertEquals(List.of(2L, 4L, 8L, 16L, 32L, 64L, 128L, 256L, 300L, 300L, 300L, 300L), locks,
                "doubling after each further failure, never beyond kafru.admin.lockout.max");
        assertEquals(13, warnings().size(), "one WARNING per lock");
    }

    @Test
    void theRightPasswordAfterTheLockClearsTheCountOfItsUserAndAddress() {
        for (int i = 0; i < 7; i++) {
            clock.advance(throttle.lockedFor("ops", "10.0.0.1").orElse(Duration.ZERO));
            throttle.failed("ops", "10.0.0.1");
        }
        assertEquals(Optional.of(Duration.ofSeconds(4)), throttle.lockedFor("ops", "10.0.0.1"));
        clock.advance(Duration.ofSeconds(4));
        throttle.succeeded("ops", "10.0.0.1");
        throttle.failed("ops", "10.0.0.1");
        assertEquals(Optional.empty(), throttle.lockedFor("ops", "10.0.0.1"), "counting starts again from one");
    }

    @Test
    void fiveFailuresFromOneAddressHoldItBackWhateverTheUserAndUnreadableCredentialsCount() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("user" + i, "10.0.0.7");
        }
        throttle.failed(null, "10.0.0.7");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.lockedFor("admin", "10.0.0.7"), "any user from that address");
        assertEquals(Optional.of(Duration.ofSeconds(1)), throttle.lockedFor(null, "10.0.0.7"));
        assertEquals(Optional.empty(), throttle.lockedFor("admin", "10.0.0.8"), "the same user from elsewhere is not held back");
        assertTrue(warnings().get(0).contains("for address 10.0.0.7"), warnings().toString());
    }

    @Test
    void failuresLongAgoAreForgotten() {
        for (int i = 0; i < 4; i++) {
            throttle.failed("ops", "10.0.0.1");
        }
        clock.advance(LoginThrottle.FORGET_AFTER.plusSeconds(1));
        throttle.failed("ops", "10.0.0.1");
        assertEquals(Optional.empty(), throttle.lockedFor("ops", "10.0.0.1"));
        assertEquals(List.of(), warnings());
    }

    private List<String> warnings() {
        return logged.stream().filter(r -> r.getLevel() == Level.WARNING).map(LogRecord::getMessage).toList();
    }
}
