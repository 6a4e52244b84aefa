package dev.kafru.surrealdb;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * dev.kafru.surrealdb is a SurrealDB client that could be used, and shipped, without kafru:
 * kafru depends on it, never the other way round. Reads the package's sources, so that an
 * import of, or an inline name from, another kafru package fails the build.
 */
class PackageIndependenceTest {

    /** Surefire runs in the project's directory and names it in {@code basedir}. */
    private static final Path SOURCES = Path.of(System.getProperty("basedir", ""), "src", "main", "java", "dev", "kafru", "surrealdb");

    /** A name in a dev.kafru package, imported or written inline; group 1 is what follows {@code dev.kafru.}. */
    private static final Pattern KAFRU_NAME = Pattern.compile("\\bdev\\.kafru\\.(\\w+)");

    @Test
    void noFileOfTheClientImportsOrNamesAnotherKafruPackage() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(SOURCES)) {
            files = listed.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(files.contains(SOURCES.resolve("RpcSurrealConnection.java")),
                "the package's sources are not where this test reads them: " + SOURCES.toAbsolutePath() + " holds " + files);

        List<String> outside = new ArrayList<>();
        for (Path file : files) {
            outside.addAll(namesOutsideThePackage(file.getFileName().toString(), Files.readAllLines(file)));
        }
        assertEquals(List.of(), outside, "dev.kafru.surrealdb must not depend on the rest of kafru");
    }

    @Test
    void theCheckFindsAnImportAStaticImportAndAnInlineName() {
        List<String> source = List.of(
                "package dev.kafru.surrealdb;",
                "import dev.kafru.surrealdb.SurrealConnection.LiveSubscription;",
                "import dev.kafru.store.TaskStore;",
                "import static dev.kafru.worker.Workers.start;",
                "    dev.kafru.KafruQueue queue;",
                "    String key = \"kafru.db.url\";");
        assertEquals(List.of(
                        "Sample.java:3: import dev.kafru.store.TaskStore;",
                        "Sample.java:4: import static dev.kafru.worker.Workers.start;",
                        "Sample.java:5: dev.kafru.KafruQueue queue;"),
                namesOutsideThePackage("Sample.java", source));
    }

    /** Each line that names something in a dev.kafru package other than dev.kafru.surrealdb, as {@code file:line: text}. */
    private static List<String> namesOutsideThePackage(String file, List<String> lines) {
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher name = KAFRU_NAME.matcher(lines.get(i));
            while (name.find()) {
                if (!name.group(1).equals("surrealdb")) {
                    found.add(file + ":" + (i + 1) + ": " + lines.get(i).trim());
                    break;
                }
            }
        }
        return found;
    }
}
