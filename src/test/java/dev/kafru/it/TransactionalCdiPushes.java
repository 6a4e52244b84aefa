package dev.kafru.it;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

import java.util.List;
import java.util.function.Consumer;

/** A CDI bean with {@code @Transactional} methods that push. */
@ApplicationScoped
public class TransactionalCdiPushes {

    @Inject
    KafruQueue queue;

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
