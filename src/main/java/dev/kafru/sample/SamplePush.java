package dev.kafru.sample;

import dev.kafru.KafruQueue;
import dev.kafru.Task;
import dev.kafru.TaskRequest;
import dev.kafru.config.ContainerExecutor;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The README's sample component: when kafru.war starts with {@code kafru.sample.enabled=true}
 * (src/scripts/run.sh sets it; off by default, so that kafru.war on a user's server pushes
 * nothing of its own), it pushes one {@code hello} task.
 */
@ApplicationScoped
public class SamplePush {

    private static final Logger LOG = Logger.getLogger(SamplePush.class.getName());

    @Inject
    KafruQueue queue;

    @Inject
    @ConfigProperty(name = "kafru.sample.enabled", defaultValue = "false")
    boolean enabled;

    @Inject
    @ContainerExecutor
    ManagedExecutorService executor;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        if (!enabled) {
            return;
        }
        executor.execute(() -> {
            try {
                Task task = queue.push(TaskRequest.of("hello").parameters(Map.of("name", "kafru")));
                LOG.info("kafru sample: pushed task " + task.id() + " for handler 'hello'");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "kafru sample: could not push the hello task: " + e.getMessage());
            }
        });
    }
}
