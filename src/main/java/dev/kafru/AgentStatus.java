package dev.kafru;

/** An agent's state, as the crate names it. */
public enum AgentStatus {
    Initialized, Running, Terminated, Error, Completed
}
