/**
 * The workers of one server: a {@link dev.kafru.worker.QueueDispatcher} per queue claims and
 * runs its tasks; {@link dev.kafru.worker.Workers} starts and stops them.
 *
 * <h2>Which clock tells the time</h2>
 * Two clocks are in play, and each time belongs to one of them:
 * <ul>
 *   <li><b>The database's clock</b> ({@code time::now()} in SurrealDB's statements) decides
 *       leases and the due times of claims: when a lease ends, whether a task is due, the
 *       {@code run_at} of a retry. Servers whose clocks differ then still agree on which tasks
 *       are due and whose lease expired, because only one clock says so.</li>
 *   <li><b>The application's clock</b> (a {@link java.time.Clock}, {@code Clock.systemUTC()}
 *       unless a test gives its own) schedules: when a dispatcher looks again, when it renews
 *       leases, when it asks the store for the next due time, and the cron schedules. Due times
 *       read from the database are only hints for these timers; where the two clocks disagree a
 *       little, a hint that passed without a claim is looked at again shortly
 *       ({@link dev.kafru.worker.DueTimes}).</li>
 * </ul>
 * So no class here calls {@code Instant.now()}: each takes the application's clock, and none
 * compares it with the database's to decide anything the database decides. Durations (how long
 * a task ran) are measured with {@link System#nanoTime()}, which no clock setting moves.
 */
package dev.kafru.worker;
