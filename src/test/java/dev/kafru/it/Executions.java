package dev.kafru.it;

import dev.kafru.Task;
import dev.kafru.TaskFilter;
import dev.kafru.TaskStatus;
import dev.kafru.store.surreal.SurrealTaskRepository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The executions {@link RecordingTask} wrote on every server (one file per server in a
 * directory): per task, each run's server, start and end, as the handler itself saw them.
 */
final class Executions {

    /** One run of a task: {@code end} is -1 when the run never ended (its server was killed during it). */
    record Run(String server, long start, long end) {
        boolean ended() {
            return end >= 0;
        }
    }

    private final Map<String, List<Run>> byTask;

    private Executions(Map<String, List<Run>> byTask) {
        this.byTask = byTask;
    }

    static Path directory() {
        try {
            return Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "executions-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads every server's file; a start and its end are paired per server and task, in order. */
    static Executions read(Path directory) {
        Map<String, List<Run>> byTask = new HashMap<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                String server = file.getFileName().toString();
                Map<String, Long> open = new HashMap<>();
                for (String line : Files.readAllLines(file)) {
                    String[] f = line.split(" ");
                    if (f.length != 3) {
                        continue; // a line cut by the kill: the start's line, at most, is lost — not an end
                    }
                    long at = Long.parseLong(f[2]);
                    if (f[0].equals("S")) {
                        Long before = open.put(f[1], at);
                        if (before != null) { // started again on the same server before the first run ended
                            byTask.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new Run(server, before, Long.MAX_VALUE));
                        }
                    } else {
                        Long start = open.remove(f[1]);
                        byTask.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new Run(server, start == null ? at : start, at));
                    }
                }
                open.forEach((task, start) -> byTask.computeIfAbsent(task, k -> new ArrayList<>()).add(new Run(server, start, -1)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byTask.values().forEach(runs -> runs.sort(Comparator.comparingLong(Run::start)));
        return new Executions(byTask);
    }

    List<Run> runs(String task) {
        return byTask.getOrDefault(task, List.of());
    }

    long count(String server) {
        return byTask.values().stream().flatMap(List::stream).filter(r -> r.server().equals(server)).count();
    }

    /** Tasks that ran more than once. */
    Set<String> repeated() {
        return byTask.entrySet().stream().filter(e -> e.getValue().size() > 1).map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /** Tasks with a run on {@code server}. */
    Set<String> ranOn(String server) {
        return byTask.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(r -> r.server().equals(server)))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
    }

    /** Runs that never ended, as "task on server". */
    List<String> unended() {
        List<String> open = new ArrayList<>();
        byTask.forEach((task, runs) -> runs.stream().filter(r -> !r.ended()).forEach(r -> open.add(task + " on " + r.server())));
        return open;
    }

    /** The largest overlap of two runs of one task: how long (µs), which task, its runs. */
    record Overlap(long micros, String task, List<Run> runs) {
    }

    /**
     * The largest overlap of two runs of one task, over all tasks: a run that never ended lasted
     * until {@code endOfUnended} (its server's death), so a run that started before that overlaps it.
     */
    Overlap largestOverlap(Instant endOfUnended) {
        long death = ChronoUnit.MICROS.between(Instant.EPOCH, endOfUnended);
        Overlap largest = new Overlap(0, null, List.of());
        for (Map.Entry<String, List<Run>> e : byTask.entrySet()) {
            long reach = 0; // the latest end of the runs so far (sorted by start), in µs since the epoch
            for (Run run : e.getValue()) {
                if (reach - run.start() > largest.micros()) {
                    largest = new Overlap(reach - run.start(), e.getKey(), e.getValue());
                }
                reach = Math.max(reach, run.ended() ? run.end() : death);
            }
        }
        return largest;
    }

    /**
     * What {@code owner} (server/queue) held in the store: the queue's InProgress tasks it owns,
     * rows and members of its slices alike. Read right after the owner was killed, before its
     * leases lapse, it is what the kill left in flight.
     */
    static Set<String> heldBy(SurrealTaskRepository tasks, String queue, String owner) {
        return tasks.list(new TaskFilter(TaskStatus.InProgress, queue, null, null, null), Integer.MAX_VALUE, 0).stream()
                .filter(t -> owner.equals(t.owner())).map(Task::id).collect(Collectors.toSet());
    }

    /** Every task of the queue, by id. */
    static Map<String, Task> all(SurrealTaskRepository tasks, String queue) {
        return tasks.list(new TaskFilter(null, queue, null, null, null), Integer.MAX_VALUE, 0).stream()
                .collect(Collectors.toMap(Task::id, t -> t));
    }
}
