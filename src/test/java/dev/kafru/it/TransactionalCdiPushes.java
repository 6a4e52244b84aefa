package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A CDI bean with {@code @Transactional} methods that push. */
@ApplicationScoped
public class TransactionalCdiPushes implements TransactionalPushing {

    @Inject
    KafruQueue queue;

    @Resource
    TransactionSynchronizationRegistry transaction;

    @Override
    public String via() {
        return "cdi";
    }

    @Override
    @Transactional
    public String pushThenRollBack(TaskRequest request) {
        String id = queue.push(request).id();
        transaction.setRollbackOnly();
        return id;
    }

    @Override
    @Transactional
    public String pushAndHold(TaskRequest request, CountDownLatch pushed, CountDownLatch commit) throws InterruptedException {
        String id = queue.push(request).id();
        pushed.countDown();
        if (!commit.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("never told to commit");
        }
        return id;
    }

    /** Pushes all with pushAll, hands their ids to {@code ids}, then fails: a RuntimeException rolls the transaction back. */
    @Transactional
    public void pushAllThenFail(List<TaskRequest> requests, Consumer<List<String>> ids) {
        ids.accept(queue.pushAll(requests).stream().map(Task::id).toList());
        throw new IllegalStateException("rolled back on purpose");
    }

    /** Pushes each with push, in one transaction that commits. */
    @Transactional
    public List<String> pushEach(List<TaskRequest> requests) {
        return requests.stream().map(r -> queue.push(r).id()).toList();
    }
}
