package dev.kafru.admin;

/**
 * Names of the problem responses that several admin operations give alike, defined once in
 * {@link KafruApi}'s OpenAPI components and used by {@code @APIResponse(responseCode = "404",
 * ref = ProblemResponses.NO_SUCH_TASK)}, so that a description or example is written, and
 * changed, in one place. A problem worded for one operation stays inline on it.
 */
final class ProblemResponses {

    /** 404 of an operation on one task. */
    static final String NO_SUCH_TASK = "NoSuchTask";
    /** 404 of an operation on one schedule. */
    static final String NO_SUCH_SCHEDULE = "NoSuchSchedule";
    /** 400 of an operation on one queue whose name is not valid. */
    static final String NOT_A_QUEUE_NAME = "NotAQueueName";
    /** 400 of a list whose filter (a query parameter) is not valid. */
    static final String INVALID_FILTER = "InvalidFilter";
    /** 413 of an operation that reads a JSON body (over 1 MiB). */
    static final String BODY_TOO_LARGE = "BodyTooLarge";

    /**
     * The problem schema, by reference: the shared responses use it so, because Payara builds the
     * components before it has scanned the classes ({@code implementation = Problem.class} there
     * gives a schema without properties); the responses OpenApiFilter adds use it too.
     */
    static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";

    private ProblemResponses() {
    }
}
