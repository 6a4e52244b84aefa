package dev.kafru.worker;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.spi.CreationalContext;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;

import java.lang.annotation.Annotation;
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
 * {@link TaskName}. Outside a container, {@link #of(Map)} builds one from plain objects.
 */
@ApplicationScoped
public class TaskRegistry {

    @Inject
    BeanManager beanManager;


    private SortedSet<String> names = new TreeSet<>();
    /**
     * Each name's bean, resolved once: resolving per run (Instance.select with a qualifier literal)
     * showed in Payara's profile as Weld's qualifier hashing on every task.
     */
    private final Map<String, Resolved> resolvedByName = new ConcurrentHashMap<>();

    /** A handler's bean, and its client proxy when the bean is normal-scoped (shared across runs). */
    private record Resolved(Bean<?> bean, TaskHandler shared) {
    }

    private Resolved resolved(String name) {
        return resolvedByName.computeIfAbsent(name, n -> {
            Bean<?> bean = beanManager.resolve(beanManager.getBeans(TaskHandler.class, TaskName.Literal.of(n)));
            if (bean == null) {
                throw new IllegalStateException(unknown(n));
            }
            boolean normalScoped = beanManager.isNormalScope(bean.getScope());
            TaskHandler shared = normalScoped
                    ? (TaskHandler) beanManager.getReference(bean, TaskHandler.class, beanManager.createCreationalContext(bean))
                    : null;
            return new Resolved(bean, shared);
        });
    }
    private Function<String, TaskHandler> plain;

    @PostConstruct
    void discover() {
        SortedSet<String> found = new TreeSet<>();
        for (Bean<?> bean : beanManager.getBeans(TaskHandler.class, Any.Literal.INSTANCE)) {
            String name = nameOf(bean.getQualifiers());
            if (name != null) {
                found.add(name);
            }
        }
        names = Collections.unmodifiableSortedSet(found);
    }

    /** A registry of plain handler objects, for use without CDI. */
    public static TaskRegistry of(Map<String, ? extends TaskHandler> handlers) {
        TaskRegistry registry = new TaskRegistry();
        Map<String, TaskHandler> copy = new TreeMap<>(handlers);
        registry.names = Collections.unmodifiableSortedSet(new TreeSet<>(copy.keySet()));
        registry.plain = copy::get;
        return registry;
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
        return names.contains(name);
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
            resolved.shared.run(context); // a client proxy: the bean's scope finds the instance
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
