package dev.kafru.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's configuration table and {@link Settings} list the same keys, each with the
 * environment variable MicroProfile Config maps it to: a key added to the code without a row (or a
 * row for a key nobody reads) fails here.
 */
class ReadmeConfigurationTableTest {

    private static final Pattern TICKED = Pattern.compile("`([^`]+)`");

    /** One row: its keys (a shorthand "`kafru.worker.retry-base` / `retry-max`" expanded) and the env names it gives. */
    record Row(List<String> keys, List<String> envNames, String line) {
    }

    static List<Row> rows() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("\n## Configuration\n");
        assertTrue(start >= 0, "README.md has a '## Configuration' section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        List<Row> rows = new ArrayList<>();
        for (String line : section.lines().filter(l -> l.startsWith("| `kafru.")).toList()) {
            String[] cells = line.split("\\|");
            List<String> keys = new ArrayList<>();
            for (String token : ticked(cells[1])) {
                keys.add(token.startsWith("kafru.") ? token : keys.get(0).substring(0, keys.get(0).lastIndexOf('.') + 1) + token);
            }
            rows.add(new Row(keys, ticked(cells[2]), line));
        }
        return rows;
    }

    private static List<String> ticked(String cell) {
        List<String> found = new ArrayList<>();
        Matcher m = TICKED.matcher(cell);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }

    @Test
    void theReadmeTableHasARowForEveryKeyKafruReadsAndNoOther() throws IOException {
        Set<String> inReadme = rows().stream().flatMap(r -> r.keys().stream()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> registered = Settings.ALL.stream().map(Settings.Setting::key).collect(Collectors.toCollection(TreeSet::new));
        Set<String> missing = new TreeSet<>(registered);
        missing.removeAll(inReadme);
        Set<String> unknown = new TreeSet<>(inReadme);
        unknown.removeAll(registered);
        assertEquals(Set.of(), missing, "keys kafru reads that README.md's configuration table lacks");
        assertEquals(Set.of(), unknown, "README.md's configuration table names keys kafru does not read");
    }

    @Test
    void theEnvironmentVariablesTheTableGivesAreTheKeys() throws IOException {
        for (Row row : rows()) {
            if (row.envNames().isEmpty()) {
                continue;
            }
            assertEquals(row.keys().stream().map(Settings::envName).toList(), row.envNames(), row.line());
        }
    }
}
