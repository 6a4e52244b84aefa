package dev.kafru;

/**
 * What {@link KafruAgents#sendCommand} asks of an agent; the server that owns the agent carries
 * it out (within about a second) and sets {@code command_is_executed}.
 */
public enum Command {
    /** Stop claiming, let running tasks finish (up to the shutdown timeout), then stop the worker. */
    QueueGracefulShutdown(AgentKind.Queue),
    /** Stop the worker now; its running tasks are interrupted and go back to Waiting. */
    QueueForceShutdown(AgentKind.Queue),
    /** Stop firing schedules on that server after the pass under way. */
    SchedulerGracefulShutdown(AgentKind.Scheduler),
    /** Stop firing schedules on that server now (a pass under way still completes its compare-and-set). */
    SchedulerForceShutdown(AgentKind.Scheduler),
    /** Interrupt the running task; it ends Error with "task has been terminated". */
    TaskTerminate(AgentKind.Task),
    /** Interrupt the task if it runs, and remove it from the queue. */
    TaskRemove(AgentKind.Task),
    /** Interrupt the running task; it ends Cancelled (see {@link KafruQueue#cancel}). */
    TaskCancel(AgentKind.Task);

    private final AgentKind target;

    Command(AgentKind target) {
        this.target = target;
    }

    /** The kind of agent this command is for. */
    public AgentKind target() {
        return target;
    }
}
