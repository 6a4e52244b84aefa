package dev.kafru;

/** Where a task is in its life, with the crate's names. */
public enum TaskStatus {
    /** Waiting for its run_at and a free worker. */
    Waiting,
    /** Claimed by a worker, which holds a lease on it. */
    InProgress,
    /** Its handler returned normally. */
    Completed,
    /** Its last attempt failed, it was terminated, or its handler threw {@link TaskFailedPermanently}. */
    Error,
    /** Cancelled before or while it ran ({@link KafruQueue#cancel}); kept by retention like Error. */
    Cancelled;

    /** Reads a status as the API receives it, naming the valid ones when it is not one. */
    /** Whether a task in this status will not run again by itself. */
    public boolean finished() {
        return this == Completed || this == Error || this == Cancelled;
    }

    public static TaskStatus parse(String field, String text) {
        for (TaskStatus status : values()) {
            if (status.name().equalsIgnoreCase(text)) {
                return status;
            }
        }
        throw new IllegalArgumentException(field + " '" + text + "' is not a task status; use one of Waiting, InProgress, Completed, Error, Cancelled");
    }
}
