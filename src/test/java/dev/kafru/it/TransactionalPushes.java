package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.TaskRequest;
import jakarta.annotation.Resource;
import jakarta.ejb.SessionContext;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * An EJB that pushes inside its container-managed transaction, as a user's service bean does (not
 * on WildFly's standalone-microprofile.xml, which has no EJB subsystem).
 */
@Stateless
public class TransactionalPushes implements TransactionalPushing {

    @Inject
    KafruQueue queue;

    @Resource
    SessionContext context;

    @Override
    public String via() {
        return "ejb";
    }

    @Override
    public String pushThenRollBack(TaskRequest request) {
        String id = queue.push(request).id();
        context.setRollbackOnly();
        return id;
    }

    @Override
    public String pushAndHold(TaskRequest request, CountDownLatch pushed, CountDownLatch commit) throws InterruptedException {
        String id = queue.push(request).id();
        pushed.countDown();
        if (!commit.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never told to commit");
        }
        return id;
    }
}
