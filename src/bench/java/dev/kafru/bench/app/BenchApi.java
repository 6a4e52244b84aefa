package dev.kafru.bench.app;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

import java.util.Set;

/** The benchmark application's own JAX-RS application (kafru's admin API stays at /kafru/api). */
@ApplicationPath("app")
public class BenchApi extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(BenchResource.class);
    }
}
