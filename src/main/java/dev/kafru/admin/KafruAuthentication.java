package dev.kafru.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;

/**
 * HTTP Basic for kafru's paths ({@code /kafru/…}) only: any other path of the application is
 * left alone, so embedding kafru puts no authentication on the host application. A request
 * without credentials, or with wrong ones, goes on anonymous: the admin API then answers 401
 * ({@link AdminGuard}), or 429 while {@link LoginThrottle} holds the user or the address back
 * after repeated failures. Answering wrong credentials here instead would need a committed
 * response, which WildFly's JASPI bridge then tries to change ("Response already committed").
 */
@ApplicationScoped
public class KafruAuthentication implements HttpAuthenticationMechanism {

    static final String CHALLENGE = "Basic realm=\"kafru\", charset=\"UTF-8\"";
    /** The roles of the caller this mechanism authenticated, as a request attribute. */
    static final String ROLES_ATTRIBUTE = KafruAuthentication.class.getName() + ".roles";
    /** Set when the request carried credentials that did not check out. */
    static final String REFUSED_ATTRIBUTE = KafruAuthentication.class.getName() + ".refused";
    /** Set (to the seconds left, a Long) when the credentials were not checked: too many failed logins. */
    static final String LOCKED_ATTRIBUTE = KafruAuthentication.class.getName() + ".locked";

    @Inject
    KafruUsers users;

    @Inject
    LoginThrottle throttle;

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        if (!isKafruPath(request)) {
            return context.doNothing();
        }
        String header = request.getHeader("Authorization");
        if (header == null) {
            return context.doNothing();
        }
        Optional<String[]> credentials = basic(header);
        String name = credentials.map(c -> c[0]).orElse(null);
        String address = request.getRemoteAddr();
        Optional<java.time.Duration> locked = throttle.lockedFor(name, address);
        if (locked.isPresent()) {
            // not checked at all while locked: a guess then tells nothing, right or wrong
            request.setAttribute(LOCKED_ATTRIBUTE, Math.max(1, (locked.get().toMillis() + 999) / 1000));
            return context.doNothing();
        }
        Optional<KafruUsers.Caller> caller = credentials.flatMap(c -> users.authenticate(c[0], c[1]));
        if (caller.isEmpty()) {
            throttle.failed(name, address);
            request.setAttribute(REFUSED_ATTRIBUTE, Boolean.TRUE);
            return context.doNothing();
        }
        throttle.succeeded(name, address);
        request.setAttribute(ROLES_ATTRIBUTE, Set.of(caller.get().role()));
        return context.notifyContainerAboutLogin(caller.get().name(), Set.of(caller.get().role()));
    }

    static boolean isKafruPath(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        return path.equals("/kafru") || path.startsWith("/kafru/");
    }

    /** {name, password} from a Basic header; empty when it is not one. */
    static Optional<String[]> basic(String header) {
        if (header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? Optional.empty() : Optional.of(new String[]{decoded.substring(0, colon), decoded.substring(colon + 1)});
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
