package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/**
 * One queue across the cluster, as {@link KafruQueue#queues()} reports it.
 *
 * @param queue   the queue name
 * @param counts  how many of its tasks are in each status (every status present, 0 when none),
 *                each counted up to {@code countCap}
 * @param countCap counts stop here: a count equal to it means at least that many
 * @param threads the worker threads serving it, summed over the servers whose worker is alive
 * @param running the tasks running on those workers at their last metric snapshot
 * @param paused  whether claiming on it is paused cluster-wide
 * @param servers the servers with a live worker for it
 * @param unservedHandlers Waiting tasks whose handler no server serving the queue offers, by handler
 *                (set aside by a server without it, not taken back within seconds by one with it)
 */
@Schema(name = "Queue", description = "One queue across the cluster")
public record QueueInfo(String queue, Map<TaskStatus, Long> counts, long countCap, long threads, long running, boolean paused,
                        List<String> servers, Map<String, Long> unservedHandlers) {
}
