package dev.kafru.surrealdb;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach SurrealDB.
 *
 * @param url            {@code ws://host:port/rpc}
 * @param username       root user
 * @param password       its password
 * @param namespace      namespace to {@code use}
 * @param database       database to {@code use}
 * @param requestTimeout how long one request may wait for its answer (including waiting for a reconnect)
 * @param reconnectMin   first reconnect delay; it doubles on each failure
 * @param reconnectMax   longest reconnect delay
 */
public record SurrealSettings(URI url, String username, String password, String namespace, String database,
                              Duration requestTimeout, Duration reconnectMin, Duration reconnectMax) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 4030;
    public static final String DEFAULT_USERNAME = "kafru_admin";
    public static final String DEFAULT_PASSWORD = "kafru_password";
    public static final String DEFAULT_NAMESPACE = "kafru";
    public static final String DEFAULT_DATABASE = "kafru_db";

    public SurrealSettings {
        Objects.requireNonNull(url, "url");
        String scheme = url.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("kafru.db.url must be a ws:// or wss:// URL such as ws://127.0.0.1:4030/rpc, not '" + url + "'");
        }
        requireText(username, "kafru.db.username");
        requireText(password, "kafru.db.password");
        requireText(namespace, "kafru.db.namespace");
        requireText(database, "kafru.db.name");
        requestTimeout = requestTimeout == null ? Duration.ofSeconds(30) : requestTimeout;
        reconnectMin = reconnectMin == null ? Duration.ofMillis(100) : reconnectMin;
        reconnectMax = reconnectMax == null ? Duration.ofSeconds(5) : reconnectMax;
    }

    /** Settings with the default timeouts. */
    public static SurrealSettings of(URI url, String username, String password, String namespace, String database) {
        return new SurrealSettings(url, username, password, namespace, database, null, null, null);
    }

    /** {@code ws://host:port/rpc}, the URL used when {@code kafru.db.url} is not set. */
    public static URI urlFor(String host, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("kafru.db.port must be between 1 and 65535, not " + port);
        }
        requireText(host, "kafru.db.host");
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create("ws://" + h + ":" + port + "/rpc");
    }

    public SurrealSettings withRequestTimeout(Duration timeout) {
        return new SurrealSettings(url, username, password, namespace, database, timeout, reconnectMin, reconnectMax);
    }

    public SurrealSettings withPassword(String newPassword) {
        return new SurrealSettings(url, username, newPassword, namespace, database, requestTimeout, reconnectMin, reconnectMax);
    }

    private static void requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
    }

    @Override
    public String toString() {
        return "SurrealSettings[url=" + url + ", username=" + username + ", namespace=" + namespace
                + ", database=" + database + "]";
    }
}
