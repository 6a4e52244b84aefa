package dev.kafru;

import java.util.List;

/**
 * The crate's agent filters; every field is optional (null: no filter), all given ones must match.
 *
 * <pre>{@code
 * agents.list(AgentFilter.all().kind(AgentKind.Task).server("node-1"));
 * }</pre>
 */
public record AgentFilter(String id, List<String> ids, String parentId, String queueId, String name, List<String> names,
                          AgentKind kind, String server, AgentStatus status, List<AgentStatus> statuses, Command command,
                          Boolean commandIsExecuted) {

    public static AgentFilter all() {
        return new AgentFilter(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public AgentFilter id(String v) {
        return new AgentFilter(v, ids, parentId, queueId, name, names, kind, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter ids(List<String> v) {
        return new AgentFilter(id, v, parentId, queueId, name, names, kind, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter parentId(String v) {
        return new AgentFilter(id, ids, v, queueId, name, names, kind, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter queueId(String v) {
        return new AgentFilter(id, ids, parentId, v, name, names, kind, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter name(String v) {
        return new AgentFilter(id, ids, parentId, queueId, v, names, kind, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter names(List<String> v) {
        return new AgentFilter(id, ids, parentId, queueId, name, v, kind, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter kind(AgentKind v) {
        return new AgentFilter(id, ids, parentId, queueId, name, names, v, server, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter server(String v) {
        return new AgentFilter(id, ids, parentId, queueId, name, names, kind, v, status, statuses, command, commandIsExecuted);
    }

    public AgentFilter status(AgentStatus v) {
        return new AgentFilter(id, ids, parentId, queueId, name, names, kind, server, v, statuses, command, commandIsExecuted);
    }

    public AgentFilter statuses(List<AgentStatus> v) {
        return new AgentFilter(id, ids, parentId, queueId, name, names, kind, server, status, v, command, commandIsExecuted);
    }

    public AgentFilter command(Command v) {
        return new AgentFilter(id, ids, parentId, queueId, name, names, kind, server, status, statuses, v, commandIsExecuted);
    }

    public AgentFilter commandIsExecuted(Boolean v) {
        return new AgentFilter(id, ids, parentId, queueId, name, names, kind, server, status, statuses, command, v);
    }
}
