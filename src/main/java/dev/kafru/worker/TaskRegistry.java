package dev.kafru.worker;

import dev.kafru.TaskContext;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
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
import java.util.function.Function;

/**
 * The task handlers: every CDI bean that implements {@link TaskHandler} and carries
 * {@link TaskName}. Outside a container, {@link #of(Map)} builds one from plain objects.
 */
@ApplicationScoped
public class TaskRegistry {

    @Inject
    BeanManager beanManager;

    @Inject
    @Any
    Instance<TaskHandler> beans;

    private SortedSet<String> names = new TreeSet<>();
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
        Instance.Handle<TaskHandler> handle = beans.select(TaskName.Literal.of(name)).getHandle();
        try {
            handle.get().run(context);
        } finally {
            // destroying a normal-scoped handle would destroy the shared contextual instance
            if (handle.getBean().getScope() == Dependent.class) {
                handle.destroy();
            }
        }
    }
}
