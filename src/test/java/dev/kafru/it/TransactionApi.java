package dev.kafru.it;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/** The JAX-RS application of the push-on-commit tests' resource, beside kafru's admin API. */
@ApplicationPath("it-tx")
public class TransactionApi extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(TransactionResource.class);
    }
}
