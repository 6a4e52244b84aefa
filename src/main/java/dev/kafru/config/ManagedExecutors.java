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
    public static final String CONTEXT = "java:comp/DefaultContextService";

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

    /**
     * The application's context (naming, class loader, security) as it is on the calling thread,
     * captured once, applied around each task it runs (on the thread that runs it): for work that
     * reaches the managed executor from a thread without that context (the SurrealDB connection's,
     * a JDK timer's), where the executor's own capture finds none and a handler's {@code @Resource}
     * comes out null. Call it where the application's context is (a deployment event).
     */
    public static java.util.concurrent.Executor applicationContext() {
        return lookup(CONTEXT, jakarta.enterprise.concurrent.ContextService.class).currentContextExecutor();
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
