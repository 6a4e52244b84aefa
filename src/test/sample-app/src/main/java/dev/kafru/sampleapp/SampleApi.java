package dev.kafru.sampleapp;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** The application's own JAX-RS application; kafru's admin API keeps its own under /kafru/api. */
@ApplicationPath("api")
public class SampleApi extends Application {
}
