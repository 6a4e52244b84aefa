package dev.kafru.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/**
 * A WildFly (unpacked from {@code org.wildfly:wildfly-dist} under target/) started as its own
 * process with {@code standalone-microprofile.xml}, on a fresh server base directory of its own and
 * a port offset, so the unpacked distribution stays as shipped and nothing clashes with another
 * server on this machine.
 */
final class WildFlyServer implements AutoCloseable {

    /** The line of standalone-microprofile.xml that {@link #kafruConfiguration} changes. */
    static final String APPLICATION_DOMAIN = "<application-security-domain name=\"other\" security-domain=\"ApplicationDomain\"/>";
    private static final List<Integer> PORTS = List.of(8080, 8443, 9990, 9993, 8009, 4712, 4713);

    private final Process process;
    private final Path base;
    private final int offset;
    private final String deployment;

    private WildFlyServer(Process process, Path base, int offset, String deployment) {
        this.process = process;
        this.base = base;
        this.offset = offset;
        this.deployment = deployment;
    }

    /** Starts WildFly from {@code home} with {@code war} in its deployments directory and these environment variables. */
    static WildFlyServer start(Path home, Path war, Map<String, String> environment) {
        if (!Files.isExecutable(home.resolve("bin/standalone.sh"))) {
            throw new IllegalStateException("no WildFly at " + home + ": run 'mvn pre-integration-test' (it unpacks org.wildfly:wildfly-dist into target/servers)");
        }
        try {
            Path base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "wildfly-base-");
            copyDirectory(home.resolve("standalone/configuration"), base.resolve("configuration"));
            Files.writeString(base.resolve("configuration/standalone-kafru.xml"),
                    kafruConfiguration(Files.readString(base.resolve("configuration/standalone-microprofile.xml"))));
            Files.createDirectories(base.resolve("deployments"));
            Files.copy(war, base.resolve("deployments").resolve(war.getFileName()));
            int offset = FreePorts.offset(PORTS);
            ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/standalone.sh").toString(),
                    "-c", "standalone-kafru.xml", "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                    "-Djboss.server.base.dir=" + base, "-Djboss.socket.binding.port-offset=" + offset,
                    "-Djava.io.tmpdir=" + base)
                    .redirectErrorStream(true).redirectOutput(base.resolve("console.log").toFile());
            builder.environment().putAll(environment);
            // standalone.sh then runs WildFly as its child and passes SIGTERM on to it
            builder.environment().put("LAUNCH_JBOSS_IN_BACKGROUND", "true");
            return new WildFlyServer(builder.start(), base, offset, war.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * standalone-microprofile.xml with {@code integrated-jaspi="false"} on the application security
     * domain: kafru's users are its own (MicroProfile Config), not Elytron's, and with integrated
     * JASPI Elytron checks every identity kafru's mechanism logs in against its ApplicationDomain
     * and refuses it (ELY01177: Authorization failed).
     */
    static String kafruConfiguration(String standaloneMicroprofile) {
        if (!standaloneMicroprofile.contains(APPLICATION_DOMAIN)) {
            throw new IllegalStateException("standalone-microprofile.xml has no " + APPLICATION_DOMAIN
                    + ": this WildFly's configuration changed; set integrated-jaspi=\"false\" on its application security domain another way");
        }
        return standaloneMicroprofile.replace(APPLICATION_DOMAIN,
                APPLICATION_DOMAIN.replace("/>", " integrated-jaspi=\"false\"/>"));
    }

    /** Waits until the deployment scanner marks the WAR deployed; fails with the log when it failed or WildFly exited. */
    void awaitDeployed(Duration timeout) {
        Path deployments = base.resolve("deployments");
        await().atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (Files.exists(deployments.resolve(deployment + ".failed")) || !process.isAlive()) {
                throw new AssertionError("WildFly did not deploy " + deployment + ":\n" + log());
            }
            return Files.exists(deployments.resolve(deployment + ".deployed"));
        });
    }

    /** The WAR's root: WildFly serves a WAR at its file name's context root. */
    URL application() {
        return url("http://localhost:" + (8080 + offset) + "/" + deployment.replaceAll("\\.war$", "") + "/");
    }

    /** The management interface, where WildFly serves /health and /metrics. */
    URI management(String path) {
        return URI.create("http://localhost:" + (9990 + offset) + path);
    }

    /** server.log, or the console when there is none yet. */
    String log() {
        Path server = base.resolve("log/server.log");
        try {
            return Files.readString(Files.exists(server) ? server : base.resolve("console.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static URL url(String text) {
        try {
            return new URL(text);
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                Files.copy(path, to.resolve(from.relativize(path).toString()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }
}
