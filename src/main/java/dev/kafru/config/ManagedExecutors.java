package dev.kafru.config;

import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The container's default managed executors, looked up by their standard JNDI names.
 * kafru's beans do not use {@code @Resource} for them: Payara does not process that annotation
 * on classes in a WEB-INF/lib jar, so a WAR that embeds kafru-classes.jar failed to deploy
 * ("Lookup failed for java:comp/env/dev.kafru.schedule.Scheduler/executor").
 */
public final class ManagedExecutors {

    public static final String EXECUTOR = "java:comp/DefaultManagedExecutorService";
    public static final String SCHEDULER = "java:comp/DefaultManagedScheduledExecutorService";

    private ManagedExecutors() {
    }

    public static ManagedExecutorService executor() {
        return lookup(EXECUTOR, ManagedExecutorService.class);
    }

    public static ManagedScheduledExecutorService scheduler() {
        return lookup(SCHEDULER, ManagedScheduledExecutorService.class);
    }

    private static <T> T lookup(String name, Class<T> type) {
        try {
            return type.cast(InitialContext.doLookup(name));
        } catch (NamingException | ClassCastException e) {
            throw new IllegalStateException("kafru needs the container's " + name + " (Jakarta Concurrency), and it could not"
                    + " be looked up: " + e, e);
        }
    }
}
