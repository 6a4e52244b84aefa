package dev.kafru.admin;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import java.util.List;

/**
 * An RFC 9457 problem: the body of every error the admin API answers, as
 * {@code application/problem+json}.
 *
 * @param type          a URN naming the kind of problem ({@code urn:kafru:problem:invalid-input}, …)
 * @param title         the kind of problem, for people
 * @param status        the HTTP status
 * @param detail        what was wrong with this request and how to fix it
 * @param instance      the request path
 * @param invalidFields for invalid input: each field at fault and why
 */
@Schema(name = "Problem", description = "An error (RFC 9457, application/problem+json)")
public record Problem(
        @Schema(example = "urn:kafru:problem:invalid-input") String type,
        @Schema(example = "Invalid input") String title,
        @Schema(example = "400") int status,
        @Schema(example = "priority must be an integer, not a string") String detail,
        @Schema(example = "/kafru/api/tasks") String instance,
        List<InvalidField> invalidFields) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One field at fault. */
    @Schema(name = "InvalidField")
    public record InvalidField(@Schema(example = "priority") String name,
                               @Schema(example = "priority must be an integer, not a string") String reason) {
    }
}
