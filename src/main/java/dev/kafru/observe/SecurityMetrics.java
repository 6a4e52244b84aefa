package dev.kafru.observe;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * The admin API's login metrics (application scope; Prometheus names in brackets):
 * {@code kafru.admin.login.failures} [kafru_admin_login_failures_total] — Basic logins refused
 * for a wrong password or unreadable credentials; {@code kafru.admin.login.lockouts}
 * [kafru_admin_login_lockouts_total], tag {@code by} ({@code user} or {@code address}) — locks
 * begun after repeated failures. Both are exported at 0 from the start. Without MP Metrics
 * (WildFly) nothing is recorded.
 */
@ApplicationScoped
public class SecurityMetrics {

    static final String LOGIN_FAILURES = "kafru.admin.login.failures";
    static final String LOCKOUTS = "kafru.admin.login.lockouts";

    /** For looking up the MetricRegistry without naming its type here (see {@link MetricsRecorder}). */
    @Inject
    @Any
    Instance<Object> beans;

    private volatile MetricsRecorder recorder;

    void onStart(@Observes @Initialized(ApplicationScoped.class) Object event) {
        MetricsRecorder r = recorder();
        r.countTagged(LOGIN_FAILURES, null, null, 0);
        r.countTagged(LOCKOUTS, "by", "user", 0);
        r.countTagged(LOCKOUTS, "by", "address", 0);
    }

    public void loginFailed() {
        recorder().countTagged(LOGIN_FAILURES, null, null, 1);
    }

    /** @param by {@code user} or {@code address} */
    public void lockedOut(String by) {
        recorder().countTagged(LOCKOUTS, "by", by, 1);
    }

    private MetricsRecorder recorder() {
        MetricsRecorder r = recorder;
        if (r == null) {
            r = MetricsRecorder.detect(beans);
            recorder = r;
        }
        return r;
    }
}
