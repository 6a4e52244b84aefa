package dev.kafru.admin;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossSiteRuleTest {

    private static Optional<String> write(String requestedBy, String origin, String referer, String host) {
        return CrossSiteRule.refusal(requestedBy, origin, referer, host, Set.of("https://ops.example"));
    }

    @Test
    void aScriptWithTheHeaderAndNoOriginWrites() {
        assertEquals(Optional.empty(), write("kafru", null, null, "localhost:8080"));
        assertEquals(Optional.empty(), write("anything", null, null, null));
    }

    @Test
    void withoutTheHeaderNothingIsWrittenWhateverTheOrigin() {
        for (String origin : new String[]{null, "http://localhost:8080", "http://evil.example"}) {
            Optional<String> refused = write(null, origin, null, "localhost:8080");
            assertTrue(refused.orElse("").contains("X-Requested-By"), origin + ": " + refused);
        }
        assertTrue(write("  ", null, null, "localhost:8080").isPresent(), "a blank header is none");
    }

    @Test
    void thePagesOwnOriginOrRefererWritesAndAnyOtherIsRefusedByName() {
        assertEquals(Optional.empty(), write("kafru", "http://localhost:8080", null, "localhost:8080"));
        assertEquals(Optional.empty(), write("kafru", "HTTP://LocalHost:8080", null, "localhost:8080"));
        assertEquals(Optional.empty(), write("kafru", null, "http://localhost:8080/kafru/#tasks", "localhost:8080"));
        assertEquals(Optional.empty(), write("kafru", "https://kafru.example", null, "kafru.example"), "default port, behind TLS");
        assertEquals(Optional.empty(), write("kafru", "http://kafru.example", null, "kafru.example:80"));
        assertEquals(Optional.empty(), write("kafru", "https://ops.example", null, "10.1.2.3:8080"), "kafru.admin.allowed-origins");

        assertTrue(write("kafru", "http://evil.example", null, "localhost:8080").orElse("")
                .contains("Origin 'http://evil.example' is not this server (localhost:8080)"));
        assertTrue(write("kafru", null, "http://evil.example/x", "localhost:8080").orElse("").contains("Referer"));
        assertTrue(write("kafru", "http://evil.example", "http://localhost:8080/kafru/", "localhost:8080").isPresent(),
                "the Origin decides when there is one");
        for (String origin : new String[]{"null", "http://localhost:8081", "http://localhost.evil.example:8080",
                "file://", "", "not a url"}) {
            assertTrue(write("kafru", origin, null, "localhost:8080").isPresent(), origin);
        }
        assertTrue(write("kafru", "http://localhost:8080", null, null).isPresent(), "no Host to compare with");
    }

    @Test
    void allowedOriginsAreWrittenAsOriginsWithoutDefaultPorts() {
        assertEquals("https://ops.example", CrossSiteRule.origin("https://OPS.example:443/"));
        assertEquals("http://ops.example:8080", CrossSiteRule.origin("http://ops.example:8080"));
        assertEquals("", CrossSiteRule.origin("ops.example"));
        assertEquals(Set.of("https://ops.example", "http://10.0.0.5:8080"),
                CrossSiteRule.allowedOrigins(" https://ops.example:443 , http://10.0.0.5:8080,"));
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> CrossSiteRule.allowedOrigins("https://ops.example,ops.example"));
        assertTrue(bad.getMessage().contains("kafru.admin.allowed-origins entry 'ops.example' is not an origin"), bad.getMessage());
    }
}
