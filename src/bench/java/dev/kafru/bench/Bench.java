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
 * busy moment of the machine falls on all of them alike. Each prints one {@code RESULT} line.
 */
public final class Bench {

    static final String RESULT = "RESULT ";

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        if (o.child != null) {
            Map<String, Double> result = switch (o.child) {
                case "kafru" -> KafruPlain.throughput(o);
                case "kafru-latency" -> KafruPlain.latency(o);
                case "kafru-2" -> KafruPlain.twoServers(o);
                case "kafru-2-latency" -> Map.of("p50", Double.NaN, "p99", Double.NaN);
                case "db-scheduler" -> DbSchedulerPeer.throughput(o, true);
                case "db-scheduler-single" -> DbSchedulerPeer.throughput(o, false);
                case "db-scheduler-latency" -> DbSchedulerPeer.latency(o);
                case "jobrunr" -> JobRunrPeer.throughput(o);
                case "jobrunr-latency" -> JobRunrPeer.latency(o);
                case "kafru-container" -> KafruContainer.throughput(o, 1);
                case "kafru-container-2" -> KafruContainer.throughput(o, 2);
                case "kafru-container-latency" -> KafruContainer.latency(o);
                case "scale" -> ScaleBench.run(o);
                case "timing" -> Timings.run(o);
                default -> throw new IllegalArgumentException("unknown child " + o.child);
            };
            StringBuilder line = new StringBuilder(RESULT);
            result.forEach((k, v) -> line.append(k).append('=').append(v).append(' '));
            System.out.println(line.toString().trim());
            System.exit(0);
        }
        System.out.printf(Locale.ROOT, "kafru benchmark: %d no-op tasks, %d threads, %d runs, mode %s; %d cores, %s, Java %s%n",
                o.tasks, o.threads, o.runs, o.mode, Runtime.getRuntime().availableProcessors(), java.time.LocalDate.now(),
                System.getProperty("java.version"));
        try (SurrealLauncher launcher = SurrealLauncher.start()) {
            System.out.println("SurrealDB launcher on port " + launcher.port() + (SurrealLauncher.preload().isEmpty() ? ""
                    : " (allocator " + SurrealLauncher.preload() + ")"));
            if (o.mode.equals("plain") || o.mode.equals("all")) {
                plain(o, launcher);
            }
            if (o.mode.equals("container") || o.mode.equals("all")) {
                container(o, launcher);
            }
            if (o.mode.equals("scale")) {
                children(o, launcher, "scale", 1);
            }
            if (o.mode.equals("timing") || o.mode.equals("all")) {
                children(o, launcher, "timing", 1);
            }
        }
    }

    static void plain(Options o, SurrealLauncher launcher) throws Exception {
        List<String> systems = o.systems;
        Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
        for (int run = 1; run <= o.runs; run++) {
            for (String system : systems) {
                Map<String, Double> r = child(o, launcher, system);
                results.computeIfAbsent(system, k -> new ArrayList<>()).add(r);
                System.out.printf(Locale.ROOT, "  run %d %-20s %8.0f tasks/s  (push %.2f s)%n", run, system, r.get("rate"), r.getOrDefault("push", 0.0));
            }
        }
        Map<String, Map<String, Double>> latency = new LinkedHashMap<>();
        for (String system : systems) {
            if (!system.endsWith("-single")) {
                latency.put(system, child(o, launcher, system + "-latency"));
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| system | tasks/s end to end, median [min–max] of %d | idle push→start p50 / p99 |%n", o.runs);
        System.out.println("|---|---|---|");
        for (String system : systems) {
            List<Double> rates = results.get(system).stream().map(r -> r.get("rate")).toList();
            Map<String, Double> l = latency.getOrDefault(system, Map.of());
            String lat = l.isEmpty() ? "(as above)" : String.format(Locale.ROOT, "%.1f / %.1f ms", l.get("p50"), l.get("p99"));
            if (l.containsKey("remoteP50")) {
                lat += String.format(Locale.ROOT, "; from another server %.1f / %.1f ms", l.get("remoteP50"), l.get("remoteP99"));
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %s |%n", label(system), spread(rates), lat);
        }
        if (results.containsKey("kafru")) {
            double kafru = median(results.get("kafru").stream().map(r -> r.get("rate")).toList());
            for (String system : systems) {
                if (!system.equals("kafru")) {
                    double peer = median(results.get(system).stream().map(r -> r.get("rate")).toList());
                    System.out.printf(Locale.ROOT, "kafru / %s: %.2fx%n", label(system), kafru / peer);
                }
            }
        }
    }

    /** How a system's push is called in the container mode's lines: the plain kafru pushes through its store. */
    private static String pushCall(String system) {
        return system.equals("kafru") ? "push" : "pushAll";
    }

    /**
     * kafru in Payara Micro, 1 and 2 servers, in turns with the plain kafru (so that the
     * container/plain ratios come from one stretch of this machine, whose speed moves ±20% in
     * minutes), then the idle latency in the container. {@code --systems} picks among kafru,
     * kafru-container, kafru-container-2 and kafru-container-latency.
     */
    static void container(Options o, SurrealLauncher launcher) throws Exception {
        List<String> all = List.of("kafru", "kafru-container", "kafru-container-2", "kafru-container-latency");
        List<String> chosen = o.systemsGiven ? o.systems.stream().filter(all::contains).toList() : all;
        List<String> throughput = chosen.stream().filter(s -> !s.endsWith("-latency")).toList();
        Map<String, List<Double>> rates = new LinkedHashMap<>();
        Map<String, List<Double>> pushes = new LinkedHashMap<>();
        for (int run = 1; run <= o.runs; run++) {
            for (String system : throughput) {
                Map<String, Double> r = child(o, launcher, system);
                rates.computeIfAbsent(system, k -> new ArrayList<>()).add(r.get("rate"));
                pushes.computeIfAbsent(system, k -> new ArrayList<>()).add(r.get("push"));
                System.out.printf(Locale.ROOT, "  run %d %-20s %8.0f tasks/s  (%s %.2f s)%n", run, system, r.get("rate"),
                        pushCall(system), r.get("push"));
            }
        }
        for (String system : throughput) {
            System.out.printf(Locale.ROOT, "| %s | %s tasks/s | %s of %d: %s s |%n", system.equals("kafru") ? "kafru, plain (same runs)" : label(system),
                    spread(rates.get(system)), pushCall(system), o.tasks, spread(pushes.get(system), "%.2f"));
        }
        if (rates.containsKey("kafru")) {
            List<Double> plain = rates.get("kafru");
            for (String system : throughput) {
                if (!system.equals("kafru")) {
                    List<Double> ratios = new ArrayList<>();
                    for (int i = 0; i < plain.size(); i++) {
                        ratios.add(100 * rates.get(system).get(i) / plain.get(i));
                    }
                    System.out.printf(Locale.ROOT, "%s / kafru plain: %.0f%% of the medians; run by run %s%%%n", label(system),
                            100 * median(rates.get(system)) / median(plain), spread(ratios));
                }
            }
        }
        if (!chosen.contains("kafru-container-latency")) {
            return;
        }
        Map<String, Double> l = child(o, launcher, "kafru-container-latency");
        System.out.printf(Locale.ROOT, "| kafru on Payara Micro, idle push→start | p50 %.1f ms, p99 %.1f ms; from another server p50 %.1f ms, p99 %.1f ms |%n",
                l.get("p50"), l.get("p99"), l.get("remoteP50"), l.get("remoteP99"));
    }

    static void children(Options o, SurrealLauncher launcher, String child, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            child(o, launcher, child);
        }
    }

    /** Runs one measurement in its own JVM and returns its RESULT line. */
    static Map<String, Double> child(Options o, SurrealLauncher launcher, String system) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx2g", "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-Dkafru.launcher.dir=" + SurrealLauncher.launcherDir(),
                "-Dpayara.microJar=" + System.getProperty("payara.microJar", "target/payara-micro.jar"),
                "-Dkafru.bench.war=" + System.getProperty("kafru.bench.war", ""),
                "-cp", System.getProperty("java.class.path"), Bench.class.getName(),
                "--child", system, "--tasks", String.valueOf(o.tasks), "--threads", String.valueOf(o.threads),
                "--db-port", String.valueOf(launcher.port()), "--samples", String.valueOf(o.samples)));
        command.addAll(o.passThrough);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
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

    static String label(String system) {
        return switch (system) {
            case "kafru" -> "kafru " + version() + ", default settings";
            case "kafru-2" -> "kafru, two workers on separate connections (as two servers)";
            case "db-scheduler" -> "db-scheduler 16.12.0, H2 file, poll 100 ms, scheduleBatch";
            case "db-scheduler-single" -> "db-scheduler 16.12.0, H2 file, poll 100 ms, schedule one by one";
            case "jobrunr" -> "JobRunr 8.7.0, in-memory, poll 200 ms, enqueue(Stream)";
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
                src/scripts/bench.sh [--tasks N] [--threads T] [--runs R] [--mode plain|container|scale|timing|all]
                                     [--systems kafru,db-scheduler,db-scheduler-single,jobrunr] [--samples S]
                                     (container: --systems kafru,kafru-container,kafru-container-2,kafru-container-latency)
                  plain      kafru (its store and workers, no container) against db-scheduler and JobRunr
                             (--churn=N: kafru first runs N tasks through, untimed, as a long-running server)
                  container  kafru inside Payara Micro (a user's WAR with the engine embedded), 1 and 2 servers,
                             in turns with the plain kafru: prints container / plain run by run
                  scale      claim throughput and each periodic query at 1k / 100k / 1M rows (--rows=N: fewer)
                  timing     how late delayed tasks, retries, schedules and a TaskTerminate happen
                  all        plain, container and timing
                defaults: --tasks 20000 --threads 8 --runs 3 --mode plain --samples 200""";
    }

    /** The command line. */
    static final class Options {
        int tasks = 20_000;
        int threads = 8;
        int runs = 3;
        int samples = 200;
        int dbPort;
        String mode = "plain";
        String child;
        List<String> systems = List.of("kafru", "db-scheduler", "db-scheduler-single", "jobrunr");
        boolean systemsGiven;
        final List<String> passThrough = new ArrayList<>();
        final Map<String, String> extra = new LinkedHashMap<>();

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--tasks" -> { o.tasks = Integer.parseInt(v); i++; }
                    case "--threads" -> { o.threads = Integer.parseInt(v); i++; }
                    case "--runs" -> { o.runs = Integer.parseInt(v); i++; }
                    case "--samples" -> { o.samples = Integer.parseInt(v); i++; }
                    case "--mode" -> { o.mode = v; i++; }
                    case "--systems" -> { o.systems = List.of(v.split(",")); o.systemsGiven = true; i++; }
                    case "--child" -> { o.child = v; i++; }
                    case "--db-port" -> { o.dbPort = Integer.parseInt(v); i++; }
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
            if (!List.of("plain", "container", "scale", "timing", "all").contains(o.mode)) {
                throw new IllegalArgumentException("unknown mode " + o.mode + "\n" + usage());
            }
            return o;
        }
    }
}
