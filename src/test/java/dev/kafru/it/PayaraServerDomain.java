package dev.kafru.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A domain of Payara Server (the full distribution {@code fish.payara.distributions:payara},
 * unpacked under target/), created afresh in a directory of its own with a free port base and
 * driven with asadmin as an operator would: create-domain, start-domain, deploy, stop-domain.
 */
final class PayaraServerDomain implements AutoCloseable {

    private static final String DOMAIN = "kafru";
    /** Where create-domain --portbase puts each listener: base + these. */
    private static final List<Integer> PORTS = List.of(9, 37, 38, 39, 48, 49, 59, 66, 76, 80, 81, 86);

    private final Path asadmin;
    private final Path domains;
    private final int portBase;
    private final Map<String, String> environment;

    private PayaraServerDomain(Path asadmin, Path domains, int portBase, Map<String, String> environment) {
        this.asadmin = asadmin;
        this.domains = domains;
        this.portBase = portBase;
        this.environment = environment;
    }

    /** Creates and starts a domain; its server inherits {@code environment}, which is how kafru is configured here. */
    static PayaraServerDomain start(Path home, Map<String, String> environment) {
        Path asadmin = home.resolve("bin/asadmin");
        if (!Files.isExecutable(asadmin)) {
            throw new IllegalStateException("no Payara Server at " + home + ": run 'mvn pre-integration-test' (it unpacks fish.payara.distributions:payara into target/servers)");
        }
        try {
            Path domains = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "payara-domains-");
            PayaraServerDomain domain = new PayaraServerDomain(asadmin, domains, FreePorts.offset(PORTS), environment);
            domain.asadmin("create-domain", "--nopassword", "--portbase", String.valueOf(domain.portBase),
                    "--domaindir", domains.toString(), DOMAIN);
            domain.asadmin("start-domain", "--domaindir", domains.toString(), DOMAIN);
            return domain;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deploys {@code war} at context root / and returns once the deployment is done. */
    void deploy(Path war) {
        asadmin("--port", String.valueOf(portBase + 48), "deploy", "--contextroot", "/", "--name", DOMAIN, war.toString());
    }

    /** The HTTP listener's root, where the WAR and /health, /metrics are served. */
    URL application() {
        try {
            return http("/").toURL();
        } catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }

    URI http(String path) {
        return URI.create("http://localhost:" + (portBase + 80) + path);
    }

    String log() {
        try {
            return Files.readString(domains.resolve(DOMAIN + "/logs/server.log"));
        } catch (IOException e) {
            return "(no server.log: " + e + ")";
        }
    }

    @Override
    public void close() {
        asadmin("stop-domain", "--domaindir", domains.toString(), DOMAIN);
    }

    private void asadmin(String... arguments) {
        List<String> command = new ArrayList<>(List.of(asadmin.toString()));
        command.addAll(List.of(arguments));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("asadmin " + String.join(" ", arguments) + " failed:\n"
                        + new String(output, StandardCharsets.UTF_8) + "\nserver.log:\n" + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
