package dev.kafru.it;

import dev.kafru.store.surreal.Schema;
import dev.kafru.surrealdb.RpcSurrealConnection;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Payara Micro servers sharing one SurrealDB, as a user's cluster runs kafru.war: a push wakes
 * the workers of the pushing server and of the other one long before the poll interval, and when
 * one server is killed with SIGKILL mid-run every task still ends Completed, and the only tasks
 * that ran twice are ones the killed server had in flight.
 */
class ClusterIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static File war(String database, String server, String queues) {
        WebArchive archive = Deployments.kafru(database, List.of("kafru.queues=" + queues, "kafru.server.name=" + server,
                        "kafru.worker.poll-interval=60s", "kafru.worker.lease=3s"),
                RecordingTask.class, ClusterResource.class, ClusterApi.class);
        File file = new File(System.getProperty("java.io.tmpdir"), "cluster-" + server + ".war");
        archive.as(ZipExporter.class).exportTo(file, true);
        return file;
    }

    @Test
    void pushesWakeBothServersAndAServerKilledMidRunLosesNothing() throws Exception {
        String database = "cluster_it";
        try (RpcSurrealConnection db = RpcSurrealConnection.open(Deployments.launcher().settings("kafru_it", database));
             PayaraProcess a = PayaraProcess.start(war(database, "server-a", "cluster:4").toPath());
             PayaraProcess b = PayaraProcess.start(war(database, "server-b", "cluster:4,remote:2").toPath())) {
            a.awaitReady();
            b.awaitReady();
            Schema.apply(db);
            db.query("DEFINE TABLE IF NOT EXISTS it_executions SCHEMALESS", Map.of());

            // a push on a server whose worker is idle: stored already claimed, started at once (no claim round trip)
            String local = push(a, "cluster", 1, 0).get(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> "Completed".equals(field(db, local, "status")));
            assertEquals(field(db, local, "date_created"), field(db, local, "started_at"), "handed straight to a free thread");
            assertEquals("server-a/cluster", field(db, local, "owner"));

            // a push on A for a queue only B serves: B's worker hears of it through the signal (the poll is 60 s)
            String remote = push(a, "remote", 1, 0).get(0);
            await().atMost(Duration.ofSeconds(10)).until(() -> "Completed".equals(field(db, remote, "status")));
            assertEquals("server-b/remote", field(db, remote, "owner"));

            // 1,200 tasks of 40 ms on 4 + 4 threads; B is killed with SIGKILL a third of the way
            List<String> ids = push(a, "cluster", 1200, 40);
            assertEquals(1200, new HashSet<>(ids).size());
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> executionsBy(db, "server-b") >= 100);
            } catch (RuntimeException e) {
                System.out.println("DEBUG A:\n" + String.join("\n", a.lines().subList(Math.max(0, a.lines().size() - 80), a.lines().size())));
                System.out.println("DEBUG B:\n" + String.join("\n", b.lines().subList(Math.max(0, b.lines().size() - 80), b.lines().size())));
                System.out.println("DEBUG executions A " + executionsBy(db, "server-a") + " B " + executionsBy(db, "server-b"));
                throw e;
            }
            b.kill();
            await().atMost(Duration.ofSeconds(120)).until(() -> completed(db, ids) == 1200);

            Map<String, List<String>> runs = executions(db);
            for (String id : ids) {
                assertTrue(runs.containsKey(id), "task " + id + " never ran");
            }
            Set<String> repeated = new HashSet<>();
            runs.forEach((id, servers) -> {
                if (ids.contains(id) && servers.size() > 1) {
                    repeated.add(id);
                    assertTrue(servers.contains("server-b") && servers.indexOf("server-b") < servers.size() - 1,
                            "task " + id + " ran more than once, but not first on the killed server: " + servers);
                }
            });
            // what B held at the kill: at most its 4 threads plus what it had claimed ahead
            assertTrue(repeated.size() <= 4 + 1000, "repeated " + repeated.size());
            assertTrue(executionsBy(db, "server-a") > 0 && runs.size() >= 1200);
            // the kept counts survive the kill: every task of the queue Completed, none left anywhere else
            assertEquals(Map.of(dev.kafru.TaskStatus.Waiting, 0L, dev.kafru.TaskStatus.InProgress, 0L, dev.kafru.TaskStatus.Completed, 1201L,
                    dev.kafru.TaskStatus.Error, 0L, dev.kafru.TaskStatus.Cancelled, 0L), new dev.kafru.store.surreal.SurrealTaskRepository(db).counts("cluster", 0));
            assertTrue(a.errors().isEmpty(), "server A logged errors:\n" + String.join("\n", a.errors()));
        }
    }

    private static List<String> push(PayaraProcess server, String queue, int n, long sleepMillis) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(server.root() + "cluster/push?queue=" + queue
                        + "&n=" + n + "&sleepMillis=" + sleepMillis)).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        return List.of(answer.body().trim().split("\n"));
    }

    /** A field of the task as the store reads it (a row, or a member of a push unit). */
    private static Object field(RpcSurrealConnection db, String id, String field) {
        return new dev.kafru.store.surreal.SurrealTaskRepository(db).get(id).map(t -> switch (field) {
            case "status" -> (Object) t.status().name();
            case "date_created" -> t.dateCreated();
            case "started_at" -> t.startedAt();
            case "owner" -> t.owner();
            default -> throw new IllegalArgumentException(field);
        }).orElse(null);
    }

    private static long executionsBy(RpcSurrealConnection db, String server) {
        return ((Number) db.query("RETURN count(SELECT * FROM it_executions WHERE server = $s)", Map.of("s", server)).get(0)).longValue();
    }

    private static long completed(RpcSurrealConnection db, List<String> ids) {
        Set<String> wanted = new HashSet<>(ids);
        return new dev.kafru.store.surreal.SurrealTaskRepository(db).list(new dev.kafru.TaskFilter(dev.kafru.TaskStatus.Completed,
                "cluster", null, null), Integer.MAX_VALUE, 0).stream().filter(t -> wanted.contains(t.id())).count();
    }

    /** Task id → the servers that ran it, in the order they started it. */
    private static Map<String, List<String>> executions(RpcSurrealConnection db) {
        Map<String, List<String>> runs = new HashMap<>();
        for (Object row : (List<?>) db.query("SELECT task, server, at FROM it_executions ORDER BY at", Map.of()).get(0)) {
            Map<?, ?> r = (Map<?, ?>) row;
            runs.computeIfAbsent((String) r.get("task"), k -> new java.util.ArrayList<>()).add((String) r.get("server"));
        }
        return runs;
    }
}
