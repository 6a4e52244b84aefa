package dev.kafru.it;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/** The test application's JAX-RS application, beside kafru's admin API. */
@ApplicationPath("cluster")
public class ClusterApi extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ClusterResource.class);
    }
}
