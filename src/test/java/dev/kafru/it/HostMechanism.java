package dev.kafru.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.security.enterprise.AuthenticationStatus;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import jakarta.security.enterprise.authentication.mechanism.http.HttpMessageContext;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.util.Set;

/**
 * An embedding application's own authentication (standing in for OIDC or a company SSO): the
 * caller named in {@code X-Host-User}, with the groups in {@code X-Host-Groups}.
 */
@ApplicationScoped
public class HostMechanism implements HttpAuthenticationMechanism {

    @Override
    public AuthenticationStatus validateRequest(HttpServletRequest request, HttpServletResponse response,
                                                HttpMessageContext context) {
        String user = request.getHeader("X-Host-User");
        if (user == null) {
            return context.doNothing();
        }
        String groups = request.getHeader("X-Host-Groups");
        return context.notifyContainerAboutLogin(user, groups == null ? Set.of() : Set.of(groups.split(",")));
    }
}
