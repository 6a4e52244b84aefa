package dev.kafru.admin;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import java.util.List;

/**
 * An admin API error: a {@link Problem} and, for 401, the Basic challenge. {@link AdminGuard}
 * turns it into a {@link WebApplicationException} that carries the whole answer, so that it
 * reaches the client the same way in any JAX-RS application that serves kafru's resources,
 * with or without kafru's exception mappers.
 */
public final class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final transient Problem problem;
    private final boolean challenge;
    private final long retryAfter;

    private ProblemException(Problem problem) {
        this(problem, false);
    }

    private ProblemException(Problem problem, boolean challenge) {
        this(problem, challenge, 0);
    }

    private ProblemException(Problem problem, boolean challenge, long retryAfter) {
        super(problem.detail());
        this.problem = problem;
        this.challenge = challenge;
        this.retryAfter = retryAfter;
    }

    public static ProblemException of(int status, String kind, String title, String detail) {
        return new ProblemException(new Problem("urn:kafru:problem:" + kind, title, status, detail, null, null));
    }

    /** 400 naming the fields at fault. */
    public static ProblemException invalid(List<Problem.InvalidField> fields) {
        String detail = fields.size() == 1 ? fields.get(0).reason()
                : String.join("; ", fields.stream().map(Problem.InvalidField::reason).toList());
        return new ProblemException(new Problem("urn:kafru:problem:invalid-input", "Invalid input", 400, detail, null,
                List.copyOf(fields)));
    }

    public static ProblemException invalid(String field, String reason) {
        return invalid(List.of(new Problem.InvalidField(field, reason)));
    }

    public static ProblemException notFound(String what, String id) {
        return of(404, "not-found", "Not Found", "no " + what + " '" + JsonText.abbreviate(id) + "'");
    }

    /** 401; with {@code challenge}, the answer carries kafru's Basic challenge. */
    public static ProblemException unauthorized(String detail, boolean challenge) {
        return new ProblemException(new Problem("urn:kafru:problem:unauthorized", "Unauthorized", 401, detail, null, null),
                challenge);
    }

    /** 403 for a write a page on another site could have made; {@code reason} names what gives it away. */
    public static ProblemException crossSite(String reason) {
        return of(403, "cross-site", "Forbidden", reason);
    }

    /** 429 with Retry-After: the credentials were not checked after repeated failed logins. */
    public static ProblemException tooManyLogins(long seconds) {
        return new ProblemException(new Problem("urn:kafru:problem:too-many-logins", "Too Many Requests", 429,
                "too many failed logins for this user or from this address: logins are not checked for " + seconds
                        + " s more (Retry-After); the right password works again after that", null, null), false, seconds);
    }

    public Problem problem() {
        return problem;
    }

    /** The same problem with the request path as its instance (unless it has one). */
    public ProblemException at(String path) {
        if (problem.instance() != null || path == null) {
            return this;
        }
        return new ProblemException(new Problem(problem.type(), problem.title(), problem.status(), problem.detail(), path,
                problem.invalidFields()), challenge, retryAfter);
    }

    /** The whole answer. */
    public Response response() {
        Response.ResponseBuilder builder = Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(JsonText.write(problem));
        if (challenge) {
            builder.header(HttpHeaders.WWW_AUTHENTICATE, KafruAuthentication.CHALLENGE);
        }
        if (retryAfter > 0) {
            builder.header(HttpHeaders.RETRY_AFTER, retryAfter);
        }
        return builder.build();
    }

    /** The answer as an exception JAX-RS sends as it is. */
    public WebApplicationException toWeb() {
        return new WebApplicationException(problem.detail(), response());
    }
}
