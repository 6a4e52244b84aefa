package dev.kafru.it;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deployments kafru refuses, each with a message that names the cause and the fix. */
class RefusedDeploymentIT {

    @Test
    void twoHandlersWithOneNameFailDeploymentNamingBothClasses() throws Exception {
        RefusedDeployments.Outcome outcome = RefusedDeployments.deploy(Deployments.kafru("duplicate_it", DuplicateNameTasks.class,
                DuplicateNameTasks.DailyReport.class, DuplicateNameTasks.WeeklyReport.class), "more than one task handler");
        String refusal = outcome.refusal();
        assertTrue(refusal.contains("@TaskName(\"report\")") && refusal.contains("DuplicateNameTasks$DailyReport")
                && refusal.contains("DuplicateNameTasks$WeeklyReport"), "no refusal naming both classes in:\n"
                + String.join("\n", outcome.lines()));
    }

    @Test
    void anApplicationWithItsOwnMechanismIsToldToLetItAuthenticateKafrusCallers() throws Exception {
        RefusedDeployments.Outcome outcome = RefusedDeployments.deploy(EmbeddedAdminIT.host("conflict_it", List.of(),
                HostMechanism.class), "kafru.admin.authentication=container");
        assertTrue(outcome.refusal().contains(HostMechanism.class.getName()), "no refusal naming the application's mechanism in:\n"
                + String.join("\n", outcome.lines()));
    }
}
