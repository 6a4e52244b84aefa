package dev.kafru.admin;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.microprofile.config.Config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;

/**
 * Refuses a write to the admin API that a page on another site could make ({@link CrossSiteRule})
 * before JAX-RS reads anything: so a cross-site form post is a 403 naming what gives it away
 * whatever the path, rather than a 415 for its form body or a 404. {@link AdminGuard} applies the
 * same rule again where an application's metadata-complete web.xml leaves this filter out.
 */
@WebFilter(filterName = "kafru-cross-site", urlPatterns = "/kafru/api/*", asyncSupported = true)
public class CrossSiteFilter extends HttpFilter {

    private static final long serialVersionUID = 1L;
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Inject
    transient Config config;

    private transient volatile Set<String> origins;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!SAFE.contains(request.getMethod())) {
            Optional<String> refusal = CrossSiteRule.refusal(request, origins());
            if (refusal.isPresent()) {
                JsonText.drainRequest(request);
                Problem problem = ProblemException.crossSite(refusal.get()).at(request.getRequestURI()).problem();
                response.setStatus(403);
                response.setContentType(Problem.MEDIA_TYPE);
                response.setCharacterEncoding("UTF-8");
                response.getOutputStream().write(JsonText.write(problem).getBytes(StandardCharsets.UTF_8));
                return;
            }
        }
        chain.doFilter(request, response);
    }

    private Set<String> origins() {
        if (origins == null) {
            origins = CrossSiteRule.allowedOrigins(config);
        }
        return origins;
    }
}
