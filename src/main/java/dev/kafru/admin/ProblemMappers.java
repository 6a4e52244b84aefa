package dev.kafru.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;

import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Problem answers for what JAX-RS itself refuses before a resource runs (an unknown path, a
 * method not allowed, a content type not supported) and for anything unexpected. Registered by
 * {@link KafruApi} only — no {@code @Provider} — so a host application's errors stay its own.
 */
final class ProblemMappers {

    private ProblemMappers() {
    }

    /** JAX-RS refusals, with their status. */
    public static final class Rest implements ExceptionMapper<WebApplicationException> {

        @Context
        UriInfo uri;

        @Context
        HttpServletRequest request;

        @Override
        public Response toResponse(WebApplicationException e) {
            if (request != null) {
                JsonText.drainRequest(request);
            }
            int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
            Response.StatusType type = Response.Status.fromStatusCode(status);
            String title = type == null ? "Error" : type.getReasonPhrase();
            String detail = switch (status) {
                case 404 -> "no such resource; the admin API's paths are /handlers, /tasks, /queues, /schedules, /agents,"
                        + " /metrics (see /openapi)";
                case 405 -> "this path does not take " + "that method; allowed: " + e.getResponse().getAllowedMethods();
                case 406 -> "the admin API answers application/json (errors application/problem+json)";
                case 415 -> "send the body as JSON with Content-Type: application/json";
                default -> e.getMessage() == null ? title : e.getMessage();
            };
            ProblemException problem = ProblemException.of(status, title.toLowerCase().replace(' ', '-'), title, detail);
            Response built = problem.at(uri == null ? null : uri.getRequestUri().getPath()).response();
            Response.ResponseBuilder out = Response.fromResponse(built);
            if (status == 405 && e.getResponse() != null) {
                out.allow(e.getResponse().getAllowedMethods());
            }
            return out.build();
        }
    }

    /** Anything else: a 500 problem, logged with a reference. */
    public static final class Unexpected implements ExceptionMapper<RuntimeException> {

        private static final Logger LOG = Logger.getLogger(Unexpected.class.getName());

        @Override
        public Response toResponse(RuntimeException e) {
            if (e instanceof WebApplicationException w) {
                return new Rest().toResponse(w);
            }
            if (e instanceof ProblemException p) {
                return p.response();
            }
            String ref = UUID.randomUUID().toString();
            LOG.log(Level.SEVERE, "kafru admin request failed (ref " + ref + ")", e);
            return ProblemException.of(500, "internal", "Internal error",
                    "the request failed inside kafru; the server log has the details under ref " + ref).response();
        }
    }
}
