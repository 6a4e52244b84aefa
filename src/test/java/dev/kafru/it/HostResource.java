package dev.kafru.it;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/** The embedding application's own resource. */
@Path("hello")
@ApplicationScoped
public class HostResource {

    @GET
    public String hello() {
        return "hello from the host";
    }
}
