package dev.kafru.config;

import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;

import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The one place kafru obtains the container's default managed executors: CDI producers for
 * {@code @Inject @ContainerExecutor ManagedExecutorService} and {@code …ManagedScheduledExecutorService},
 * looked up by their standard JNDI names. Not {@code @Resource}: Payara does not process that
 * annotation on classes in a WEB-INF/lib jar, so a WAR that embeds kafru-classes.jar failed to
 * deploy ("Lookup failed for java:comp/env/dev.kafru.schedule.Scheduler/executor").
 */
@Dependent
public class ManagedExecutors {

    public static final String EXECUTOR = "java:comp/DefaultManagedExecutorService";
    public static final String SCHEDULER = "java:comp/DefaultManagedScheduledExecutorService";

    /** Typed to itself only: a scheduled executor is also an executor, and must not make that injection ambiguous. */
    @Produces
    @ContainerExecutor
    @Typed(ManagedExecutorService.class)
    static ManagedExecutorService executor() {
        return lookup(EXECUTOR, ManagedExecutorService.class);
    }

    @Produces
    @ContainerExecutor
    @Typed(ManagedScheduledExecutorService.class)
    static ManagedScheduledExecutorService scheduler() {
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
