package dev.kafru.worker;

import dev.kafru.InvalidTaskException;
import dev.kafru.Recurring;
import dev.kafru.ScheduleRequest;
import dev.kafru.TaskHandler;
import dev.kafru.TaskName;
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
 * or a {@link Recurring} has a cron, time zone or queue that does not parse, with a message
 * naming the classes — rather than failing later at run time (or, for @Recurring, leaving the
 * schedule silently undefined).
 */
public class TaskHandlerValidation implements Extension {

    private static final Logger LOG = Logger.getLogger(TaskHandlerValidation.class.getName());

    private final Map<String, List<String>> classesByName = new TreeMap<>();
    private final List<String> unnamed = new ArrayList<>();
    private final List<String> recurringProblems = new ArrayList<>();

    void onBean(@Observes ProcessBean<?> event) {
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
        Recurring recurring = event.getBean().getBeanClass().getAnnotation(Recurring.class);
        if (recurring != null) {
            try {
                ScheduleRequest.of(recurring.name().isBlank() ? name : recurring.name(), name).cron(recurring.cron())
                        .queue(recurring.queue()).timeZone(recurring.timeZone()).validate();
            } catch (InvalidTaskException e) {
                recurringProblems.add("@Recurring(cron = \"" + recurring.cron() + "\", timeZone = \"" + recurring.timeZone()
                        + "\", queue = \"" + recurring.queue() + "\") on " + className + " is not usable: " + e.getMessage()
                        + "; for example @Recurring(cron = \"0 30 2 * * ?\") (Quartz, seconds first) or"
                        + " @Recurring(cron = \"30 2 * * *\") (Unix), timeZone = \"Europe/Berlin\"");
            }
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
        recurringProblems.forEach(problem -> event.addDeploymentProblem(new IllegalStateException(problem)));
        if (!unnamed.isEmpty()) {
            LOG.warning("these TaskHandler beans have no @TaskName and cannot be run by kafru: " + unnamed);
        }
    }
}
