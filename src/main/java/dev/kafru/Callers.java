package dev.kafru;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.security.enterprise.SecurityContext;

import java.security.Principal;
import java.util.logging.Logger;

/**
 * Who is pushing: the caller's principal as Jakarta Security sees it (servlet and EJB callers
 * alike, on Payara and on WildFly), or null for an anonymous caller, a thread with no caller, or a
 * container without Jakarta Security.
 */
@Dependent
class Callers {

    private static final Logger LOG = Logger.getLogger(Callers.class.getName());

    @Inject
    Instance<SecurityContext> security;

    /** The caller's name, or null when there is none to name. */
    String name() {
        if (security.isUnsatisfied()) {
            return null;
        }
        try {
            Principal caller = security.get().getCallerPrincipal();
            String name = caller == null ? null : caller.getName();
            // Payara names the unauthenticated caller ANONYMOUS, WildFly anonymous
            if (name == null || name.isBlank() || name.equalsIgnoreCase("anonymous")) {
                return null;
            }
            return name.length() > TaskRequest.AUTHOR_LIMIT ? name.substring(0, TaskRequest.AUTHOR_LIMIT) : name;
        } catch (RuntimeException e) {
            LOG.fine(() -> "no caller principal here: the task has no author (" + e + ")");
            return null;
        }
    }
}
