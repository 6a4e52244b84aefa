package dev.kafru.bench;

import dev.kafru.testing.SurrealLauncher;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark behind the README's table: kafru and its peers, same workload, same machine,
 * one run. {@code src/scripts/bench.sh} runs it; see {@link #usage()}.
 *
 * <p>Every measurement runs in a JVM of its own (so one system's JIT and garbage do not touch
 * another's), started from here in turns — kafru, db-scheduler, JobRunr, kafru, … — so that a
 * busy moment of the machine falls on all of them alike. Each warms itself by the same rule
 * ({@link Measure#warmThenTime}) and prints one {@code RESULT} line.
 */
public final class Bench {

    static final String RESULT = "RESULT ";
    /** SurrealDB's setting for RocksDB's log: synced at each commit by default, in the background with "never". */
    static final String SYNC_DATA = "SURREAL_DATASTORE_SYNC_DATA";

    public static void main(String[] args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        if (o.child != null) {
            Map<String, Double> result = switch (o.child) {
                case "kafru", "kafru-sync-never" -> KafruPlain.throughput(o);
                case "kafru-latency", "kafru-sync-never-latency" -> KafruPlain.latency(o);
                case "kafru-2" -> KafruPlain.twoServers(o);
                case "kafru-2jvm" -> KafruPlain.separateJvms(o, 2);
                case "kafru-serve" -> KafruPlain.serve(o);
                case "kafru-2-latency" -> Map.of("p50", Double.NaN, "p99", Double.NaN);
                case "db-scheduler-h2" -> DbSchedulerPeer.throughput(o, Pools.Store.H2_FILE, true);
                case "db-scheduler-pg" -> DbSchedulerPeer.throughput(o, Pools.Store.POSTGRES, true);
                case "db-scheduler-h2-single" -> DbSchedulerPeer.throughput(o, Pools.Store.H2_FILE, false);
                case "db-scheduler-h2-latency" -> DbSchedulerPeer.latency(o, Pools.Store.H2_FILE);
                case "db-scheduler-pg-latency" -> DbSchedulerPeer.latency(o, Pools.Store.POSTGRES);
                case "jobrunr-mem" -> JobRunrPeer.throughput(o, Pools.Store.IN_MEMORY);
                case "jobrunr-pg" -> JobRunrPeer.throughput(o, Pools.Store.POSTGRES);
                case "jobrunr-mem-latency" -> JobRunrPeer.latency(o, Pools.Store.IN_MEMORY);
                case "jobrunr-pg-latency" -> JobRunrPeer.latency(o, Pools.Store.POSTGRES);
                case "kafru-container" -> KafruContainer.throughput(o, 1);
                case "kafru-container-2" -> KafruContainer.throughput(o, 2);
                case "kafru-container-latency" -> KafruContainer.latency(o);
                case "scale" -> ScaleBench.run(o);
                case "timing" -> Timings.run(o);
                case "soak" -> Soak.run(o);
                default -> throw new IllegalArgumentException("unknown child " + o.child);
            };
            StringBuilder line = new StringBuilder(RESULT);
            result.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
            System.out.println(line.toString().trim());
            System.exit(0);
        }
        long began = System.nanoTime();
        System.out.println("kafru benchmark, " + java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
        System.out.println("machine: " + machine());
        System.out.println("command: " + System.getProperty("kafru.bench.command", "Bench " + String.join(" ", args)));
        System.out.printf(Locale.ROOT, "workload: no-op tasks, %d threads, %d runs, mode %s%n", o.threads, o.runs, o.mode);
        try (SurrealLauncher launcher = SurrealLauncher.start()) {
            System.out.println("SurrealDB: " + launcher.listening() + (SurrealLauncher.preload().isEmpty() ? ""
                    : ", allocator " + SurrealLauncher.preload()));
            if (o.mode.equals("plain") || o.mode.equals("all")) {
                plain(o, launcher);
            }
            if (o.mode.equals("container") || o.mode.equals("all")) {
                // long enough that the servers' completion polls (every 50 ms) and the flood's ends weigh little
                o.tasks = o.tasksOr(200_000);
                container(o, launcher);
            }
            o.tasks = o.tasksOr(20_000);
            if (o.mode.equals("soak")) {
                soak(o, launcher);
            }
            if (o.mode.equals("scale")) {
                children(o, launcher, "scale", 1);
            }
            if (o.mode.equals("timing") || o.mode.equals("all")) {
                children(o, launcher, "timing", 1);
            }
        }
        long seconds = (System.nanoTime() - began) / 1_000_000_000L;
        System.out.printf(Locale.ROOT, "finished in %d min %02d s%n", seconds / 60, seconds % 60);
    }

    /**
     * The systems in turns, each run a fresh JVM that warms itself and then times its flood;
     * then each one's idle latency; then one table and the bars line. kafru with the engine's
     * deferred sync runs on a second launcher started with {@value #SYNC_DATA}=never; the
     * PostgreSQL rows on a throw-away cluster ({@link PostgresCluster}), skipped with the reason
     * when Debian's server is not installed.
     */
    static void plain(Options o, SurrealLauncher launcher) throws Exception {
        o.tasks = o.tasksOr(100_000);
        System.out.printf(Locale.ROOT, "warm-up, the same for every system in its own JVM: untimed rounds of %,d tasks until at least %,d ran "
                + "and a round is no more than %.0f%% faster than the one before (at most %,d), then %,d timed (JobRunr %,d); cold = the first round%n",
                o.round, o.warmup, 100 * Measure.SETTLED, Measure.WARMUP_CAP_FACTOR * o.warmup, o.tasks, o.jobrunrTasks());
        List<String> systems = new ArrayList<>(o.systems);
        Map<String, Integer> dbPorts = new LinkedHashMap<>();
        systems.forEach(s -> dbPorts.put(s, launcher.port()));
        try (SurrealLauncher deferred = systems.contains("kafru-sync-never") ? SurrealLauncher.start(Map.of(SYNC_DATA, "never")) : null;
             PostgresCluster postgres = systems.stream().anyMatch(s -> s.endsWith("-pg")) ? startPostgres() : null) {
            if (deferred != null) {
                dbPorts.put("kafru-sync-never", deferred.port());
                System.out.println("SurrealDB with deferred sync (" + SYNC_DATA + "=never): " + deferred.listening());
            }
            if (postgres == null) {
                systems.removeIf(s -> s.endsWith("-pg"));
            } else {
                o.pgPort = postgres.port();
                o.postgresVersion = postgres.version();
                System.out.println("PostgreSQL " + postgres.version() + " on 127.0.0.1:" + postgres.port() + ", default settings (fsync on)");
            }
            Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
            for (int run = 1; run <= o.runs; run++) {
                for (String system : systems) {
                    long t0 = System.nanoTime();
                    Map<String, Double> r = child(o, system, dbPorts.get(system));
                    results.computeIfAbsent(system, k -> new ArrayList<>()).add(r);
                    String cpu = r.getOrDefault("engineUs", 0.0) > 0 ? String.format(Locale.ROOT, "; CPU per task: engine %.1f µs, JVM %.1f µs",
                            r.get("engineUs"), r.get("jvmUs")) : "";
                    System.out.printf(Locale.ROOT, "  run %d %-16s %,7.0f tasks/s  (%,.0f timed, push %.2f s; warm-up rounds %s tasks/s%s%s; %.0f s in all)%n",
                            run, system, r.get("rate"), r.get("tasks"), r.get("push"), rounds(r), r.get("settled") > 0 ? "" : ", not settled",
                            cpu, (System.nanoTime() - t0) / 1e9);
                }
            }
            Map<String, Map<String, Double>> latency = new LinkedHashMap<>();
            for (String system : systems) {
                if (!system.endsWith("-single")) {
                    latency.put(system, child(o, system + "-latency", dbPorts.get(system)));
                }
            }
            table(o, systems, results, latency);
        }
    }

    /** Cores, CPU model, memory, kernel and Java: what the table's figures were measured on. */
    static String machine() {
        String cpu = "";
        long memKb = 0;
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name") && cpu.isEmpty()) {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                }
            }
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    memKb = Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException e) {
            cpu = "(no /proc: " + e.getMessage() + ")";
        }
        return String.format(Locale.ROOT, "%d cores (%s), %.0f GiB, %s %s, Java %s", Runtime.getRuntime().availableProcessors(), cpu,
                memKb / 1024.0 / 1024.0, System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.version"));
    }

    /** A child's warm-up rounds: "4,643 / 4,900 / 5,100". */
    private static String rounds(Map<String, Double> r) {
        List<String> rates = new ArrayList<>();
        for (int i = 1; r.containsKey("round" + i); i++) {
            rates.add(String.format(Locale.ROOT, "%,.0f", r.get("round" + i)));
        }
        return String.join(" / ", rates);
    }

    /** Debian's PostgreSQL for the -pg rows, or null with the reason printed. */
    private static PostgresCluster startPostgres() {
        java.util.Optional<java.nio.file.Path> bin = PostgresCluster.binaries();
        if (bin.isEmpty()) {
            System.out.println("PostgreSQL rows skipped: no /usr/lib/postgresql/*/bin/initdb (Debian's postgresql package; "
                    + "bench.sh installs it when run as root)");
            return null;
        }
        try {
            return PostgresCluster.start(bin.get());
        } catch (Exception e) {
            System.out.println("PostgreSQL rows skipped: the cluster did not start: " + e.getMessage());
            return null;
        }
    }

    private static void table(Options o, List<String> systems, Map<String, List<Map<String, Double>>> results,
                              Map<String, Map<String, Double>> latency) {
        System.out.println();
        System.out.printf(Locale.ROOT, "| system | warm tasks/s, median [min–max] of %d | cold (fresh JVM): first %,d tasks, tasks/s | idle push→start p50 / p99 |%n",
                o.runs, o.round);
        System.out.println("|---|---|---|---|");
        for (String system : systems) {
            Map<String, Double> l = latency.getOrDefault(system, Map.of());
            String lat = l.isEmpty() || l.get("p50").isNaN() ? "" : String.format(Locale.ROOT, "%.1f / %.1f ms", l.get("p50"), l.get("p99"));
            if (l.containsKey("remoteP50")) {
                lat += String.format(Locale.ROOT, "; from another server %.1f / %.1f ms", l.get("remoteP50"), l.get("remoteP99"));
            }
            double timed = results.get(system).get(0).get("tasks");
            long unsettled = values(results, system, "settled").stream().filter(settled -> settled == 0).count();
            String label = label(o, system) + (timed == o.tasks ? "" : String.format(Locale.ROOT, " — %,.0f timed, not %,d", timed, o.tasks))
                    + (unsettled == 0 ? "" : String.format(Locale.ROOT, " — warm-up still rising at its cap in %d of %d runs", unsettled, o.runs));
            System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", label, spread(values(results, system, "rate")),
                    spread(values(results, system, "cold")), lat);
        }
        System.out.println();
        System.out.println(ratio(results, "db-scheduler(pg)", "db-scheduler-pg") + ", " + ratio(results, "db-scheduler(h2)", "db-scheduler-h2"));
        System.out.println("also: " + ratio(results, "JobRunr(mem)", "jobrunr-mem") + ", " + ratio(results, "JobRunr(pg)", "jobrunr-pg")
                + "; with the deferred sync (extra row, not the bars): kafru(sync never)/db-scheduler(pg) = "
                + ratioOf(results, "kafru-sync-never", "db-scheduler-pg") + ", kafru(sync never)/db-scheduler(h2) = "
                + ratioOf(results, "kafru-sync-never", "db-scheduler-h2"));
    }

    /** One figure of every run of a system. */
    private static List<Double> values(Map<String, List<Map<String, Double>>> results, String system, String key) {
        return results.get(system).stream().map(r -> r.get(key)).toList();
    }

    /** "kafru/NAME = N.Nx" from the warm medians, or "not run". */
    private static String ratio(Map<String, List<Map<String, Double>>> results, String name, String peer) {
        return "kafru/" + name + " = " + ratioOf(results, "kafru", peer);
    }

    private static String ratioOf(Map<String, List<Map<String, Double>>> results, String system, String peer) {
        if (!results.containsKey(system) || !results.containsKey(peer)) {
            return "not run";
        }
        return String.format(Locale.ROOT, "%.1fx", median(values(results, system, "rate")) / median(values(results, peer, "rate")));
    }

    /** How a system's push is called in the container mode's lines: the plain workers push through their store. */
    private static String pushCall(String system) {
        return system.startsWith("kafru-container") ? "pushAll" : "push";
    }

    /**
     * kafru in Payara Micro, 1 and 2 servers, in turns with the plain kafru (so that the
     * container/plain ratios come from one stretch of this machine, whose speed moves ±20% in
     * minutes), then the idle latency in the container. {@code --systems} picks among kafru,
     * kafru-2, kafru-2jvm, kafru-container, kafru-container-2 and kafru-container-latency; one
     * server is compared with kafru, two with kafru-2 (two plain workers sharing the queue, in one
     * JVM) and with kafru-2jvm (the same, each worker in a JVM of its own: what two JVMs cost
     * apart from the container).
     */
    static void container(Options o, SurrealLauncher launcher) throws Exception {
        List<String> all = List.of("kafru", "kafru-2", "kafru-2jvm", "kafru-container", "kafru-container-2", "kafru-container-latency");
        List<String> chosen = o.systemsGiven ? o.systems.stream().filter(all::contains).toList() : all;
        List<String> throughput = chosen.stream().filter(s -> !s.endsWith("-latency")).toList();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> pushes = new LinkedHashMap<>();
        for (int run = 1; run <= o.runs; run++) {
            for (String system : throughput) {
                // each measurement on an engine of its own, started empty: on one shared engine the later
                // systems ran on a store the earlier ones had filled, at 10-15% more engine time per task
                // (measured: the same two systems, in the other order, swapped which one paid it)
                Map<String, Double> r;
                try (SurrealLauncher fresh = SurrealLauncher.start()) {
                    r = child(o, system, fresh.port());
                }
                rates.computeIfAbsent(system, k -> new ArrayList<>()).add(r.get("rate"));
                pushes.computeIfAbsent(system, k -> new ArrayList<>()).add(r.get("push"));
                System.out.printf(Locale.ROOT, "  run %d %-20s %8.0f tasks/s  (%s %.2f s; CPU per task: engine %.1f µs, %s %.1f µs;"
                                + " warmed with %,.0f: %s%s)%n", run, system, r.get("rate"), pushCall(system), r.get("push"),
                        r.getOrDefault("engineUs", 0.0), system.startsWith("kafru-container") ? "Payara" : system.equals("kafru-2jvm") ? "JVMs" : "JVM", r.getOrDefault("jvmUs", 0.0),
                        r.getOrDefault("warmup", 0.0), rounds(r), r.getOrDefault("settled", 0.0) > 0 ? "" : ", not settled");
            }
        }
        for (String system : throughput) {
            System.out.printf(Locale.ROOT, "| %s | %s tasks/s | %s of %d: %s s |%n", system.equals("kafru") ? "kafru, plain (same runs)" : label(o, system),
                    spread(rates.get(system)), pushCall(system), o.tasks, spread(pushes.get(system), "%.2f"));
        }
        // one server against one plain worker, two servers against two plain workers sharing the queue (in one JVM, and
        // each in a JVM of its own when kafru-2jvm ran too)
        for (String system : throughput) {
            List<String> bases = !system.startsWith("kafru-container") ? List.of()
                    : system.equals("kafru-container-2") ? List.of("kafru-2", "kafru-2jvm") : List.of("kafru");
            for (String base : bases) {
                if (!rates.containsKey(base)) {
                    continue;
                }
                List<Double> plain = rates.get(base);
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < plain.size(); i++) {
                    ratios.add(100 * rates.get(system).get(i) / plain.get(i));
                }
                System.out.printf(Locale.ROOT, "%s / %s: %.0f%% of the medians; run by run %s%%%n", label(o, system), label(o, base),
                        100 * median(rates.get(system)) / median(plain), spread(ratios));
            }
        }
        if (!chosen.contains("kafru-container-latency")) {
            return;
        }
        Map<String, Double> l = child(o, "kafru-container-latency", launcher.port());
        System.out.printf(Locale.ROOT, "| kafru on Payara Micro, idle push→start | p50 %.1f ms, p99 %.1f ms; from another server p50 %.1f ms, p99 %.1f ms |%n",
                l.get("p50"), l.get("p99"), l.get("remoteP50"), l.get("remoteP99"));
    }

    /**
     * The soak in a JVM of its own (the kafru JVM whose memory it reports), told the engine's
     * process (the launcher's node, a child of this JVM) and data directory to measure them.
     */
    static void soak(Options o, SurrealLauncher launcher) throws Exception {
        long engine = ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains("server.mjs")).mapToLong(ProcessHandle::pid).findFirst().orElse(0);
        o.passThrough.add("--engine-pid=" + engine);
        o.passThrough.add("--data-dir=" + launcher.dataDir().toAbsolutePath());
        Map<String, Double> r = child(o, "soak", launcher.port());
        System.out.printf(Locale.ROOT, "soak: %.0f minutes; engine RSS %.0f → %.0f MB, kafru JVM RSS at the end %.0f MB, data directory %.1f MB, "
                + "last minute %,.0f tasks completed, push→start p99 %.1f ms%n", r.get("minutes"), r.get("engineRssFirst"), r.get("engineRssLast"),
                r.get("jvmRssLast"), r.get("diskLast"), r.get("completedLastMinute"), r.get("p99Last"));
    }

    static void children(Options o, SurrealLauncher launcher, String child, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            child(o, child, launcher.port());
        }
    }

    /**
     * The heap of every JVM a measurement runs in: each child JVM, and each Payara Micro server of
     * the container mode. The same for all, and fixed: with the JVM's default (a quarter of the
     * machine's memory, 6 GiB here) a Payara server's G1 kept growing its heap through a flood, and
     * the kernel's faults on its fresh pages were 40% of the server's processor samples (1,473 of
     * 3,647; the plain JVM's 2%), which the engine's time per task paid for too.
     */
    static final String HEAP = "-Xmx2g";

    /** The command of a child JVM for {@code system}, on the launcher at {@code dbPort}, with this run's options. */
    static List<String> childCommand(Options o, String system, int dbPort) {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), HEAP, "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dkafru.launcher.dir=" + SurrealLauncher.launcherDir(),
                "-Dpayara.microJar=" + System.getProperty("payara.microJar", "target/payara-micro.jar"),
                "-Dkafru.bench.war=" + System.getProperty("kafru.bench.war", ""),
                "-cp", System.getProperty("java.class.path"), Bench.class.getName(),
                "--child", system, "--tasks", String.valueOf(o.tasks), "--threads", String.valueOf(o.threads),
                "--warmup", String.valueOf(o.warmup), "--round", String.valueOf(o.round), "--jobrunr-tasks", String.valueOf(o.jobrunrTasks),
                "--db-port", String.valueOf(dbPort), "--pg-port", String.valueOf(o.pgPort), "--samples", String.valueOf(o.samples),
                "--minutes", String.valueOf(o.minutes), "--rate", String.valueOf(o.rate)));
        command.addAll(o.passThrough);
        return command;
    }

    /** Runs one measurement in its own JVM, on the launcher at {@code dbPort}, and returns its RESULT line. */
    static Map<String, Double> child(Options o, String system, int dbPort) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(childCommand(o, system, dbPort)).redirectErrorStream(true).start();
        Map<String, Double> result = null;
        List<String> out = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                out.add(line);
                if (line.startsWith(RESULT)) {
                    result = new LinkedHashMap<>();
                    for (String kv : line.substring(RESULT.length()).split(" ")) {
                        int eq = kv.indexOf('=');
                        result.put(kv.substring(0, eq), Double.parseDouble(kv.substring(eq + 1)));
                    }
                } else if (line.startsWith("|") || line.startsWith("  ")) {
                    System.out.println(line); // tables the child prints itself (scale mode)
                }
            }
        }
        int code = p.waitFor();
        if (result == null || code != 0) {
            throw new IllegalStateException(system + " failed (exit " + code + "):\n" + String.join("\n", out.subList(Math.max(0, out.size() - 40), out.size())));
        }
        return result;
    }

    private static String javaExecutable() {
        return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static String label(Options o, String system) {
        String postgres = "PostgreSQL " + o.postgresVersion + " (fsync on) + HikariCP";
        return switch (system) {
            case "kafru" -> "**kafru " + version() + ", default settings** (RocksDB log synced at each commit)";
            case "kafru-sync-never" -> "extra row: kafru " + version() + ", engine's deferred sync (" + SYNC_DATA + "=never), not in the bars";
            case "kafru-2" -> "kafru, two workers on separate connections (as two servers)";
            case "kafru-2jvm" -> "kafru, two workers each in a JVM of its own, driven over HTTP as the servers are";
            case "db-scheduler-h2" -> "db-scheduler 16.12.0, H2 file (written in the background) + HikariCP, scheduleBatch, poll 100 ms";
            case "db-scheduler-pg" -> "db-scheduler 16.12.0, " + postgres + ", scheduleBatch, poll 100 ms";
            case "db-scheduler-h2-single" -> "db-scheduler 16.12.0, H2 file + HikariCP, schedule one by one, poll 100 ms";
            case "jobrunr-mem" -> "JobRunr 8.7.0, in-memory, enqueue(Stream), poll 200 ms (its minimum)";
            case "jobrunr-pg" -> "JobRunr 8.7.0, " + postgres + ", enqueue(Stream), poll 5 s (its minimum on SQL)";
            case "kafru-container" -> "kafru on Payara Micro, 1 server";
            case "kafru-container-2" -> "kafru on Payara Micro, 2 servers";
            default -> system;
        };
    }

    private static String version() {
        return "0.1.0";
    }

    static String spread(List<Double> values) {
        return spread(values, "%,.0f");
    }

    static String spread(List<Double> values, String format) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, format + " [" + format + "–" + format + "]", median(values), sorted.get(0), sorted.get(sorted.size() - 1));
    }

    static double median(List<Double> values) {
        return percentile(values, 50);
    }

    static double percentile(List<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    static String usage() {
        return """
                src/scripts/bench.sh [--mode plain|container|scale|timing|soak|all] [--runs R] [--tasks N] [--warmup W] [--round K]
                                     [--jobrunr-tasks J] [--threads T] [--samples S] [--systems a,b,...] [--minutes M] [--rate R]
                  plain      (default) kafru (its store and workers, no container) against db-scheduler and JobRunr:
                             every system in a JVM of its own, in turns, warmed by the same rule — untimed rounds of K
                             tasks until at least W ran and the rate stopped rising (a round at most 10% faster than the
                             one before; at most 4 × W) — then N timed (JobRunr min(J, N): it runs ~1,000/s); the first
                             round is the cold column.
                             Systems: kafru, kafru-sync-never (the engine's deferred sync, an extra row on a second
                             launcher), db-scheduler-h2, db-scheduler-pg, jobrunr-mem, jobrunr-pg (PostgreSQL: a
                             throw-away cluster of Debian's server on 127.0.0.1, fsync on; its rows are skipped, with the
                             reason, when it is not installed); also db-scheduler-h2-single, kafru-2.
                             The default run takes about 13 minutes on 2 cores (under 15).
                  container  kafru inside Payara Micro (a user's WAR with the engine embedded), 1 and 2 servers,
                             in turns with the plain kafru, each measurement on an engine of its own, started
                             empty (on a shared one the later systems paid for the earlier ones' rows): prints
                             container / plain run by run
                             (--systems kafru,kafru-2,kafru-2jvm,kafru-container,kafru-container-2,kafru-container-latency;
                             2 servers are compared with kafru-2, two plain workers in one JVM, and with kafru-2jvm,
                             each in a JVM of its own);
                             the servers warm by the plain rule above (Payara's JIT settles slowly: --warmup 1500000
                             --round 300000 for the ratios in docs/benchmark.md); JAVA_TOOL_OPTIONS=-Dkafru.bench.config=
                             'k=v;k=v' adds server settings, --push-pause-us=N pauses the plain side's push per statement
                  scale      claim throughput and each periodic query at 1k / 100k / 1M rows (--rows=N: fewer)
                  timing     how late delayed tasks, retries, schedules and a TaskTerminate happen
                  soak       plain kafru (store, worker, reaper, folding, retention, agents) fed --rate R tasks/s (500) for
                             --minutes M (60), retention --retention=2m, --singles=50 (% pushed one by one, the rest
                             in one statement per 100 ms): a line and a CSV row a minute (throughput, push→start,
                             engine/JVM memory, disk, rows; --csv=PATH, default target/soak-*.csv); src/scripts/soak-plot.py plots it
                  all        plain, container and timing
                defaults: --mode plain --runs 3 --tasks 100000 (container: 200000, scale: 20000) --warmup 20000 --round 10000
                          --jobrunr-tasks 10000 --threads 8 --samples 200""";
    }

    /** The command line. */
    static final class Options {
        static final List<String> PLAIN_SYSTEMS = List.of("kafru", "kafru-sync-never", "db-scheduler-h2", "db-scheduler-pg",
                "jobrunr-mem", "jobrunr-pg", "db-scheduler-h2-single", "kafru-2");

        int tasks;
        int tasksGiven;
        int warmup = 20_000;
        int round = 10_000;
        int jobrunrTasks = 10_000;
        int threads = 8;
        int runs = 3;
        int samples = 200;
        int minutes = 60;
        int rate = 500;
        int dbPort;
        int pgPort;
        String postgresVersion = "";
        String mode = "plain";
        String child;
        List<String> systems = PLAIN_SYSTEMS.subList(0, 6);
        boolean systemsGiven;
        final List<String> passThrough = new ArrayList<>();
        final Map<String, String> extra = new LinkedHashMap<>();

        /** {@code --tasks} when given, else the mode's default. */
        int tasksOr(int modeDefault) {
            return tasksGiven > 0 ? tasksGiven : modeDefault;
        }

        /** JobRunr's timed tasks: it runs ~1,000/s, so fewer than the others unless {@code --jobrunr-tasks} says otherwise. */
        int jobrunrTasks() {
            return Math.min(jobrunrTasks, tasks);
        }

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--tasks" -> { o.tasks = o.tasksGiven = positive(a, v); i++; }
                    case "--warmup" -> { o.warmup = positive(a, v); i++; }
                    case "--round" -> { o.round = positive(a, v); i++; }
                    case "--jobrunr-tasks" -> { o.jobrunrTasks = positive(a, v); i++; }
                    case "--threads" -> { o.threads = positive(a, v); i++; }
                    case "--runs" -> { o.runs = positive(a, v); i++; }
                    case "--samples" -> { o.samples = positive(a, v); i++; }
                    case "--minutes" -> { o.minutes = positive(a, v); i++; }
                    case "--rate" -> { o.rate = positive(a, v); i++; }
                    case "--mode" -> { o.mode = v; i++; }
                    case "--systems" -> { o.systems = List.of(v.split(",")); o.systemsGiven = true; i++; }
                    case "--child" -> { o.child = v; i++; }
                    case "--db-port" -> { o.dbPort = Integer.parseInt(v); i++; }
                    case "--pg-port" -> { o.pgPort = Integer.parseInt(v); i++; }
                    case "-h", "--help" -> {
                        System.out.println(usage());
                        System.exit(0);
                    }
                    default -> {
                        if (a.startsWith("--") && a.contains("=")) {
                            o.extra.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
                            o.passThrough.add(a);
                        } else {
                            throw new IllegalArgumentException("unknown argument " + a + "\n" + usage());
                        }
                    }
                }
            }
            if (!List.of("plain", "container", "scale", "timing", "soak", "all").contains(o.mode)) {
                throw new IllegalArgumentException("unknown mode " + o.mode + "\n" + usage());
            }
            if (o.child == null && o.mode.equals("plain")) {
                for (String system : o.systems) {
                    if (!PLAIN_SYSTEMS.contains(system)) {
                        throw new IllegalArgumentException("--systems: unknown system '" + system + "' (plain mode has: "
                                + String.join(", ", PLAIN_SYSTEMS) + ")");
                    }
                }
            }
            return o;
        }

        private static int positive(String flag, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException(flag + " needs a positive whole number, not '" + value + "'");
        }
    }
}
