package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.TaskRequest;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** An EJB that pushes inside its container-managed transaction, as a user's service bean does. */
@Stateless
public class TransactionalPushes {

    @Inject
    KafruQueue queue;

    @Resource
    SessionContext context;

    /** Pushes, then marks the transaction for rollback; answers the id the push gave. */
    public String pushThenRollBack(TaskRequest request) {
        String id = queue.push(request).id();
        context.setRollbackOnly();
        return id;
    }

    /** Pushes and commits; answers the id. */
    public String push(TaskRequest request) {
        return queue.push(request).id();
    }

    /** Pushes, tells {@code pushed}, and waits for {@code commit} before the method returns and the transaction commits. */
    public String pushAndHold(TaskRequest request, CountDownLatch pushed, CountDownLatch commit) throws InterruptedException {
        String id = queue.push(request).id();
        pushed.countDown();
        if (!commit.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never told to commit");
        }
        return id;
    }
}
