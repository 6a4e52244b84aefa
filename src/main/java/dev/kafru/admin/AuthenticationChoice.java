package dev.kafru.admin;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.Extension;
import jakarta.enterprise.inject.spi.ProcessAnnotatedType;
import jakarta.enterprise.inject.spi.ProcessBean;
import jakarta.security.enterprise.authentication.mechanism.http.HttpAuthenticationMechanism;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;

/**
 * Chooses who authenticates kafru's admin callers ({@code kafru.admin.authentication}):
 * {@code basic} (default) — kafru's own Basic mechanism and users; {@code container} — kafru's
 * mechanism is removed and the application's own (OIDC, form, a company SSO…) logs callers in,
 * kafru checking only their roles kafru-viewer / kafru-admin. Jakarta Security allows one
 * mechanism per application: with two, every request fails (WELD-001318, ambiguous), so an
 * application that has its own and keeps {@code basic} fails deployment with a message saying so.
 */
public class AuthenticationChoice implements Extension {

    static final String KEY = "kafru.admin.authentication";
    private static final Logger LOG = Logger.getLogger(AuthenticationChoice.class.getName());

    private String mode;
    private final Set<String> others = new TreeSet<>();

    void choose(@Observes ProcessAnnotatedType<KafruAuthentication> type) {
        mode = ConfigProvider.getConfig().getOptionalValue(KEY, String.class).orElse("basic").trim();
        if (mode.equals("container")) {
            type.veto();
        }
    }

    void notice(@Observes ProcessBean<?> bean) {
        if (bean.getBean().getTypes().contains(HttpAuthenticationMechanism.class)
                && !KafruAuthentication.class.equals(bean.getBean().getBeanClass())) {
            others.add(bean.getBean().getBeanClass().getName());
        }
    }

    void check(@Observes AfterDeploymentValidation validation) {
        // a value other than basic or container fails the deployment in dev.kafru.config.SettingsCheck
        if ("container".equals(mode) && others.isEmpty()) {
            LOG.warning(KEY + "=container, but this application has no HttpAuthenticationMechanism bean: unless the"
                    + " container authenticates callers some other way, nobody can log in to kafru's admin API");
        } else if ("basic".equals(mode) && !others.isEmpty()) {
            validation.addDeploymentProblem(new IllegalStateException("this application has its own"
                    + " HttpAuthenticationMechanism (" + String.join(", ", others) + ") and kafru's admin API has one too;"
                    + " Jakarta Security allows one: set " + KEY + "=container so that yours logs kafru's admin callers in"
                    + " (give them role kafru-admin or kafru-viewer)"));
        }
    }
}
