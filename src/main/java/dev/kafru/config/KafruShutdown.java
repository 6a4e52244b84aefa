package dev.kafru.config;

import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

import java.io.IOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Stops kafru cleanly when the web application stops: fires {@link ApplicationStopping} from
 * {@code contextDestroyed}, before the container tears CDI down. Found by annotation scanning
 * in kafru.war and in an application that embeds kafru-classes.jar.
 *
 * <p>On Payara a redeploy stops the application's class loader before it stops the
 * application: from then on no class can be loaded through it ({@code IllegalStateException:
 * This web container has not yet been started}), so a shutdown path that touches a class for
 * the first time fails (it was logged as WELD-000019 on every redeploy, and the connection was
 * never closed). So every kafru class is loaded when the application starts: loading a few
 * hundred small classes takes milliseconds.
 */
@WebListener
public class KafruShutdown implements ServletContextListener {

    private static final Logger LOG = Logger.getLogger(KafruShutdown.class.getName());
    private static final String ROOT = "dev/kafru/";

    @Inject
    BeanManager beans;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        int loaded = preloadKafruClasses();
        LOG.fine(() -> "kafru loaded " + loaded + " classes ahead of any shutdown");
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (beans == null) {
            LOG.fine("no CDI in this web application: kafru stops when its beans are destroyed");
            return;
        }
        try {
            beans.getEvent().select(ApplicationStopping.class).fire(new ApplicationStopping());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "kafru could not stop cleanly: " + e, e);
        }
    }

    /** Loads (without initialising) every class under dev/kafru/ beside this one; returns how many. */
    static int preloadKafruClasses() {
        ClassLoader loader = KafruShutdown.class.getClassLoader();
        int loaded = 0;
        for (String name : kafruClassNames()) {
            try {
                Class.forName(name, false, loader);
                loaded++;
            } catch (ClassNotFoundException | LinkageError e) {
                // e.g. the MP Metrics seam where MP Metrics is absent: it is never used there
                LOG.log(Level.FINEST, "kafru did not preload " + name, e);
            }
        }
        return loaded;
    }

    private static List<String> kafruClassNames() {
        URL self = KafruShutdown.class.getResource("KafruShutdown.class");
        List<String> names = new ArrayList<>();
        if (self == null) {
            return names;
        }
        try {
            if ("jar".equals(self.getProtocol())) {
                JarURLConnection connection = (JarURLConnection) self.openConnection();
                connection.setUseCaches(false);
                try (JarFile jar = new JarFile(connection.getJarFileURL().getPath())) {
                    Enumeration<JarEntry> entries = jar.entries();
                    while (entries.hasMoreElements()) {
                        addClassName(entries.nextElement().getName(), names);
                    }
                }
            } else if ("file".equals(self.getProtocol())) {
                Path root = Path.of(self.toURI());
                for (int i = KafruShutdown.class.getName().split("\\.").length; i > 0; i--) {
                    root = root.getParent(); // up from dev/kafru/config/KafruShutdown.class to the classes directory
                }
                Path top = root;
                try (Stream<Path> files = Files.walk(top.resolve(ROOT))) {
                    files.forEach(f -> addClassName(top.relativize(f).toString().replace('\\', '/'), names));
                }
            }
            // other protocols (WildFly's vfs:) do not stop the class loader first; nothing to do
        } catch (IOException | URISyntaxException | RuntimeException e) {
            LOG.log(Level.FINE, "kafru could not list its classes to preload them", e);
        }
        return names;
    }

    private static void addClassName(String path, List<String> names) {
        if (path.startsWith(ROOT) && path.endsWith(".class") && !path.endsWith("module-info.class")) {
            names.add(path.substring(0, path.length() - ".class".length()).replace('/', '.'));
        }
    }
}
