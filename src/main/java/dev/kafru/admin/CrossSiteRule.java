package dev.kafru.admin;

import jakarta.servlet.http.HttpServletRequest;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Which writes a hostile page cannot make: a browser sends the operator's cached Basic
 * credentials with a cross-site form too, so a write (POST, PUT, DELETE, PATCH) is taken only
 * <ul>
 * <li>with the header {@value #HEADER} (any value; the dashboard sends {@code kafru}) — an HTML
 * form cannot send a header of its own, and a cross-site script that adds one needs a CORS
 * preflight, which kafru never answers with permission; and</li>
 * <li>when it names where it comes from ({@code Origin}, or {@code Referer} when there is no
 * Origin), from this server: the host and port the request was sent to (its {@code Host}
 * header; the scheme is not compared, since one host and port serve one site, and a proxy that
 * ends TLS passes https pages on as http), or one of {@code kafru.admin.allowed-origins}
 * (behind a proxy that rewrites Host).</li>
 * </ul>
 * A script or curl sends no Origin: it adds {@code -H 'X-Requested-By: kafru'} to its writes.
 *
 * <p>Example: {@code curl -u admin:PW -H 'X-Requested-By: kafru' -X POST .../kafru/api/queues/default/pause}
 */
public final class CrossSiteRule {

    static final String HEADER = "X-Requested-By";
    static final String ALLOWED_ORIGINS = "kafru.admin.allowed-origins";

    private CrossSiteRule() {
    }

    /** The allowed origins configured in {@link #ALLOWED_ORIGINS} (none: only the server's own). */
    static Set<String> allowedOrigins(org.eclipse.microprofile.config.Config config) {
        return allowedOrigins(config.getOptionalValue(ALLOWED_ORIGINS, String.class).orElse(""));
    }

    /**
     * The origins of {@code kafru.admin.allowed-origins}: comma-separated {@code scheme://host[:port]}.
     *
     * @throws IllegalArgumentException naming an entry that is not an origin
     */
    public static Set<String> allowedOrigins(String value) {
        Set<String> origins = new java.util.LinkedHashSet<>();
        for (String entry : value.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) {
                continue;
            }
            String origin = origin(e);
            if (origin.isEmpty() || !(origin.startsWith("http://") || origin.startsWith("https://"))) {
                throw new IllegalArgumentException(ALLOWED_ORIGINS + " entry '" + e + "' is not an origin: write scheme://host[:port],"
                        + " e.g. https://ops.example.com");
            }
            origins.add(origin);
        }
        return Set.copyOf(origins);
    }

    /** Why the write must be refused, naming what is missing or foreign; empty when it may go on. */
    static Optional<String> refusal(HttpServletRequest request, Set<String> allowedOrigins) {
        return refusal(request.getHeader(HEADER), request.getHeader("Origin"), request.getHeader("Referer"),
                request.getHeader("Host"), allowedOrigins);
    }

    static Optional<String> refusal(String requestedBy, String origin, String referer, String host, Set<String> allowedOrigins) {
        if (requestedBy == null || requestedBy.isBlank()) {
            return Optional.of("a write needs the header " + HEADER + " (any value, e.g. '" + HEADER + ": kafru'), which a"
                    + " cross-site HTML form cannot send; scripts add it (curl -H '" + HEADER + ": kafru')");
        }
        boolean fromOrigin = origin != null;
        String claimed = fromOrigin ? origin.trim() : referer == null ? null : referer.trim();
        if (claimed == null) {
            return Optional.empty();
        }
        String header = fromOrigin ? "Origin" : "Referer";
        if (isOwn(claimed, host) || allowedOrigins.contains(origin(claimed))) {
            return Optional.empty();
        }
        return Optional.of("the " + header + " '" + JsonText.abbreviate(claimed) + "' is not this server ("
                + (host == null ? "no Host header" : host) + "): kafru takes writes from a browser only from its own pages"
                + " (list other origins in " + ALLOWED_ORIGINS + ")");
    }

    /** Whether {@code url} (an origin or a referring page) has the host and port of the Host header. */
    static boolean isOwn(String url, String host) {
        if (host == null || host.isBlank()) {
            return false;
        }
        URI uri = parse(url);
        if (uri == null || uri.getHost() == null) {
            return false;
        }
        int defaultPort = defaultPort(uri.getScheme());
        int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
        URI server = parse("http://" + host.trim());
        if (server == null || server.getHost() == null) {
            return false;
        }
        // a Host without a port is the default one of the scheme the browser used, which the Origin carries
        int serverPort = server.getPort() < 0 ? defaultPort : server.getPort();
        return port >= 0 && port == serverPort && uri.getHost().toLowerCase(Locale.ROOT).equals(server.getHost().toLowerCase(Locale.ROOT));
    }

    /** scheme://host[:port] of a URL, lower case, without a default port; "" when it is none. */
    static String origin(String url) {
        URI uri = parse(url);
        if (uri == null || uri.getScheme() == null || uri.getHost() == null) {
            return "";
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        boolean defaultPort = uri.getPort() < 0 || uri.getPort() == defaultPort(scheme);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + uri.getPort());
    }

    private static int defaultPort(String scheme) {
        if (scheme == null) {
            return -1;
        }
        return switch (scheme.toLowerCase(Locale.ROOT)) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }

    private static URI parse(String text) {
        try {
            return new URI(text);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
