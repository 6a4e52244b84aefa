package dev.kafru;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@link TaskName} bean on a cron schedule. At start-up kafru creates the schedule, or
 * updates it when the annotation changed (cron, queue, time zone) — idempotent across restarts
 * and across servers starting at once:
 *
 * <pre>{@code
 * @TaskName("nightly-report")
 * @Recurring(cron = "0 30 2 * * ?", timeZone = "Europe/Berlin")
 * @ApplicationScoped
 * public class NightlyReport implements TaskHandler {
 *     public void run(TaskContext ctx) { ... }
 * }
 * }</pre>
 *
 * An administrator may disable the schedule; a restart leaves it disabled. A bad cron
 * expression or time zone is logged and the schedule is not created.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Recurring {

    /** Quartz (6–7 fields, seconds first) or Unix (5 fields) cron expression. */
    String cron();

    /** The schedule's name (also the name of the tasks it pushes); default: the {@link TaskName}. */
    String name() default "";

    /** The queue its tasks go to; "" for the handler's {@link TaskOptions#queue()}, else {@value TaskRequest#DEFAULT_QUEUE}. */
    String queue() default "";

    /** The IANA time zone the cron expression is read in. */
    String timeZone() default "UTC";
}
