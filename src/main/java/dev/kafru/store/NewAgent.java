package dev.kafru.store;

import dev.kafru.AgentKind;
import dev.kafru.AgentStatus;

/** A new agent row; {@code key} is chosen by the caller so that batches need no answer. */
public record NewAgent(String key, String name, AgentKind kind, String server, String parentKey, String queueKey,
                       AgentStatus status, boolean paused) {
}
