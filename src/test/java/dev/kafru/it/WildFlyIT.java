package dev.kafru.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same {@code target/kafru.war} on WildFly 39 ({@code standalone-microprofile.xml}, which has
 * MicroProfile Config and Health but no MicroProfile Metrics), configured by environment variables:
 * it deploys, runs tasks and schedules, keeps its admin API closed, and reports ready.
 */
class WildFlyIT {

    private static WildFlyServer wildfly;
    private static ServerSmoke smoke;

    @BeforeAll
    static void deployOnWildFly() {
        wildfly = WildFlyServer.start(Path.of(System.getProperty("kafru.wildfly.home")),
                Path.of(System.getProperty("kafru.war", "target/kafru.war")),
                ServerSmoke.environment(Deployments.launcher().port()));
        wildfly.awaitDeployed(Duration.ofSeconds(180));
        smoke = new ServerSmoke(wildfly.application(), wildfly.management("/health/ready"));
    }

    @AfterAll
    static void stopWildFly() throws InterruptedException {
        if (wildfly != null) {
            wildfly.close();
        }
    }

    @Test
    void tasksRunAndSchedulesFireOnWildFlysExecutors() {
        smoke.aPushedTaskRuns();
        smoke.aScheduleFires();
    }

    @Test
    void theAdminApiLetsInOnlyItsRolesThroughWildFlysSecurity() {
        smoke.adminApiIsClosedToAllButItsRoles();
        smoke.dashboardIsServed();
    }

    @Test
    void readinessIsReportedOnTheManagementInterface() {
        smoke.readinessReportsSurrealDbUp();
    }

    @Test
    void withoutMicroProfileMetricsKafruRecordsNoneThereAndStillDeploys() {
        AdminClient.Answer metrics = AdminClient.getAnonymously(wildfly.management("/metrics"));
        assertEquals(200, metrics.status(), "WildFly's own metrics subsystem serves Prometheus text: " + metrics);
        assertTrue(metrics.body().contains("wildfly_") || metrics.body().contains("base_"), metrics.toString());
        assertFalse(metrics.body().contains("kafru_"), "WildFly has no MicroProfile Metrics, so kafru records none there");
        assertFalse(wildfly.log().contains("WELD-001408"), "no unsatisfied MicroProfile Metrics injection");
        smoke.storedMetricsAreServed();
    }
}
