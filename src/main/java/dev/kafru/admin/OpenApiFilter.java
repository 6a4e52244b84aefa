package dev.kafru.admin;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.examples.Example;
import org.eclipse.microprofile.openapi.models.media.MediaType;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Completes the generated OpenAPI document for kafru's paths: the answers every operation may
 * give (401, 403, 429, 500, 503, and 415 where a body is read) as problem+json with examples,
 * the header {@code X-Requested-By} every write needs ({@link CrossSiteRule}), path
 * parameters marked required, and JSON examples as JSON rather than as strings. A response that
 * refers to a shared one ({@link ProblemResponses}) is completed there, under the status code the
 * operation gives it, so that the document says the same as if it were written inline. Registered in
 * kafru.war with {@code mp.openapi.filter=dev.kafru.admin.OpenApiFilter}; an application that
 * embeds kafru adds the same line to its own configuration.
 */
public class OpenApiFilter implements OASFilter {

    private static final String PREFIX = "/kafru/api/";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        Map<String, APIResponse> shared = openAPI.getComponents() == null || openAPI.getComponents().getResponses() == null
                ? Map.of() : openAPI.getComponents().getResponses();
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith(PREFIX) || path.equals("/kafru/api")) {
                item.getOperations().forEach((method, operation) -> complete(method, operation, shared));
            }
        });
    }

    private static void complete(PathItem.HttpMethod method, Operation operation, Map<String, APIResponse> shared) {
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        boolean write = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
        add(responses, "401", "no or wrong credentials (HTTP Basic)", Examples.UNAUTHORIZED);
        add(responses, "403", write ? "the user lacks role kafru-admin, or the write could come from a page on another site:"
                + " it lacks the header " + CrossSiteRule.HEADER + ", or its Origin (Referer) is not this server"
                : "the user lacks role kafru-viewer or kafru-admin", Examples.FORBIDDEN);
        if (write) {
            APIResponse forbidden = responses.getAPIResponse("403");
            MediaType problem = forbidden.getContent() == null ? null : forbidden.getContent().getMediaType(Problem.MEDIA_TYPE);
            if (problem != null) {
                problem.addExample("cross-site", OASFactory.createExample().value(json(Examples.CROSS_SITE)));
            }
            if (operation.getParameters() == null || operation.getParameters().stream()
                    .noneMatch(p -> CrossSiteRule.HEADER.equalsIgnoreCase(p.getName()))) {
                operation.addParameter(OASFactory.createParameter().name(CrossSiteRule.HEADER).in(Parameter.In.HEADER)
                        .required(true).description("any value (the dashboard sends kafru): a header no cross-site HTML form"
                                + " can send, so that a hostile page cannot write with an operator's cached credentials")
                        // no Schema.type: it changed signature between MP OpenAPI 3.1 (Payara) and 4 (WildFly 39)
                        .schema(OASFactory.createSchema().description("any text"))
                        .example("kafru"));
            }
        }
        add(responses, "429", "too many failed logins for this user or from this address: the credentials were not checked;"
                + " try again after Retry-After seconds", Examples.TOO_MANY_LOGINS);
        responses.getAPIResponse("429").addHeader("Retry-After", OASFactory.createHeader()
                .description("seconds until logins are checked again")
                .schema(OASFactory.createSchema().description("whole seconds")));
        if (operation.getRequestBody() != null) {
            add(responses, "415", "the body is not sent as application/json", null);
        }
        add(responses, "500", "an unexpected failure; the server log has it under the ref in detail", null);
        add(responses, "503", "SurrealDB could not answer; try again", null);
        if (operation.getParameters() != null) {
            for (Parameter parameter : operation.getParameters()) {
                if (parameter.getIn() == Parameter.In.PATH) {
                    parameter.setRequired(true);
                }
            }
        }
        if (operation.getRequestBody() != null && operation.getRequestBody().getContent() != null) {
            operation.getRequestBody().getContent().getMediaTypes().values().forEach(OpenApiFilter::parseExamples);
        }
        responses.getAPIResponses().forEach((code, given) -> {
            APIResponse r = resolve(given, shared);
            if (r.getContent() != null) {
                r.getContent().getMediaTypes().values().forEach(OpenApiFilter::parseExamples);
                MediaType problem = r.getContent().getMediaType(Problem.MEDIA_TYPE);
                if (problem != null && (problem.getExamples() == null || problem.getExamples().isEmpty())) {
                    problem.addExample("problem", OASFactory.createExample().value(example(code, r.getDescription())));
                }
            }
        });
    }

    /**
     * The response itself, or the shared response it refers to ({@code #/components/responses/NAME}).
     * Completing a shared one again for another operation changes nothing: its examples are JSON
     * already, and it has an example.
     */
    private static APIResponse resolve(APIResponse response, Map<String, APIResponse> shared) {
        String ref = response.getRef();
        if (ref == null) {
            return response;
        }
        return shared.getOrDefault(ref.substring(ref.lastIndexOf('/') + 1), response);
    }

    private static void add(APIResponses responses, String code, String description, String example) {
        if (responses.hasAPIResponse(code)) {
            return;
        }
        MediaType media = OASFactory.createMediaType()
                .schema(OASFactory.createSchema().ref(ProblemResponses.PROBLEM_SCHEMA));
        if (example != null) {
            media.addExample("problem", OASFactory.createExample().value(json(example)));
        }
        APIResponse response = OASFactory.createAPIResponse().description(description)
                .content(OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE, media));
        responses.addAPIResponse(code, response);
    }

    /** A problem body for a status, its detail taken from the response's description. */
    private static Map<String, Object> example(String code, String description) {
        int status = Integer.parseInt(code);
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:kafru:problem:" + title.toLowerCase().replace(' ', '-'));
        problem.put("title", title);
        problem.put("status", status);
        problem.put("detail", description == null ? title : description);
        problem.put("instance", "/kafru/api/...");
        problem.put("invalidFields", null);
        return problem;
    }

    private static void parseExamples(MediaType media) {
        if (media.getExamples() == null) {
            return;
        }
        for (Example example : media.getExamples().values()) {
            if (example.getValue() instanceof String text && (text.startsWith("{") || text.startsWith("["))) {
                example.setValue(json(text));
            }
        }
    }

    /** JSON text as maps, lists, strings, numbers, booleans and nulls (what the document writer serializes). */
    static Object json(String text) {
        try (var reader = Json.createReader(new StringReader(text))) {
            return java(reader.readValue());
        }
    }

    private static Object java(JsonValue value) {
        return switch (value.getValueType()) {
            case OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                ((JsonObject) value).forEach((k, v) -> map.put(k, java(v)));
                yield map;
            }
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                ((JsonArray) value).forEach(v -> list.add(java(v)));
                yield list;
            }
            case STRING -> ((JsonString) value).getString();
            case NUMBER -> ((JsonNumber) value).isIntegral() ? (Object) ((JsonNumber) value).longValue()
                    : ((JsonNumber) value).doubleValue();
            case TRUE -> Boolean.TRUE;
            case FALSE -> Boolean.FALSE;
            case NULL -> null;
        };
    }
}
