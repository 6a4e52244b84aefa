package dev.kafru;

import java.util.List;

/**
 * The crate's agent filters; every field is optional (null: no filter), all given ones must match.
 * Built with {@link #builder()}, naming only the fields that filter:
 *
 * <pre>{@code
 * agents.list(AgentFilter.builder().kind(AgentKind.Task).server("node-1").build());
 * agents.list(AgentFilter.all());   // every agent
 * }</pre>
 */
public record AgentFilter(String id, List<String> ids, String parentId, String queueId, String name, List<String> names,
                          AgentKind kind, String server, AgentStatus status, List<AgentStatus> statuses, Command command,
                          Boolean commandIsExecuted) {

    /** No filter: every agent. */
    public static AgentFilter all() {
        return builder().build();
    }

    /** A filter with no field set yet. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Sets the fields of an {@link AgentFilter} one by one (a field set to null again does not
     * filter); {@link #build()} may be called more than once.
     */
    public static final class Builder {
        private String id;
        private List<String> ids;
        private String parentId;
        private String queueId;
        private String name;
        private List<String> names;
        private AgentKind kind;
        private String server;
        private AgentStatus status;
        private List<AgentStatus> statuses;
        private Command command;
        private Boolean commandIsExecuted;

        private Builder() {
        }

        /** The agent with this id. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        /** Agents with one of these ids. */
        public Builder ids(List<String> ids) {
            this.ids = ids;
            return this;
        }

        /** Agents under this parent agent (a task agent's queue agent). */
        public Builder parentId(String parentId) {
            this.parentId = parentId;
            return this;
        }

        /** The task agent of this task. */
        public Builder queueId(String queueId) {
            this.queueId = queueId;
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Agents with one of these names. */
        public Builder names(List<String> names) {
            this.names = names;
            return this;
        }

        public Builder kind(AgentKind kind) {
            this.kind = kind;
            return this;
        }

        public Builder server(String server) {
            this.server = server;
            return this;
        }

        public Builder status(AgentStatus status) {
            this.status = status;
            return this;
        }

        /** Agents with one of these statuses. */
        public Builder statuses(List<AgentStatus> statuses) {
            this.statuses = statuses;
            return this;
        }

        public Builder command(Command command) {
            this.command = command;
            return this;
        }

        public Builder commandIsExecuted(Boolean commandIsExecuted) {
            this.commandIsExecuted = commandIsExecuted;
            return this;
        }

        public AgentFilter build() {
            return new AgentFilter(id, ids, parentId, queueId, name, names, kind, server, status, statuses, command,
                    commandIsExecuted);
        }
    }
}
