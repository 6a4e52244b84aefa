package dev.kafru.store;

import dev.kafru.Task;

import java.util.List;

/**
 * What one claim took, and whether more may be due: the claim took all it asked for, or stopped
 * before it looked at every priority (the dispatcher then claims again soon).
 */
public record Claimed(List<Task> tasks, boolean more) {
}
