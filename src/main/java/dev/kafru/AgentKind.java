package dev.kafru;

/** What an agent is, as the crate's {@code kafru_agents} names it. */
public enum AgentKind {
    /** A queue's worker on one server. */
    Queue,
    /** A server's cron scheduler. */
    Scheduler,
    /** One task while it runs; its parent is its worker's agent. */
    Task
}
