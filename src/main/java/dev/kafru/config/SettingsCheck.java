package dev.kafru.config;

import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterDeploymentValidation;
import jakarta.enterprise.inject.spi.Extension;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

import java.util.List;
import java.util.logging.Logger;

/**
 * Parses every configured {@code kafru.*} value when the application is deployed ({@link Settings}):
 * a bad one fails the deployment with one message naming each bad key, its value and an example,
 * rather than leaving the application up with the feature silently off. A {@code kafru.*} key
 * (or {@code KAFRU_*} variable) kafru does not read is logged as a WARNING naming the nearest it does.
 */
public class SettingsCheck implements Extension {

    private static final Logger LOG = Logger.getLogger(SettingsCheck.class.getName());

    void check(@Observes AfterDeploymentValidation validation) {
        Config config = ConfigProvider.getConfig();
        List<String> problems = Settings.problems(config);
        if (!problems.isEmpty()) {
            validation.addDeploymentProblem(new IllegalStateException("kafru's configuration has " + problems.size()
                    + (problems.size() == 1 ? " bad value" : " bad values") + ":\n  " + String.join("\n  ", problems)));
        }
        for (String unknown : Settings.unknown(config.getPropertyNames())) {
            LOG.warning("kafru configuration: " + unknown);
        }
    }
}
