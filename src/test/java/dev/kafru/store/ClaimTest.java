package dev.kafru.store;

import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The property the whole queue rests on, measured on the real engine with RocksDB: concurrent
 * claiming transactions never hand one row to two claimers.
 */
class ClaimTest {

    static final int ROWS = 5_000;
    static final int CLAIMERS = 8;

    static final String CLAIM = """
            BEGIN TRANSACTION;
            LET $ids = (SELECT VALUE id FROM claimables WHERE status = 'Waiting' LIMIT $n);
            LET $got = (UPDATE $ids SET status = 'InProgress', owner = $me WHERE status = 'Waiting' RETURN VALUE id);
            RETURN $got;
            COMMIT TRANSACTION;
            """;

    @Test
    void eightConcurrentTransactionsClaimEachOfFiveThousandRowsExactlyOnce() throws Exception {
        try (SurrealLauncher launcher = SurrealLauncher.start();
             RpcSurrealConnection setup = RpcSurrealConnection.open(launcher.freshDatabase())) {
            setup.query("DEFINE TABLE claimables SCHEMALESS; DEFINE INDEX claimables_status ON claimables FIELDS status", Map.of());
            for (int start = 0; start < ROWS; start += 500) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (int i = start; i < start + 500; i++) {
                    rows.add(Map.of("id", new RecordId("claimables", (long) i), "status", "Waiting"));
                }
                setup.query("INSERT INTO claimables $rows", Map.of("rows", rows));
            }

            Map<Object, AtomicInteger> claims = new ConcurrentHashMap<>();
            AtomicInteger conflicts = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(CLAIMERS);
            List<RpcSurrealConnection> connections = new ArrayList<>();
            try {
                List<Future<Integer>> claimed = new ArrayList<>();
                for (int c = 0; c < CLAIMERS; c++) {
                    RpcSurrealConnection connection = RpcSurrealConnection.open(setup.settings());
                    connections.add(connection);
                    String me = "claimer-" + c;
                    claimed.add(threads.submit(() -> {
                        int mine = 0;
                        while (true) {
                            List<?> got;
                            try {
                                List<Object> results = connection.query(CLAIM, Map.of("n", 10L, "me", me));
                                got = (List<?>) results.get(3); // BEGIN, LET, LET, RETURN, COMMIT
                            } catch (SurrealException e) {
                                if (!e.isConflict()) {
                                    throw e;
                                }
                                conflicts.incrementAndGet();
                                continue;
                            }
                            if (got.isEmpty()) {
                                return mine;
                            }
                            for (Object id : got) {
                                claims.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                            }
                            mine += got.size();
                        }
                    }));
                }
                int total = 0;
                for (Future<Integer> f : claimed) {
                    total += f.get(5, TimeUnit.MINUTES);
                }

                assertEquals(ROWS, total, "claims counted by the claimers");
                assertEquals(ROWS, claims.size(), "distinct rows claimed");
                assertTrue(claims.values().stream().allMatch(n -> n.get() == 1),
                        "rows claimed more than once: " + claims.entrySet().stream().filter(e -> e.getValue().get() > 1).toList());
                assertEquals(List.of(), setup.query("SELECT VALUE id FROM claimables WHERE status != 'InProgress' OR owner = NONE", Map.of()).get(0));
                System.out.printf("claim test: %d rows, %d claimers, %d retried write conflicts%n", ROWS, CLAIMERS, conflicts.get());
            } finally {
                threads.shutdownNow();
                connections.forEach(RpcSurrealConnection::close);
            }
        }
    }
}
