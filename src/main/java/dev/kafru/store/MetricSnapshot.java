package dev.kafru.store;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * One metric snapshot of a worker or scheduler; {@code kind} is Worker or Scheduler, as in the
 * crate. (The OpenAPI annotation is written out in full: its simple name is this package's
 * {@link Schema}.)
 */
@Schema(name = "MetricSnapshot",
        description = "Running tasks and threads of one worker or scheduler, at its last snapshot")
public record MetricSnapshot(String name, String kind, long numAliveTasks, long numWorkers, Instant timestamp) {
}
