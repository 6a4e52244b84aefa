package dev.kafru.surrealdb;

import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link ConflictRetry}: a write conflict is run again, anything else is thrown at once. */
class ConflictRetryTest {

    /** The message SurrealDB 3 gives a transaction that lost a write conflict on RocksDB (seen here). */
    static final String CONFLICT = "Transaction conflict: Resource busy: . This transaction can be retried";

    @Test
    void concurrentTransactionsOnOneRecordAllCommitThroughTheirConflicts() throws Exception {
        int threads = 8;
        int each = 40;
        try (RpcSurrealConnection setup = RpcSurrealConnection.open(SurrealLauncher.shared().freshDatabase())) {
            setup.query("DEFINE TABLE IF NOT EXISTS counters SCHEMALESS; CREATE counters:one SET n = 0", Map.of());
            AtomicInteger attempts = new AtomicInteger();
            AtomicInteger conflicts = new AtomicInteger();
            List<String> otherFailures = Collections.synchronizedList(new ArrayList<>());
            int rounds = 0;
            // contention is what this test is about: go on (a few rounds at most) until the engine reported a conflict
            while (rounds < 10 && (rounds == 0 || conflicts.get() == 0)) {
                rounds++;
                incrementConcurrently(setup.settings(), threads, each, attempts, conflicts, otherFailures);
            }
            System.out.println("ConflictRetryTest: " + rounds * threads * each + " increments in " + attempts.get() + " attempts, "
                    + conflicts.get() + " write conflicts retried");
            assertEquals(List.of(), otherFailures, "only write conflicts are expected from the engine");
            assertTrue(conflicts.get() > 0, "no write conflict in " + rounds + " rounds of " + threads + " concurrent writers:"
                    + " the test did not exercise the retry");
            assertEquals((long) rounds * threads * each, setup.query("RETURN (SELECT VALUE n FROM ONLY counters:one)", Map.of()).get(0),
                    "every increment landed once: read-modify-write transactions retried after their conflicts");
            assertEquals(rounds * threads * each + conflicts.get(), attempts.get(), "one more attempt per conflict, no more");
        }
    }

    /** {@code threads} connections, each incrementing counters:one {@code each} times in a read-modify-write transaction. */
    private static void incrementConcurrently(SurrealSettings settings, int threads, int each, AtomicInteger attempts,
                                              AtomicInteger conflicts, List<String> otherFailures) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<RpcSurrealConnection> connections = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                RpcSurrealConnection own = RpcSurrealConnection.open(settings);
                connections.add(own);
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        ConflictRetry.run(() -> {
                            attempts.incrementAndGet();
                            try {
                                return own.query("BEGIN TRANSACTION; LET $n = (SELECT VALUE n FROM ONLY counters:one);"
                                        + " UPDATE counters:one SET n = $n + 1; COMMIT TRANSACTION;", Map.of());
                            } catch (SurrealException e) {
                                if (e.isConflict()) {
                                    conflicts.incrementAndGet();
                                } else {
                                    otherFailures.add(e.getMessage());
                                }
                                throw e;
                            }
                        });
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
            connections.forEach(RpcSurrealConnection::close);
        }
    }

    @Test
    void aConflictIsTriedAgainUntilTheWorkSucceeds() {
        AtomicInteger calls = new AtomicInteger();
        String result = ConflictRetry.run(() -> {
            if (calls.incrementAndGet() <= 3) {
                throw SurrealException.fromServer(CONFLICT, null);
            }
            return "committed";
        });
        assertEquals("committed", result);
        assertEquals(4, calls.get(), "three conflicts, then the attempt that committed");
    }

    @Test
    void anyOtherFailureIsThrownAtOnceWithoutASecondAttempt() {
        List<SurrealException> failures = List.of(
                SurrealException.fromServer("Parse error: Unexpected token `SELEC`", null),
                SurrealException.fromServer("There was a problem with authentication", null),
                new SurrealException(SurrealException.Kind.CONNECTION, "SurrealDB connection lost; the request may or may not have run"),
                new SurrealException(SurrealException.Kind.TIMEOUT, "query: no answer within 30000 ms"));
        for (SurrealException failure : failures) {
            AtomicInteger calls = new AtomicInteger();
            SurrealException thrown = assertThrows(SurrealException.class, () -> ConflictRetry.run(() -> {
                calls.incrementAndGet();
                throw failure;
            }));
            assertSame(failure, thrown, "thrown as it came");
            assertEquals(1, calls.get(), failure.kind() + " is not retried: it would run a write whose outcome is unknown twice,"
                    + " or repeat a statement that cannot succeed");
        }
        AtomicInteger calls = new AtomicInteger();
        assertThrows(IllegalStateException.class, () -> ConflictRetry.run(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("not SurrealDB's");
        }));
        assertEquals(1, calls.get());
    }

    @Test
    void aConflictThatNeverClearsIsThrownAfterFiftyAttempts() {
        AtomicInteger calls = new AtomicInteger();
        SurrealException thrown = assertThrows(SurrealException.class, () -> ConflictRetry.run(() -> {
            calls.incrementAndGet();
            throw SurrealException.fromServer(CONFLICT, null);
        }));
        assertTrue(thrown.isConflict(), thrown.getMessage());
        assertEquals(50, calls.get(), "gives up after 50 attempts");
    }
}
