package dev.kafru.admin;

import dev.kafru.InvalidTaskException;
import dev.kafru.store.StoreException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.security.Principal;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The admin API's gate, as a CDI interceptor so that it holds in whatever JAX-RS application
 * serves kafru's resources (an embedding WAR's own application may pick them up too) and needs
 * no EJB: it refuses a write a hostile page could make ({@link CrossSiteRule}, 403) and a login
 * held back after repeated failures ({@link LoginThrottle}, 429 with Retry-After), checks the
 * caller's role before the call, and maps what the call throws to a
 * problem — 400 for bad input naming the field, 404, 409 for a state that forbids the change,
 * 503 when SurrealDB cannot be reached, 500 (logged with a reference) for anything else.
 */
@Guarded
@Interceptor
@Priority(Interceptor.Priority.LIBRARY_BEFORE + 10)
public class AdminGuard {

    private static final Logger LOG = Logger.getLogger(AdminGuard.class.getName());
    private static final Set<String> READS = Set.of("GET", "HEAD", "OPTIONS");

    @Inject
    HttpServletRequest request;

    /** basic: kafru's Basic users (a 401 carries the Basic challenge); container: the application's mechanism. */
    @Inject
    @ConfigProperty(name = AuthenticationChoice.KEY, defaultValue = "basic")
    String authentication;

    @Inject
    Config config;

    /** Origins besides the server's own whose pages may write (behind a proxy that rewrites Host). */
    private volatile Set<String> origins;

    @AroundInvoke
    public Object guard(InvocationContext call) throws Exception {
        String path = request.getRequestURI();
        try {
            return checked(call, path);
        } catch (ProblemException e) {
            // a refused request's body may not have been read (a 401 comes first)
            JsonText.drainRequest(request);
            throw e.at(path).toWeb();
        }
    }

    private Object checked(InvocationContext call, String path) throws Exception {
        try {
            boolean write = call.getMethod().isAnnotationPresent(Writes.class) || !READS.contains(request.getMethod());
            allow(write);
            return call.proceed();
        } catch (ProblemException e) {
            throw e;
        } catch (InvalidTaskException e) {
            throw ProblemException.invalid(e.field(), e.getMessage());
        } catch (NoSuchElementException e) {
            throw ProblemException.of(404, "not-found", "Not Found", e.getMessage());
        } catch (IllegalStateException e) {
            throw ProblemException.of(409, "conflict", "Conflict", e.getMessage());
        } catch (IllegalArgumentException e) {
            throw ProblemException.of(400, "invalid-input", "Invalid input", e.getMessage());
        } catch (StoreException e) {
            String ref = UUID.randomUUID().toString();
            LOG.log(Level.WARNING, "kafru admin " + request.getMethod() + " " + path + " failed (ref " + ref + ")", e);
            throw ProblemException.of(503, "store-unavailable", "Store unavailable",
                    "SurrealDB could not answer (" + e.getMessage() + "); try again (ref " + ref + ")");
        } catch (WebApplicationException e) {
            throw e;
        } catch (RuntimeException e) {
            String ref = UUID.randomUUID().toString();
            LOG.log(Level.SEVERE, "kafru admin " + request.getMethod() + " " + path + " failed (ref " + ref + ")", e);
            throw ProblemException.of(500, "internal", "Internal error",
                    "the request failed inside kafru; the server log has the details under ref " + ref);
        }
    }

    private void allow(boolean write) {
        boolean basic = !"container".equals(authentication.trim());
        if (write) {
            CrossSiteRule.refusal(request, origins()).ifPresent(reason -> {
                throw ProblemException.crossSite(reason);
            });
        }
        if (request.getAttribute(KafruAuthentication.LOCKED_ATTRIBUTE) instanceof Long seconds) {
            throw ProblemException.tooManyLogins(seconds);
        }
        if (request.getAttribute(KafruAuthentication.REFUSED_ATTRIBUTE) != null) {
            throw ProblemException.unauthorized("the user name or password is wrong, or the Authorization header is not"
                    + " HTTP Basic", true);
        }
        Principal caller = request.getUserPrincipal();
        if (caller == null) {
            throw ProblemException.unauthorized("log in" + (basic ? " with HTTP Basic" : "") + " as a user with role "
                    + (write ? KafruUsers.ADMIN : KafruUsers.VIEWER + " or " + KafruUsers.ADMIN), basic);
        }
        boolean admin = hasRole(KafruUsers.ADMIN);
        if (write ? !admin : !(admin || hasRole(KafruUsers.VIEWER))) {
            throw ProblemException.of(403, "forbidden", "Forbidden", "user '" + caller.getName() + "' may not "
                    + (write ? "change anything here: that needs role " + KafruUsers.ADMIN
                    : "read this: that needs role " + KafruUsers.VIEWER + " or " + KafruUsers.ADMIN));
        }
    }

    private Set<String> origins() {
        if (origins == null) {
            origins = CrossSiteRule.allowedOrigins(config);
        }
        return origins;
    }

    private boolean hasRole(String role) {
        if (request.getAttribute(KafruAuthentication.ROLES_ATTRIBUTE) instanceof Set<?> roles && roles.contains(role)) {
            return true;
        }
        return request.isUserInRole(role);
    }
}
