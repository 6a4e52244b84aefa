package dev.kafru.store;

import dev.kafru.Task;

import java.util.List;
import java.util.Map;

/**
 * What one claim took; the rank to continue from when it walked its most priorities unfilled;
 * and per rank the latest due it took (for {@link ClaimFloors}). A rank is the negated
 * priority, a due is in epoch nanoseconds ({@link TaskRepository#nanos}).
 */
public record Claimed(List<Task> tasks, Long more, Map<Long, Long> latestDue) {
}
