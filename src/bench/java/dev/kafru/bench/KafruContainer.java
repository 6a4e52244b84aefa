package dev.kafru.bench;

import dev.kafru.bench.app.BenchApi;
import dev.kafru.bench.app.BenchResource;
import dev.kafru.bench.app.BenchTask;
import dev.kafru.it.PayaraProcess;
import dev.kafru.surrealdb.RpcSurrealConnection;
import dev.kafru.surrealdb.SurrealSettings;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * kafru inside Payara Micro as a user runs it: a WAR of the user's own (its {@code @TaskName}
 * bean, a resource that pushes with the injected {@code KafruQueue}) with kafru-classes.jar
 * embedded, one or two servers on the launcher, with everything on (live queries, metrics,
 * agents, the scheduler). Completion is counted by the task bean on each server, polled over
 * HTTP (an in-memory counter), and confirmed once at the end in the store.
 */
final class KafruContainer {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * A server the benchmark drives over loopback HTTP, as it drives the Payara application:
     * {@code push?n=}, {@code count}, {@code conflicts} (and {@code mark}, {@code started}) under
     * {@code base}; {@code process} is the JVM whose processor time is counted.
     */
    record Served(URI base, ProcessHandle process) {
        static Served of(PayaraProcess p) {
            return new Served(URI.create(p.root() + "app/bench/"), p.process());
        }
    }

    private KafruContainer() {
    }

    static Path war(Bench.Options o, SurrealSettings db, String server, String queues) throws Exception {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "bench-" + server + ".war")
                .addClasses(BenchTask.class, BenchResource.class, BenchApi.class)
                .addAsLibraries(new File("target/kafru-classes.jar"), jarOf(com.cronutils.parser.CronParser.class),
                        jarOf(org.slf4j.Logger.class), jarOf(com.fasterxml.jackson.core.JsonFactory.class),
                        jarOf(com.fasterxml.jackson.dataformat.cbor.CBORFactory.class))
                .addAsWebInfResource(new StringAsset("<beans xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"4.0\" bean-discovery-mode=\"annotated\"/>"), "beans.xml")
                .addAsResource(new StringAsset(String.join("\n",
                        "kafru.db.url=" + db.url(),
                        "kafru.db.username=" + db.username(),
                        "kafru.db.password=" + db.password().replace("\\", "\\\\"),
                        "kafru.db.namespace=" + db.namespace(),
                        "kafru.db.name=" + db.database(),
                        "kafru.queues=" + queues,
                        "kafru.server.name=bench-" + server,
                        "kafru.admin.password=bench-secret",
                        // for trying settings: JAVA_TOOL_OPTIONS=-Dkafru.bench.config='key=value;key=value' src/scripts/bench.sh …
                        String.join("\n", System.getProperty("kafru.bench.config", "").split(";")),
                        "")), "META-INF/microprofile-config.properties");
        File file = new File(System.getProperty("java.io.tmpdir"), "bench-" + server + "-" + System.nanoTime() + ".war");
        war.as(ZipExporter.class).exportTo(file, true);
        file.deleteOnExit(); // each run is a JVM of its own: its WARs go with it
        return file.toPath();
    }

    private static File jarOf(Class<?> type) throws Exception {
        return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /** Servers 1…n serve the queue "bench" with {@code threads} threads; server 2 also "remote" (2 threads). */
    static List<PayaraProcess> start(Bench.Options o, SurrealSettings db, int servers) throws Exception {
        List<PayaraProcess> started = new ArrayList<>();
        for (int i = 1; i <= servers; i++) {
            String queues = "bench:" + o.threads + (i == 2 ? ",remote:2" : "");
            started.add(PayaraProcess.start(List.of(Bench.HEAP), war(o, db, String.valueOf(i), queues)));
        }
        for (PayaraProcess p : started) {
            p.awaitReady();
            await(() -> status(p, "GET", "health/ready") == 200, Duration.ofSeconds(60));
        }
        return started;
    }

    static Map<String, Double> throughput(Bench.Options o, int servers) throws Exception {
        SurrealSettings db = KafruPlain.database(o, "container");
        List<PayaraProcess> payaras = start(o, db, servers);
        try {
            return flood(o, db, payaras.stream().map(Served::of).toList());
        } finally {
            for (PayaraProcess p : payaras) {
                p.close();
            }
        }
    }

    /**
     * Warms the servers as the plain benchmark is warmed (Measure.warmThenTime), then times one
     * flood of {@code o.tasks} pushed by the first server's push call, counted on every server.
     */
    static Map<String, Double> flood(Bench.Options o, SurrealSettings db, List<Served> servers) throws Exception {
        Served first = servers.get(0);
        Measure.WarmUp warmUp = Measure.warmUp(o, (warmed, tasks) -> {
            call(first, "POST", "prepare?n=" + tasks);
            long roundStart = System.nanoTime();
            call(first, "POST", "push?n=" + tasks);
            awaitTotal(servers, warmed + tasks, Duration.ofSeconds(120));
            return tasks / ((System.nanoTime() - roundStart) / 1e9);
        });
        List<long[]> was = perServer(servers);
        long before = was.stream().mapToLong(c -> c[0]).sum();
        CpuTime cpu = CpuTime.start(o.dbPort, servers.stream().map(Served::process).toList());
        call(first, "POST", "prepare?n=" + o.tasks);
        long start = System.nanoTime();
        double pushNanos = Double.parseDouble(call(first, "POST", "push?n=" + o.tasks));
        awaitTotal(servers, before + o.tasks, Duration.ofMinutes(10));
        Map<String, Double> r = Measure.rate(o.tasks, start, pushNanos / 1e9);
        cpu.putPerTask(r, o.tasks);
        warmUp.putInto(r, o.tasks);
        List<long[]> now = perServer(servers);
        StringBuilder split = new StringBuilder("  per server (tasks run / write conflicts retried):");
        for (int i = 0; i < servers.size(); i++) {
            split.append(' ').append(now.get(i)[0] - was.get(i)[0]).append('/').append(now.get(i)[1] - was.get(i)[1]);
        }
        System.out.println(split);
        try (RpcSurrealConnection check = RpcSurrealConnection.open(db)) {
            KafruPlain.awaitCompletedInStore(check, "bench", o.tasks + warmUp.total());
        }
        return r;
    }

    /**
     * Idle push→start, pushed with KafruQueue.push on server 1: to its own idle worker (queue
     * bench), and to a queue only server 2 serves (remote: signal, wake, claim there).
     */
    static Map<String, Double> latency(Bench.Options o) throws Exception {
        SurrealSettings db = KafruPlain.database(o, "container_latency");
        List<PayaraProcess> payaras = start(o, db, 2);
        List<Served> servers = payaras.stream().map(Served::of).toList();
        try {
            List<Double> local = new ArrayList<>();
            List<Double> remote = new ArrayList<>();
            int n = Math.min(o.samples, 200);
            for (int i = 0; i < n + 20; i++) {
                for (String queue : List.of("bench", "remote")) {
                    String[] answer = call(servers.get(0), "POST", "mark?wait=" + queue.equals("bench") + "&queue=" + queue).split(" ");
                    long pushed = Long.parseLong(answer[1]);
                    long started = Long.parseLong(answer[2]);
                    if (queue.equals("remote")) { // it runs on server 2: ask it once, the request waiting for the start
                        started = Long.parseLong(call(servers.get(1), "GET", "started?id=" + answer[0]));
                    }
                    if (started == 0) {
                        throw new IllegalStateException("mark task " + answer[0] + " did not start within 30 s");
                    }
                    if (i >= 20) {
                        (queue.equals("bench") ? local : remote).add((started - pushed) / 1e6);
                    }
                    Thread.sleep(30);
                }
            }
            return Measure.percentiles(local, remote);
        } finally {
            for (PayaraProcess p : payaras) {
                p.close();
            }
        }
    }

    /** Per server: tasks run, write conflicts retried. */
    static List<long[]> perServer(List<Served> servers) throws Exception {
        List<long[]> counts = new ArrayList<>();
        for (Served p : servers) {
            counts.add(new long[] {Long.parseLong(call(p, "GET", "count")), Long.parseLong(call(p, "GET", "conflicts"))});
        }
        return counts;
    }

    static long total(List<Served> servers) throws Exception {
        long sum = 0;
        for (Served p : servers) {
            sum += Long.parseLong(call(p, "GET", "count"));
        }
        return sum;
    }

    static String call(Served p, String method, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(p.base().resolve(path)).timeout(Duration.ofMinutes(2))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().trim();
    }

    static int status(PayaraProcess p, String method, String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(p.root() + path)).timeout(Duration.ofSeconds(10))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * Waits until the servers have run {@code target} tasks in all. One server is asked once, by a
     * request that waits in it. With more, each count is an HTTP request to every server, and a
     * JAX-RS request costs Payara about as much processor time as hundreds of tasks: it asks every
     * 50 ms only near the end, and before that once the tasks left should be half done at the rate
     * seen so far (at most a second apart).
     */
    static void awaitTotal(List<Served> servers, long target, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (servers.size() == 1) { // requests that wait in the server (each under the client's 2-minute limit)
            long n = 0;
            while (n < target) {
                long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
                if (left <= 0) {
                    throw new IllegalStateException(n + " of " + target + " tasks run, not all within " + timeout);
                }
                n = Long.parseLong(call(servers.get(0), "GET", "await?n=" + target + "&seconds=" + Math.min(left, 100)));
            }
            return;
        }
        long firstAt = System.nanoTime();
        long first = total(servers);
        long n = first;
        while (n < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(n + " of " + target + " tasks run, not all within " + timeout);
            }
            double perMilli = (n - first) / Math.max(1.0, (System.nanoTime() - firstAt) / 1e6);
            long pause = perMilli <= 0 ? 50 : (long) Math.min(1000, Math.max(50, (target - n) / perMilli / 2));
            Thread.sleep(pause);
            n = total(servers);
        }
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void await(Check check, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not reached within " + timeout);
            }
            Thread.sleep(50); // the counts are HTTP requests to the servers: not too often, they share the cores
        }
    }
}
