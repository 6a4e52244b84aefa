package dev.kafru.it;

import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URL;
import java.util.List;

/**
 * Pushes inside JTA transactions on Payara Micro: stored when the transaction commits, never when it
 * rolls back; and the author of a task pushed through the admin API. {@link WildFlyTransactionsIT}
 * runs the same checks on WildFly.
 */
@ExtendWith(ArquillianExtension.class)
class PushOnCommitIT {

    static final String ADMIN = "tx-admin";
    static final String ADMIN_PASSWORD = "tx-admin-pw";

    /**
     * kafru.war with the transaction tests' resource and @Transactional bean, and with the EJB when
     * {@code withEjb}; the admin is {@link #ADMIN}.
     */
    static WebArchive archive(String database, boolean withEjb) {
        WebArchive archive = Deployments.kafru(database, List.of("kafru.admin.username=" + ADMIN, "kafru.admin.password=" + ADMIN_PASSWORD),
                CountingTask.class, TransactionalPushing.class, TransactionalCdiPushes.class, TransactionApi.class,
                TransactionResource.class);
        return withEjb ? archive.addClass(TransactionalPushes.class) : archive;
    }

    @Deployment(testable = false)
    static WebArchive deployment() {
        return archive("push_on_commit_it", true);
    }

    @Test
    void theEjbAndTheTransactionalBeanBothPushHere() {
        org.junit.jupiter.api.Assertions.assertEquals(List.of("cdi", "ejb"), checks.vias());
    }

    @ArquillianResource
    URL root;

    PushOnCommitChecks checks;

    @BeforeEach
    void client() {
        checks = new PushOnCommitChecks(AdminClient.of(root, ADMIN, ADMIN_PASSWORD), ADMIN);
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
    void theOneTransactionsPushesAreWrittenTogether() {
        checks.theOneTransactionsPushesAreWrittenTogether();
    }

    @Test
    void aThousandTransactionsHalfRolledBackLeaveExactly500TasksEachRunOnce() {
        checks.aThousandTransactionsHalfRolledBackLeaveExactly500TasksEachRunOnce("Payara Micro");
    }

    @Test
    void theAdminsTasksCarryTheirNameAndAreFoundByIt() {
        checks.theAdminsTasksCarryTheirNameAndAreFoundByIt();
    }
}
