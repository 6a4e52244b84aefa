package dev.kafru;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.time.Instant;

/**
 * One failed attempt of a task, as kept in its history.
 *
 * @param attempt    which attempt (1 for the first)
 * @param at         when it failed
 * @param server     the server that ran it
 * @param exception  the exception's class name (or {@code TimedOut}, {@code LeaseLapsed}, {@code UnknownHandler})
 * @param message    what the exception said
 * @param stackTrace the stack trace, at most {@link #STACK_LIMIT} characters
 */
@Schema(name = "TaskFailure", description = "One failed attempt of a task")
public record TaskFailure(int attempt, Instant at, String server, String exception, String message, String stackTrace) {

    /** Characters of a stack trace kept per attempt. */
    public static final int STACK_LIMIT = 8 * 1024;
    /** Failed attempts kept per task (the oldest go first). */
    public static final int KEPT = 20;
}
