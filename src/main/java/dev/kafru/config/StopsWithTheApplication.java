package dev.kafru.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.BeforeDestroyed;
import jakarta.enterprise.event.Observes;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A bean that stops its work once when the application stops: on {@link ApplicationStopping}
 * (fired by {@link KafruShutdown} while every class can still be loaded) or, where no servlet
 * context announced the stop, on the application scope's {@code @BeforeDestroyed} — whichever
 * comes first. CDI hands observer methods down to subclasses, so a bean only says what stopping
 * means for it.
 */
public abstract class StopsWithTheApplication {

    private final AtomicBoolean stopping = new AtomicBoolean();

    protected void onStopping(@Observes ApplicationStopping event) {
        stopOnce();
    }

    /** The fallback where no servlet context announced the stop; a no-op after {@link #onStopping}. */
    protected void onStop(@Observes @BeforeDestroyed(ApplicationScoped.class) Object event) {
        stopOnce();
    }

    private void stopOnce() {
        if (stopping.compareAndSet(false, true)) {
            stopWithTheApplication();
        }
    }

    /** What stopping means for this bean; called once, from whichever stop signal comes first. */
    protected abstract void stopWithTheApplication();
}
