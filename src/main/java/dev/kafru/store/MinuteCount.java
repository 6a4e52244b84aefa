package dev.kafru.store;

import java.time.Instant;

/**
 * How many attempts of one queue completed and failed in one minute (on one server when written,
 * summed over servers when read): the dashboard's throughput chart, kept as small counter rows
 * so that no periodic read touches the task table.
 *
 * @param minute  the minute's start (UTC, whole minute)
 * @param failed  attempts that failed, whether retried or ended Error
 */
public record MinuteCount(String queue, Instant minute, long completed, long failed) {
}
