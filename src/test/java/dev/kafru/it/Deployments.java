package dev.kafru.it;

import dev.kafru.testing.SurrealLauncher;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;

/**
 * The WAR that integration tests deploy: the built {@code target/kafru.war}, pointed at a
 * SurrealDB launcher that this JVM starts (one for all IT classes).
 */
public final class Deployments {

    static final String CONFIG = "WEB-INF/classes/META-INF/microprofile-config.properties";

    private Deployments() {
    }

    public static SurrealLauncher launcher() {
        return SurrealLauncher.shared();
    }

    /** kafru.war plus the given test classes, configured for this JVM's launcher. */
    public static WebArchive kafru(String database, Class<?>... testClasses) {
        return kafru(database, java.util.List.of(), testClasses);
    }

    /** kafru.war plus the given test classes, with more configuration lines (key=value). */
    public static WebArchive kafru(String database, java.util.List<String> moreConfig, Class<?>... testClasses) {
        File war = new File(System.getProperty("kafru.war", "target/kafru.war"));
        WebArchive archive = ShrinkWrap.create(WebArchive.class, database + ".war")
                .merge(ShrinkWrap.createFromZipFile(WebArchive.class, war));
        if (archive.contains(CONFIG)) {
            archive.delete(CONFIG);
        }
        String config = String.join("\n",
                databaseConfig(database),
                "kafru.queues=default:5,second:3",
                "kafru.worker.retry-base=50ms",
                "kafru.sample.enabled=false",
                "kafru.agent.heartbeat=500ms",
                "kafru.agent.expiry=5s",
                "kafru.metrics.interval=500ms",
                "mp.openapi.filter=dev.kafru.admin.OpenApiFilter",
                String.join("\n", moreConfig),
                "");
        archive.addAsResource(new StringAsset(config), "META-INF/microprofile-config.properties");
        archive.addClasses(testClasses);
        archive.addClass(Deployments.class);
        archive.addPackage(SurrealLauncher.class.getPackage());
        archive.addAsLibraries(jarOf(org.awaitility.Awaitility.class), jarOf(org.hamcrest.Matcher.class));
        return archive;
    }

    /** The configuration lines that point kafru at this JVM's launcher, database {@code database}. */
    static String databaseConfig(String database) {
        SurrealLauncher db = launcher();
        return String.join("\n",
                "kafru.db.host=127.0.0.1",
                "kafru.db.port=" + db.port(),
                "kafru.db.username=" + SurrealLauncher.USER,
                "kafru.db.password=" + SurrealLauncher.PASSWORD.replace("\\", "\\\\"),
                "kafru.db.namespace=kafru_it",
                "kafru.db.name=" + database);
    }

    private static File jarOf(Class<?> type) {
        try {
            return new File(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
