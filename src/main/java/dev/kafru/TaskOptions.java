package dev.kafru;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Defaults for the tasks of one {@link TaskName} handler: a {@link TaskRequest} that sets a value
 * itself keeps it, one that leaves it out gets this one (also a schedule's tasks: maxAttempts,
 * priority and timeout; a {@link Recurring} without a queue uses this queue).
 *
 * <pre>{@code
 * @TaskName("send-invoice")
 * @TaskOptions(queue = "mail", maxAttempts = 5, timeout = "PT30S", priority = 10)
 * @ApplicationScoped
 * public class SendInvoice implements TaskHandler { ... }
 * }</pre>
 *
 * A value out of range (maxAttempts 0, timeout "soon", a queue name with spaces) fails deployment
 * naming the class. An element left out means "no default": the {@link TaskRequest}'s own.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface TaskOptions {

    /** The value of {@link #maxAttempts()} and {@link #priority()} that means "not given". */
    int UNSET = Integer.MIN_VALUE;

    /** The queue its tasks go to; "" for {@value TaskRequest#DEFAULT_QUEUE}. */
    String queue() default "";

    /** Attempts before a task ends Error, 1 to {@value TaskRequest#MAX_ATTEMPTS_LIMIT}. */
    int maxAttempts() default UNSET;

    /**
     * How long one attempt may run before it is interrupted and counts as failed, as ISO-8601
     * ({@code PT30S}) or {@code 30s}, {@code 2m}, {@code 1h}; "" for no limit.
     */
    String timeout() default "";

    /** Higher runs first among the due tasks of a queue, ±{@value TaskRequest#PRIORITY_LIMIT}. */
    int priority() default UNSET;
}
