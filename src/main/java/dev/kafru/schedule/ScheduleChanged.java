package dev.kafru.schedule;

import dev.kafru.Schedule;

/**
 * A CDI event: a schedule was created or changed on this server, as it is now stored.
 * {@link dev.kafru.KafruSchedules} fires it and the {@link Scheduler} observes it to re-arm its
 * timer when the schedule is due sooner — so the API does not need the scheduler (which itself
 * uses the API at start-up), and the two beans do not inject each other.
 */
public record ScheduleChanged(Schedule schedule) {
}
