package dev.kafru.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Processor time of the processes a measurement runs on — the engine (the launcher's node
 * process, found by its port) and the JVM that runs kafru (this one, or the Payara servers) —
 * per task of a timed flood: where the CPU goes, from the operating system's counters.
 */
final class CpuTime {

    private final List<ProcessHandle> engine;
    private final List<ProcessHandle> jvms;
    private final long engineBefore;
    private final long jvmsBefore;

    private CpuTime(List<ProcessHandle> engine, List<ProcessHandle> jvms) {
        this.engine = engine;
        this.jvms = jvms;
        this.engineBefore = nanos(engine);
        this.jvmsBefore = nanos(jvms);
    }

    /** Starts counting for the launcher listening on {@code dbPort} and these JVMs. */
    static CpuTime start(int dbPort, List<ProcessHandle> jvms) {
        return new CpuTime(launcher(dbPort).stream().toList(), jvms);
    }

    /** {@code engineUs} and {@code jvmUs}: µs of processor time per task since the start (engine 0 when its process was not found). */
    void putPerTask(Map<String, Double> result, long tasks) {
        result.put("engineUs", (nanos(engine) - engineBefore) / 1e3 / tasks);
        result.put("jvmUs", (nanos(jvms) - jvmsBefore) / 1e3 / tasks);
    }

    private static long nanos(List<ProcessHandle> processes) {
        return processes.stream().mapToLong(p -> p.info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L)).sum();
    }

    /** The launcher's node process serving {@code 127.0.0.1:port}, read from the process table. */
    private static Optional<ProcessHandle> launcher(int port) {
        String bind = "127.0.0.1:" + port;
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("server.mjs") && c.contains(bind)).orElse(false)).findFirst();
    }
}
