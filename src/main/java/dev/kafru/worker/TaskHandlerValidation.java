package dev.kafru.worker;

import dev.kafru.InvalidTaskException;
import dev.kafru.Recurring;
import dev.kafru.ScheduleRequest;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
import dev.kafru.TaskOptions;
import dev.kafru.TaskRequest;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessBean;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * Fails deployment when two task handler beans share a {@link TaskName}, a name is not usable,
 * a {@link Recurring} has a cron, time zone or queue that does not parse, a {@link TaskOptions}
 * has a value out of range, or a {@link RetryPolicy} bean is named for a handler that does not
 * exist, with a message naming the classes — rather than failing later at run time (or, for
 * @Recurring, leaving the schedule silently undefined).
 */
public class TaskHandlerValidation implements Extension {

    private static final Logger LOG = Logger.getLogger(TaskHandlerValidation.class.getName());

    private final Map<String, List<String>> classesByName = new TreeMap<>();
    private final List<String> unnamed = new ArrayList<>();
    private final List<String> beanProblems = new ArrayList<>();
    /** RetryPolicy beans named with a @TaskName: the name and the class. */
    private final Map<String, List<String>> policiesByName = new TreeMap<>();

    void onBean(@Observes ProcessBean<?> event) {
        if (event.getBean().getTypes().contains(RetryPolicy.class)) {
            String name = TaskRegistry.nameOf(event.getBean().getQualifiers());
            if (name != null) {
                policiesByName.computeIfAbsent(name, n -> new ArrayList<>()).add(event.getBean().getBeanClass().getName());
            }
        }
        if (!event.getBean().getTypes().contains(TaskHandler.class)) {
            return;
        }
        String name = TaskRegistry.nameOf(event.getBean().getQualifiers());
        String className = event.getBean().getBeanClass().getName();
        if (name == null) {
            unnamed.add(className);
            return;
        }
        classesByName.computeIfAbsent(name, n -> new ArrayList<>()).add(className);
        checkOptions(name, event.getBean().getBeanClass());
        Recurring recurring = event.getBean().getBeanClass().getAnnotation(Recurring.class);
        if (recurring != null) {
            try {
                ScheduleRequest.of(recurring.name().isBlank() ? name : recurring.name(), name).cron(recurring.cron())
                        .queue(TaskRegistry.queueOf(recurring, event.getBean().getBeanClass())).timeZone(recurring.timeZone())
                        .validate();
            } catch (InvalidTaskException e) {
                beanProblems.add("@Recurring(cron = \"" + recurring.cron() + "\", timeZone = \"" + recurring.timeZone()
                        + "\", queue = \"" + TaskRegistry.queueOf(recurring, event.getBean().getBeanClass()) + "\") on " + className + " is not usable: " + e.getMessage()
                        + "; for example @Recurring(cron = \"0 30 2 * * ?\") (Quartz, seconds first) or"
                        + " @Recurring(cron = \"30 2 * * *\") (Unix), timeZone = \"Europe/Berlin\"");
            }
        }
    }

    /** A {@link TaskOptions} value out of range is a deployment problem naming the field, the class and the fix. */
    private void checkOptions(String name, Class<?> beanClass) {
        TaskOptions options = beanClass.getAnnotation(TaskOptions.class);
        if (options == null) {
            return;
        }
        try {
            TaskRequest.of(name).withDefaults(options).validate();
        } catch (InvalidTaskException e) {
            beanProblems.add("@TaskOptions(" + e.field() + ") on " + beanClass.getName() + " is not usable: " + e.getMessage()
                    + "; for example @TaskOptions(queue = \"mail\", maxAttempts = 5, timeout = \"PT30S\", priority = 10)");
        }
    }

    void validate(@Observes AfterDeploymentValidation event) {
        classesByName.forEach((name, classes) -> {
            if (classes.size() > 1) {
                event.addDeploymentProblem(new IllegalStateException("@TaskName(\"" + name + "\") is on more than one task handler: "
                        + String.join(" and ", classes) + " — give each handler its own name"));
            }
            if (!TaskRequest.NAME_PATTERN.matcher(name).matches()) {
                event.addDeploymentProblem(new IllegalStateException("@TaskName(\"" + name + "\") on " + classes.get(0)
                        + " is not a usable name: use letters, digits, - _ . : (1 to 100 characters)"));
            }
        });
        policiesByName.forEach((name, classes) -> {
            if (!classesByName.containsKey(name)) {
                event.addDeploymentProblem(new IllegalStateException("the RetryPolicy " + String.join(" and ", classes)
                        + " is named @TaskName(\"" + name + "\"), but no task handler has that name (handlers: "
                        + (classesByName.isEmpty() ? "none" : String.join(", ", classesByName.keySet()))
                        + ") — name it after the handler whose tasks it decides"));
            } else if (classes.size() > 1) {
                event.addDeploymentProblem(new IllegalStateException("@TaskName(\"" + name + "\") is on more than one RetryPolicy: "
                        + String.join(" and ", classes) + " — give each handler one"));
            }
        });
        beanProblems.forEach(problem -> event.addDeploymentProblem(new IllegalStateException(problem)));
        if (!unnamed.isEmpty()) {
            LOG.warning("these TaskHandler beans have no @TaskName and cannot be run by kafru: " + unnamed);
        }
    }
}
