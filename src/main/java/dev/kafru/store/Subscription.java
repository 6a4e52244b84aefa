package dev.kafru.store;

/**
 * A repository's running subscription to changes made by any server (on SurrealDB a live
 * query); closing it stops the calls to its listener. Backend-neutral, so that callers of
 * {@link TaskRepository#onSignal}, {@link AgentRepository#onServerAgents} and
 * {@link ScheduleRepository#onChange} need no client type.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Stops the subscription; never throws, since it runs while servers shut down. */
    @Override
    void close();
}
