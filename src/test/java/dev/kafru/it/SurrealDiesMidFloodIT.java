package dev.kafru.it;

import dev.kafru.Task;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.SurrealTaskRepository;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.testing.SurrealLauncher;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SurrealDB's launcher killed with SIGKILL while a {@code pushAll} of 20,000 is in flight on one
 * Payara Micro server and two servers claim, then started again on the same data directory and
 * port. Every task a caller was told was stored is there and Completed, the flood's caller got an
 * exception (what of it was stored runs too: no silent loss, counted), no task's runs overlap,
 * both servers' readiness went DOWN and back UP, and both servers' workers ran tasks again without
 * a redeploy.
 */
@Tag("alone")
class SurrealDiesMidFloodIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int FLOOD = 20_000;

    @Test
    void theEngineKilledMidFloodLosesNothingItAcknowledged() throws Exception {
        String database = "engine_dies_it";
        Path executions = Executions.directory();
        SurrealLauncher engine = SurrealLauncher.start();
        String port = "kafru.db.port=" + engine.port();
        long began = System.nanoTime();
        try (engine;
             PayaraProcess a = PayaraProcess.start(ClusterIT.war(database, "server-a", "flood:4,single:2", executions, port).toPath());
             PayaraProcess b = PayaraProcess.start(ClusterIT.war(database, "server-b", "flood:4,single:2", executions, port).toPath())) {
            a.awaitReady();
            b.awaitReady();
            // both UP before the flood: a server whose schema is still being applied (two servers on a fresh
            // database conflict, and one retries 2 s later) holds a push until it is, up to 30 s
            awaitReady(a, 200);
            awaitReady(b, 200);
            long booted = System.nanoTime();

            // a caller pushing one task at a time on B through the whole outage: each push is answered with an id or an exception
            Map<String, Boolean> single = new java.util.concurrent.ConcurrentHashMap<>(); // id → acknowledged
            AtomicInteger refused = new AtomicInteger();
            AtomicBoolean pushing = new AtomicBoolean(true);
            CompletableFuture<Void> singles = CompletableFuture.runAsync(() -> {
                while (pushing.get()) {
                    HttpResponse<String> answer = post(b, "single", 1);
                    if (answer.statusCode() == 200) {
                        single.put(answer.body().trim(), true);
                    } else {
                        refused.incrementAndGet();
                    }
                }
            });

            CompletableFuture<HttpResponse<String>> flood = HTTP.sendAsync(request(a, "flood", FLOOD), HttpResponse.BodyHandlers.ofString());
            try (RpcSurrealConnection before = RpcSurrealConnection.open(engine.settings("kafru_it", database))) {
                SurrealTaskRepository tasks = new SurrealTaskRepository(before);
                // the flood is in flight: its first statements are stored, most are not
                AtomicLong stored = new AtomicLong();
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> {
                        stored.set(tasks.counts("flood", 0).values().stream().mapToLong(Long::longValue).sum());
                        return stored.get() >= 500 || flood.isDone();
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    throw new AssertionError("after 60 s only " + stored.get() + " of the flood were counted; single pushes acknowledged "
                            + single.size() + ", refused " + refused.get() + "; the flood " + (flood.isDone() ? "ended" : "still in flight")
                            + "; A's log ends:\n" + tail(a) + "\nB's log ends:\n" + tail(b), e);
                }
                assertTrue(!flood.isDone(), () -> "the flood ended before the kill (" + stored.get() + " counted): "
                        + flood.join().statusCode() + " " + flood.join().body().lines().findFirst().orElse(""));
                engine.kill();
            }
            long killed = System.nanoTime();

            HttpResponse<String> flooded = flood.get(60, TimeUnit.SECONDS);
            assertEquals(503, flooded.statusCode(), "the flood's caller must be told it failed: " + flooded.body());
            assertTrue(flooded.body().startsWith("exception: "), flooded.body());
            awaitReady(a, 503);
            awaitReady(b, 503);
            long down = System.nanoTime();

            engine.restart();
            Instant restarted = Instant.now();
            awaitReady(a, 200);
            awaitReady(b, 200);
            long up = System.nanoTime();
            List<String> after = ClusterIT.push(a, "flood", 2_000, 1);
            int acknowledgedBefore = single.size();
            await().atMost(Duration.ofSeconds(60)).until(() -> single.size() >= acknowledgedBefore + 20);
            pushing.set(false);
            singles.get(60, TimeUnit.SECONDS);

            try (RpcSurrealConnection db = RpcSurrealConnection.open(engine.settings("kafru_it", database))) {
                SurrealTaskRepository tasks = new SurrealTaskRepository(db);
                await().atMost(Duration.ofSeconds(120)).until(() -> ClusterIT.drained(tasks, "flood") && ClusterIT.drained(tasks, "single"));
                Map<String, Task> stored = new HashMap<>(Executions.all(tasks, "flood"));
                stored.putAll(Executions.all(tasks, "single"));
                Executions runs = Executions.read(executions);

                List<String> acknowledged = new ArrayList<>(single.keySet());
                acknowledged.addAll(after);
                List<String> lost = acknowledged.stream().filter(id -> !stored.containsKey(id)).limit(10).toList();
                assertEquals(List.of(), lost, "acknowledged tasks missing from the store (first 10)");
                List<String> notCompleted = stored.values().stream().filter(t -> t.status() != TaskStatus.Completed)
                        .map(t -> t.id() + " " + t.status() + " " + t.message()).limit(10).toList();
                assertEquals(List.of(), notCompleted, "stored tasks not Completed (first 10)");
                List<String> neverRan = stored.keySet().stream().filter(id -> runs.runs(id).isEmpty()).limit(10).toList();
                assertEquals(List.of(), neverRan, "stored tasks that never ran (first 10)");
                Executions.Overlap overlap = runs.largestOverlap(Instant.now());
                assertEquals(0, overlap.micros(), "runs of task " + overlap.task() + " overlapped: " + overlap.runs());
                assertEquals(List.of(), runs.unended(), "runs that never ended (no server was killed)");
                long floodStored = stored.values().stream().filter(t -> t.queue().equals("flood")).count() - after.size();
                assertTrue(floodStored >= 500 && floodStored < FLOOD, "of the failed flood " + floodStored + " were stored");
                // the workers came back by themselves: both servers started tasks after the engine did
                long micros = java.time.temporal.ChronoUnit.MICROS.between(Instant.EPOCH, restarted);
                for (String server : List.of("server-a", "server-b")) {
                    assertTrue(stored.keySet().stream().flatMap(id -> runs.runs(id).stream())
                            .anyMatch(r -> r.server().equals(server) && r.start() > micros), server + " ran nothing after the restart");
                }
                System.out.println("SurrealDiesMidFloodIT: boot " + (booted - began) / 1_000_000 + " ms; DOWN on both "
                        + (down - killed) / 1_000_000 + " ms after the kill, UP " + (up - down) / 1_000_000
                        + " ms after the restart; of the flood's " + FLOOD + " " + floodStored + " were stored (the caller got: "
                        + flooded.body().lines().findFirst().orElse("") + "); single pushes acknowledged " + single.size()
                        + ", refused " + refused.get() + "; tasks run again " + runs.repeated().size() + "; all done "
                        + (System.nanoTime() - began) / 1_000_000 + " ms after the start");
            }
        }
    }

    private static String tail(PayaraProcess server) {
        List<String> lines = server.lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** Polls {@code /health/ready} until it answers {@code status} (DOWN: 503, UP: 200). */
    private static void awaitReady(PayaraProcess server, int status) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create(server.root() + "health/ready")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == status;
            } catch (java.io.IOException e) {
                return false;
            }
        });
    }

    private static HttpRequest request(PayaraProcess server, String queue, int n) {
        return HttpRequest.newBuilder(URI.create(server.root() + "cluster/push?queue=" + queue + "&n=" + n + "&sleepMillis=1"))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(2)).build();
    }

    private static HttpResponse<String> post(PayaraProcess server, String queue, int n) {
        try {
            return HTTP.send(request(server, queue, n), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
