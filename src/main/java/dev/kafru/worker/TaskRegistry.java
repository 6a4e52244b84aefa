package dev.kafru.worker;

import dev.kafru.Recurring;
import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.TaskOptions;
import dev.kafru.TaskRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;

import java.lang.annotation.Annotation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The task handlers: every CDI bean that implements {@link TaskHandler} and carries
 * {@link TaskName}, with each one's {@link TaskOptions} and its own {@link RetryPolicy} (a
 * RetryPolicy bean qualified with the same {@code @TaskName}), if it has them. Outside a
 * container, {@link #of(Map, Map)} builds one from plain objects.
 */
@ApplicationScoped
public class TaskRegistry {

    @Inject
    BeanManager beanManager;

    /** The largest result a handler may give, as JSON characters ({@code kafru.worker.result-limit}). */
    public static final int DEFAULT_RESULT_LIMIT = 64 * 1024;

    @Inject
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "kafru.worker.result-limit", defaultValue = "65536")
    int resultLimit = DEFAULT_RESULT_LIMIT;

    /** The largest result a handler may give, in characters of JSON. */
    public int resultLimit() {
        return resultLimit;
    }


    private SortedSet<String> names = new TreeSet<>();
    /** The names again, for {@link #has} on every run and push (a hash look-up, not the sorted set's walk). */
    private Set<String> known = Set.of();
    /**
     * Each name's bean, resolved once: resolving per run (Instance.select with a qualifier literal)
     * showed in Payara's profile as Weld's qualifier hashing on every task.
     */
    private final Map<String, Resolved> resolvedByName = new ConcurrentHashMap<>();

    /**
     * A handler's bean, and what runs it when the bean is normal-scoped (shared across runs): an
     * {@code @ApplicationScoped} bean's instance itself, any other normal scope's client proxy.
     */
    private record Resolved(Bean<?> bean, TaskHandler shared) {
    }

    /**
     * This registry itself rather than its CDI client proxy, for the paths that consult it for
     * every task (pushAll's checks; each run, three times): each call through the proxy looks the
     * instance up in its context again, and on a thread without a request context Weld's proxy
     * also makes and drops an interception stack and a thread-local entry per call (Payara's
     * allocation profile showed both on every task). The application scope outlives everyone
     * who holds it. The handlers it runs are still called through their own client proxies.
     * <p>
     * Handed out inside a holder: a client proxy answers a method that returns {@code this} with
     * the proxy itself (Weld does), so a plain {@code return this} came back as the proxy.
     */
    public Direct direct() {
        return new Direct(this);
    }

    /** The registry instance itself (see {@link #direct()}). */
    public record Direct(TaskRegistry registry) {
    }

    private Resolved resolved(String name) {
        Resolved done = resolvedByName.get(name);
        return done != null ? done : resolvedByName.computeIfAbsent(name, n -> {
            Bean<?> bean = beanManager.resolve(beanManager.getBeans(TaskHandler.class, TaskName.Literal.of(n)));
            if (bean == null) {
                throw new IllegalStateException(unknown(n));
            }
            return new Resolved(bean, shared(bean));
        });
    }

    /**
     * What runs a normal-scoped handler on every run, or null for a {@code @Dependent} one. An
     * {@code @ApplicationScoped} bean's one instance is taken from its context once (with its
     * interceptors and decorators: the container's instance is the intercepted one), because a call
     * through the client proxy looks the instance up again and, on a runner thread (no request
     * context), Weld's proxy makes and drops an interception stack per call — 2% of a Payara
     * server's processor time in a flood. The application scope lives as long as this registry.
     * Other normal scopes (request, session, custom) keep the proxy: their instance differs by
     * context.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private TaskHandler shared(Bean<?> bean) {
        if (!beanManager.isNormalScope(bean.getScope())) {
            return null;
        }
        if (bean.getScope() == ApplicationScoped.class) {
            Object instance = beanManager.getContext(ApplicationScoped.class).get((Bean) bean, beanManager.createCreationalContext(bean));
            if (instance instanceof TaskHandler handler) {
                return handler;
            }
        }
        return (TaskHandler) beanManager.getReference(bean, TaskHandler.class, beanManager.createCreationalContext(bean));
    }
    private Function<String, TaskHandler> plain;
    /** Each handler's {@link TaskOptions}, for those that have them. */
    private Map<String, TaskOptions> options = Map.of();
    /** The handlers' default time-outs, parsed once: empty unless a handler has one, so a run without one costs a look-up in an empty map. */
    private Map<String, Duration> timeouts = Map.of();
    /** Each handler's own RetryPolicy (resolved on its first failure), for those that have one. */
    private Map<String, Function<String, RetryPolicy>> retryPolicies = Map.of();
    private final Map<String, RetryPolicy> resolvedPolicies = new ConcurrentHashMap<>();

    @PostConstruct
    void discover() {
        SortedSet<String> found = new TreeSet<>();
        Map<String, TaskOptions> foundOptions = new HashMap<>();
        for (Bean<?> bean : beanManager.getBeans(TaskHandler.class, Any.Literal.INSTANCE)) {
            String name = nameOf(bean.getQualifiers());
            if (name != null) {
                found.add(name);
                TaskOptions taskOptions = bean.getBeanClass().getAnnotation(TaskOptions.class);
                if (taskOptions != null) {
                    foundOptions.put(name, taskOptions);
                }
            }
        }
        Map<String, Function<String, RetryPolicy>> policies = new HashMap<>();
        for (Bean<?> bean : beanManager.getBeans(RetryPolicy.class, Any.Literal.INSTANCE)) {
            String name = nameOf(bean.getQualifiers());
            if (name != null) {
                policies.put(name, n -> (RetryPolicy) beanManager.getReference(bean, RetryPolicy.class,
                        beanManager.createCreationalContext(bean)));
            }
        }
        names = Collections.unmodifiableSortedSet(found);
        known = Set.copyOf(found);
        setOptions(foundOptions);
        retryPolicies = Map.copyOf(policies);
    }

    /** A registry of plain handler objects, for use without CDI; a handler's class may carry {@link TaskOptions}. */
    public static TaskRegistry of(Map<String, ? extends TaskHandler> handlers) {
        return of(handlers, Map.of());
    }

    /** {@link #of(Map)} with handlers' own retry policies, by handler name. */
    public static TaskRegistry of(Map<String, ? extends TaskHandler> handlers, Map<String, ? extends RetryPolicy> retryPolicies) {
        TaskRegistry registry = new TaskRegistry();
        Map<String, TaskHandler> copy = new TreeMap<>(handlers);
        registry.names = Collections.unmodifiableSortedSet(new TreeSet<>(copy.keySet()));
        registry.known = Set.copyOf(copy.keySet());
        registry.plain = copy::get;
        Map<String, TaskOptions> foundOptions = new HashMap<>();
        copy.forEach((name, handler) -> {
            TaskOptions taskOptions = handler.getClass().getAnnotation(TaskOptions.class);
            if (taskOptions != null) {
                foundOptions.put(name, taskOptions);
            }
        });
        registry.setOptions(foundOptions);
        Map<String, Function<String, RetryPolicy>> policies = new HashMap<>();
        retryPolicies.forEach((name, policy) -> policies.put(name, n -> policy));
        registry.retryPolicies = Map.copyOf(policies);
        return registry;
    }

    private void setOptions(Map<String, TaskOptions> found) {
        options = Map.copyOf(found);
        Map<String, Duration> parsed = new HashMap<>();
        found.forEach((name, o) -> {
            if (!o.timeout().isEmpty()) {
                parsed.put(name, TaskRequest.parseTimeout(o.timeout()));
            }
        });
        timeouts = Map.copyOf(parsed);
    }

    /** A {@link Recurring}'s queue: its own, else its handler's {@link TaskOptions} queue, else {@value TaskRequest#DEFAULT_QUEUE}. */
    public static String queueOf(Recurring recurring, Class<?> handlerClass) {
        if (!recurring.queue().isEmpty()) {
            return recurring.queue();
        }
        TaskOptions taskOptions = handlerClass.getAnnotation(TaskOptions.class);
        return taskOptions != null && !taskOptions.queue().isEmpty() ? taskOptions.queue() : TaskRequest.DEFAULT_QUEUE;
    }

    /** The handler's {@link TaskOptions}, or null when it has none. */
    public TaskOptions options(String handler) {
        return options.get(handler);
    }

    /** The request with its handler's {@link TaskOptions} filled in where it gave no value (itself when there are none). */
    public TaskRequest withDefaults(TaskRequest request) {
        return options.isEmpty() ? request : request.withDefaults(options.get(request.handler()));
    }

    /** The time-out of the handler's {@link TaskOptions}, or null. */
    Duration defaultTimeout(String handler) {
        return timeouts.isEmpty() ? null : timeouts.get(handler);
    }

    /** The handler's own retry policy, or {@code fallback} when it has none. */
    RetryPolicy retryPolicy(String handler, RetryPolicy fallback) {
        Function<String, RetryPolicy> own = retryPolicies.get(handler);
        return own == null ? fallback : resolvedPolicies.computeIfAbsent(handler, own);
    }

    static String nameOf(Set<Annotation> qualifiers) {
        for (Annotation qualifier : qualifiers) {
            if (qualifier instanceof TaskName taskName) {
                return taskName.value();
            }
        }
        return null;
    }

    /** The registered names, sorted. */
    public SortedSet<String> names() {
        return names;
    }

    public boolean has(String name) {
        return name != null && known.contains(name);
    }

    /** The error text for a name that is not registered. */
    public String unknown(String name) {
        return "unknown handler '" + name + "' (registered: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")";
    }

    /** Runs the named handler once; a @Dependent bean instance is destroyed afterwards. */
    public void run(String name, TaskContext context) throws Exception {
        if (plain != null) {
            TaskHandler handler = plain.apply(name);
            if (handler == null) {
                throw new IllegalStateException(unknown(name));
            }
            handler.run(context);
            return;
        }
        Resolved resolved = resolved(name);
        if (resolved.shared != null) {
            resolved.shared.run(context); // the application's instance, or a client proxy: its scope finds the instance
            return;
        }
        // @Dependent: an instance for this run, destroyed after it
        CreationalContext<?> creation = beanManager.createCreationalContext(resolved.bean);
        try {
            ((TaskHandler) beanManager.getReference(resolved.bean, TaskHandler.class, creation)).run(context);
        } finally {
            creation.release();
        }
    }
}
