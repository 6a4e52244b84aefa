package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * How far a task's handler said it got ({@link TaskContext#progress(long, long, String)}).
 *
 * @param done  units done, never more than {@code total}
 * @param total units in all (at least 1)
 * @param note  what it is doing, for people; may be null
 * @param at    when it was stored
 */
@Schema(name = "TaskProgress", description = "How far a task's handler said it got; the admin API adds percent (0 to 100)")
public record TaskProgress(long done, long total, String note, Instant at) {

    /** Characters a note may have. */
    public static final int NOTE_LIMIT = 200;

    /** Done as a share of total, 0 to 100. */
    public double percent() {
        return total <= 0 ? 0 : Math.min(100.0, 100.0 * done / total);
    }

    /** True when this report is behind {@code other} (a smaller share of its total): storing it would go backwards. */
    public boolean isBehind(TaskProgress other) {
        return other != null && (double) done / total < (double) other.done / other.total;
    }

    /** This report as it reads once its task completed: all done. */
    public TaskProgress complete() {
        return done == total ? this : new TaskProgress(total, total, note, at);
    }
}
