package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * Tasks pushed together whose end is awaited as one ({@link KafruQueue#batch}): how many there are,
 * how many ended and how, and the task pushed when the last ended.
 *
 * @param id         the batch's key; its members' keys are {@code <id>_<n>}, its completion task's is {@code <id>}
 * @param total      members pushed
 * @param completed  members that completed
 * @param failed     members that ended Error
 * @param cancelled  members cancelled, or removed before they ended
 * @param onComplete the completion task's handler, or null when it has none
 * @param createdAt  when it was pushed
 * @param finishedAt when its last member ended (and its completion task was pushed), or null while members are open
 */
@Schema(name = "Batch", description = "Tasks pushed together whose end is awaited as one")
public record Batch(String id, long total, long completed, long failed, long cancelled, String onComplete,
                    Instant createdAt, Instant finishedAt) {

    /** Members pushed at most in one batch. */
    public static final int LIMIT = 10_000;

    /** Members that ended, however they ended. */
    public long done() {
        return completed + failed + cancelled;
    }

    /** True once every member ended. */
    public boolean finished() {
        return finishedAt != null;
    }

    /** The key of member {@code n} (from 0) of batch {@code id}. */
    public static String memberKey(String id, int n) {
        return id + "_" + n;
    }
}
