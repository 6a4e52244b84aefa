package dev.kafru.it;

import org.jboss.shrinkwrap.api.exporter.ZipExporter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * {@link PushOnCommitIT}'s checks on WildFly 39: pushes inside a {@code @Transactional} bean's and
 * a UserTransaction's transaction wait for its commit, with WildFly's transaction manager
 * (Narayana) and its Jakarta Security for the author. standalone-microprofile.xml has no EJB
 * subsystem, so the EJB variant runs on Payara only.
 */
class WildFlyTransactionsIT {

    private static WildFlyServer wildfly;
    private static PushOnCommitChecks checks;

    @BeforeAll
    static void deployOnWildFly() {
        File war = new File(System.getProperty("java.io.tmpdir"), "push_on_commit_wildfly.war");
        PushOnCommitIT.archive("push_on_commit_wildfly", false).as(ZipExporter.class).exportTo(war, true);
        wildfly = WildFlyServer.start(Path.of(System.getProperty("kafru.wildfly.home")), war.toPath(), Map.of());
        wildfly.awaitDeployed(Duration.ofSeconds(180));
        checks = new PushOnCommitChecks(AdminClient.of(wildfly.application(), PushOnCommitIT.ADMIN, PushOnCommitIT.ADMIN_PASSWORD),
                PushOnCommitIT.ADMIN);
    }

    @AfterAll
    static void stopWildFly() throws InterruptedException {
        if (wildfly != null) {
            wildfly.close();
        }
    }

    @Test
    void pushesOfARolledBackTransactionAreNeverStoredAndNeverRun() {
        checks.pushesOfARolledBackTransactionAreNeverStoredAndNeverRun();
    }

    @Test
    void anImmediatePushIsStoredEvenWhenItsTransactionRollsBack() {
        checks.anImmediatePushIsStoredEvenWhenItsTransactionRollsBack();
    }

    @Test
    void aPushIsNotListedBeforeItsTransactionCommitsAndIsAtOnceAfter() {
        checks.aPushIsNotListedBeforeItsTransactionCommitsAndIsAtOnceAfter();
    }

    @Test
    void aThousandTransactionsHalfRolledBackLeaveExactly500TasksEachRunOnce() {
        checks.aThousandTransactionsHalfRolledBackLeaveExactly500TasksEachRunOnce("WildFly");
    }

    @Test
    void theAdminsTasksCarryTheirNameAndAreFoundByIt() {
        checks.theAdminsTasksCarryTheirNameAndAreFoundByIt();
    }
}
