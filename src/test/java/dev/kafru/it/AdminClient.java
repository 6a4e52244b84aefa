package dev.kafru.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** The admin API as a client sees it: HTTP with Basic credentials, JSON answers. */
final class AdminClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final URI base;
    private final String authorization;
    private final java.util.Map<String, String> headers;

    /**
     * Sent with every request unless left out ({@link #withoutRequestedBy()}): the admin API takes
     * writes only with it, as a script does (a cross-site form cannot send it).
     */
    static final java.util.Map<String, String> REQUESTED_BY = java.util.Map.of("X-Requested-By", "kafru-it");

    private AdminClient(URI base, String authorization) {
        this(base, authorization, REQUESTED_BY);
    }

    private AdminClient(URI base, String authorization, java.util.Map<String, String> headers) {
        this.base = base;
        this.authorization = authorization;
        this.headers = headers;
    }

    /** The same client, sending these headers too. */
    AdminClient withHeaders(java.util.Map<String, String> more) {
        java.util.Map<String, String> all = new java.util.HashMap<>(headers);
        all.putAll(more);
        return new AdminClient(base, authorization, java.util.Map.copyOf(all));
    }

    /** The same client without X-Requested-By, as an HTML form posts. */
    AdminClient withoutRequestedBy() {
        java.util.Map<String, String> all = new java.util.HashMap<>(headers);
        all.remove("X-Requested-By");
        return new AdminClient(base, authorization, java.util.Map.copyOf(all));
    }

    /** The client for {@code /kafru/api} of the deployment at {@code root}. */
    static AdminClient of(URL root, String user, String password) {
        return new AdminClient(URI.create(root.toString().replaceAll("/+$", "") + "/"), basic(user, password));
    }

    /** An anonymous GET of any address, such as a server's own /health or /metrics beside the application. */
    static Answer getAnonymously(URI address) {
        return new AdminClient(address, null).get(address.toString());
    }

    AdminClient as(String user, String password) {
        return new AdminClient(base, basic(user, password), headers);
    }

    AdminClient anonymous() {
        return new AdminClient(base, null, headers);
    }

    AdminClient withAuthorization(String header) {
        return new AdminClient(base, header, headers);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }

    record Answer(int status, java.net.http.HttpHeaders headers, String body) {

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        JsonValue json() {
            try (var reader = Json.createReader(new StringReader(body))) {
                return reader.readValue();
            }
        }

        JsonObject object() {
            return json().asJsonObject();
        }

        JsonArray array() {
            return json().asJsonArray();
        }

        boolean isProblem() {
            return contentType().startsWith("application/problem+json");
        }

        @Override
        public String toString() {
            return status + " " + contentType() + " " + (body.length() > 600 ? body.substring(0, 600) + "..." : body);
        }
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer post(String path, String json) {
        return send("POST", path, json);
    }

    Answer put(String path, String json) {
        return send("PUT", path, json);
    }

    Answer delete(String path) {
        return send("DELETE", path, null);
    }

    Answer send(String method, String path, String json) {
        return send(method, path, json == null ? null : json.getBytes(StandardCharsets.UTF_8), "application/json");
    }

    /** Any request; {@code path} is relative to the root (kafru/api/… or openapi). */
    Answer send(String method, String path, byte[] body, String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null && contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
