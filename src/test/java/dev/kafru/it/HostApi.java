package dev.kafru.it;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;

/** An application that embeds kafru: its own JAX-RS application serves every resource it finds. */
@ApplicationPath("api")
public class HostApi extends Application {
}
