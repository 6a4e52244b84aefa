package dev.kafru.it;

import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deployments kafru refuses, each with a message that names the cause and the fix (the Payara
 * Micro Arquillian adapter does not report a failed deployment, so they are read from the
 * server's output). All four WARs are deployed by one Payara Micro boot — it deploys each of its
 * {@code --deploy}s in turn, refused or not, then says it is ready (a boot each took ~40 s more);
 * each test reads its own WAR's refusal from what that server printed.
 */
class RefusedDeploymentIT {

    /** The first line Payara Micro printed containing the test's marker (or "" when there is none), and all lines. */
    private record Outcome(String refusal, List<String> lines) {
    }

    private static List<String> printed;

    @BeforeAll
    static void deployAll() throws Exception {
        List<String> deploys = new ArrayList<>();
        for (WebArchive archive : List.of(duplicateNames(), badConfig(), ownMechanism(), badOptions())) {
            File war = new File(System.getProperty("java.io.tmpdir"), archive.getName());
            archive.as(ZipExporter.class).exportTo(war, true);
            deploys.addAll(List.of("--deploy", war.getAbsolutePath()));
        }
        // the first WAR is PayaraProcess's own --deploy, the others follow it
        List<String> more = deploys.subList(2, deploys.size());
        try (PayaraProcess payara = PayaraProcess.start(Path.of(deploys.get(1)), more.toArray(String[]::new))) {
            // every deployment's refusal (and its warnings) is printed before the server says it is ready
            payara.awaitReady();
            printed = payara.lines();
        }
    }

    private static Outcome refusal(String marker) {
        return new Outcome(printed.stream().filter(l -> l.contains(marker)).findFirst().orElse(""), printed);
    }

    private static WebArchive duplicateNames() {
        return Deployments.kafru("duplicate_it", DuplicateNameTasks.class, DuplicateNameTasks.DailyReport.class,
                DuplicateNameTasks.WeeklyReport.class);
    }

    private static WebArchive badConfig() {
        return Deployments.kafru("bad_config_it", List.of(
                "kafru.worker.enabled=ture",
                "kafru.worker.poll-interval=15",
                "kafru.retention.completed=3 days",
                "kafru.worker.batch-size=lots",
                "kafru.queues=default:5,mail:two",
                "kafru.scheduler.enbled=false"), BadCronTask.class);
    }

    private static WebArchive ownMechanism() {
        return EmbeddedAdminIT.host("conflict_it", List.of(), HostMechanism.class);
    }

    private static WebArchive badOptions() {
        return Deployments.kafru("bad_options_it", BadOptionsTasks.class, BadOptionsTasks.NoAttempts.class,
                BadOptionsTasks.SoonTimeout.class, BadOptionsTasks.SpacedQueue.class, BadOptionsTasks.HighPriority.class,
                BadOptionsTasks.RetryForNobody.class);
    }

    @Test
    void twoHandlersWithOneNameFailDeploymentNamingBothClasses() throws Exception {
        Outcome outcome = refusal("more than one task handler");
        String refusal = outcome.refusal();
        assertTrue(refusal.contains("@TaskName(\"report\")") && refusal.contains("DuplicateNameTasks$DailyReport")
                && refusal.contains("DuplicateNameTasks$WeeklyReport"), "no refusal naming both classes in:\n"
                + String.join("\n", outcome.lines()));
    }

    /**
     * One deployment with a bad value of every kind — a boolean, a duration, a retention, an
     * integer, a queue list, a @Recurring cron — and a misspelt key: it fails naming each bad key,
     * its value and an example (all at once, not the first alone), and warns of the misspelling
     * with the key meant. One Payara Micro boot for all of them.
     */
    @Test
    void badValuesOfEveryKindFailDeploymentNamingEachKeyValueAndAnExample() throws Exception {
        Outcome outcome = refusal("kafru's configuration has");
        String log = String.join("\n", outcome.lines());
        assertTrue(outcome.refusal().contains("kafru's configuration has 5 bad values"), "no refusal in:\n" + log);
        for (String expected : List.of(
                "kafru.worker.enabled is 'ture': not a boolean, write true or false; for example kafru.worker.enabled=false"
                        + " (environment: KAFRU_WORKER_ENABLED=false)",
                "kafru.worker.poll-interval is '15': '15' is not a duration; write it like 30s",
                "kafru.retention.completed is '3 days': not a retention",
                "kafru.worker.batch-size is 'lots': not a whole number, write one from 1 to 5000",
                "kafru.queues is 'default:5,mail:two': kafru.queues entry 'mail:two' has no thread count",
                "@Recurring(cron = \"0 61 * * * ?\", timeZone = \"UTC\", queue = \"default\") on " + BadCronTask.class.getName()
                        + " is not usable",
                "'kafru.scheduler.enbled' is not a kafru setting; did you mean kafru.scheduler.enabled?")) {
            assertTrue(log.contains(expected), "no '" + expected + "' in:\n" + log);
        }
        assertTrue(outcome.lines().stream().anyMatch(l -> l.contains("WARNING") && l.contains("kafru.scheduler.enbled")),
                "the misspelt key is a WARNING:\n" + log);
    }

    @Test
    void anApplicationWithItsOwnMechanismIsToldToLetItAuthenticateKafrusCallers() throws Exception {
        Outcome outcome = refusal("kafru.admin.authentication=container");
        assertTrue(outcome.refusal().contains(HostMechanism.class.getName()), "no refusal naming the application's mechanism in:\n"
                + String.join("\n", outcome.lines()));
    }

    /** Bad @TaskOptions values and a retry policy named for no handler: one boot, every problem named with its class. */
    @Test
    void badTaskOptionsAndARetryPolicyForNoHandlerFailDeploymentNamingTheClasses() throws Exception {
        Outcome outcome = refusal("@TaskOptions(");
        String log = String.join("\n", outcome.lines());
        assertTrue(!outcome.refusal().isEmpty(), "no refusal in:\n" + log);
        for (String expected : List.of(
                "@TaskOptions(maxAttempts) on " + BadOptionsTasks.NoAttempts.class.getName() + " is not usable: maxAttempts 0 is out of range",
                "@TaskOptions(timeout) on " + BadOptionsTasks.SoonTimeout.class.getName() + " is not usable: timeout 'soon' is not a duration",
                "@TaskOptions(queue) on " + BadOptionsTasks.SpacedQueue.class.getName() + " is not usable",
                "@TaskOptions(priority) on " + BadOptionsTasks.HighPriority.class.getName() + " is not usable",
                "the RetryPolicy " + BadOptionsTasks.RetryForNobody.class.getName() + " is named @TaskName(\"no-such-handler\"),"
                        + " but no task handler has that name")) {
            assertTrue(log.contains(expected), "no '" + expected + "' in:\n" + log);
        }
    }
}
