package dev.kafru.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same {@code target/kafru.war} on Payara Server 6 (the full distribution most Payara shops
 * run), deployed with asadmin into a fresh domain configured by environment variables: it runs
 * tasks and schedules, keeps its admin API closed, reports ready and records MicroProfile Metrics.
 */
class PayaraServerIT {

    private static PayaraServerDomain payara;
    private static ServerSmoke smoke;

    @BeforeAll
    static void deployOnPayaraServer() {
        payara = PayaraServerDomain.start(Path.of(System.getProperty("kafru.payara.home")),
                ServerSmoke.environment(Deployments.launcher().port()));
        payara.deploy(Path.of(System.getProperty("kafru.war", "target/kafru.war")));
        smoke = new ServerSmoke(payara.application(), payara.http("/health/ready"));
    }

    @AfterAll
    static void stopPayaraServer() {
        if (payara != null) {
            payara.close();
        }
    }

    @Test
    void tasksRunAndSchedulesFireOnPayaraServersExecutors() {
        smoke.aPushedTaskRuns();
        smoke.aScheduleFires();
    }

    @Test
    void theAdminApiLetsInOnlyItsRoles() {
        smoke.adminApiIsClosedToAllButItsRoles();
        smoke.dashboardIsServed();
    }

    @Test
    void readinessIsReported() {
        smoke.readinessReportsSurrealDbUp();
    }

    @Test
    void kafrusMetricsAreInMicroProfileMetrics() {
        smoke.aPushedTaskRuns();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            AdminClient.Answer metrics = AdminClient.getAnonymously(payara.http("/metrics?scope=application"));
            assertEquals(200, metrics.status(), metrics.toString());
            assertTrue(metrics.body().contains("kafru_tasks_completed"), "kafru's counters in " + metrics);
        });
        smoke.storedMetricsAreServed();
    }
}
