package dev.kafru.it;

import dev.kafru.TaskRequest;

import java.util.concurrent.CountDownLatch;

/** A bean that pushes inside its transaction: an EJB ({@link TransactionalPushes}) or a @Transactional CDI bean. */
public interface TransactionalPushing {

    /** "ejb" or "cdi". */
    String via();

    /** Pushes, then marks the transaction for rollback; answers the id the push gave. */
    String pushThenRollBack(TaskRequest request);

    /** Pushes, tells {@code pushed}, and waits for {@code commit} before the method returns and the transaction commits. */
    String pushAndHold(TaskRequest request, CountDownLatch pushed, CountDownLatch commit) throws InterruptedException;
}
