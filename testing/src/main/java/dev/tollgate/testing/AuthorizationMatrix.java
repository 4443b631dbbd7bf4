package dev.tollgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClass;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;

/**
 * Every operation of a service against every kind of credential, checked against the operation's written policy
 * ({@code @Access}): a refused pair gets exactly 401 (no credential) or 403 with one of the policy's problem types, an
 * allowed pair gets neither. The operations are those of the running service's OpenAPI document together with every
 * resource method found in its classes (so a route left out of the document is still tried); an operation without
 * a policy fails. The expected answer is worked out here from the policy, independently of the filter that
 * enforces it. A social sign-in route, authenticated by the provider's code flow, must send every caller to the
 * provider or refuse them: no Tollgate credential lets anyone in there.
 */
public final class AuthorizationMatrix {

    /** The user id the test configuration names as platform operator ({@code tollgate.security.operators}). */
    public static final UUID OPERATOR = UUID.fromString("0e7a7012-0000-4000-8000-000000000001");
    /** The service clients of the suite and the scopes their tokens carry. */
    public static final Map<String, Set<String>> CLIENTS = Map.of("generation", Set.of("internal", "api-keys:verify"),
            "account", Set.of("internal"), "billing", Set.of("internal"));

    private static final Set<String> POLICY_REFUSALS = Set.of("credential-not-accepted", "missing-scope",
            "role-required", "client-not-allowed", "operator-required");
    private static final List<String> HTTP = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    /** Tenant roles from least to most. */
    private static final List<String> ROLES = List.of("member", "admin", "owner");

    /**
     * An endpoint's {@code @Access} as plain values, read by reflection ({@code common}'s tests use this module, so
     * it cannot depend on {@code common}).
     */
    public record Policy(boolean anonymous, String session, Set<String> apiKey, Set<String> services,
            String serviceScope, boolean operator) {

        static final String ACCESS = "dev.tollgate.common.security.Access";

        /** The {@code @Access} among {@code annotations}, or null. */
        static Policy of(java.lang.annotation.Annotation[] annotations) {
            for (java.lang.annotation.Annotation annotation : annotations) {
                if (annotation.annotationType().getName().equals(ACCESS)) {
                    Object[] session = (Object[]) read(annotation, "session");
                    return new Policy((Boolean) read(annotation, "anonymous"),
                            session.length == 0 ? null : (String) read(session[0], "value"),
                            Arrays.stream((Object[]) read(annotation, "apiKey"))
                                    .map(scope -> (String) read(scope, "value")).collect(java.util.stream.Collectors.toSet()),
                            Set.of((String[]) read(annotation, "services")),
                            (String) read(annotation, "serviceScope"), (Boolean) read(annotation, "operator"));
                }
            }
            return null;
        }

        /** Every scope of the catalogue in code. */
        static List<String> scopeCatalogue() {
            try {
                return Arrays.stream(Class.forName("dev.tollgate.common.security.Scope").getEnumConstants())
                        .map(scope -> (String) read(scope, "value")).toList();
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the service has no dev.tollgate.common.security.Scope", e);
            }
        }

        private static Object read(Object target, String attribute) {
            try {
                Class<?> type = target instanceof java.lang.annotation.Annotation annotation ? annotation.annotationType()
                        : target.getClass();
                return type.getMethod(attribute).invoke(target);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + attribute + " of " + target, e);
            }
        }
    }

    /** Signs the credentials the matrix presents, as the service's issuer would. */
    public interface Tokens {

        String session(UUID user, UUID tenant, String role);

        String apiKey(UUID user, UUID tenant, Set<String> scopes);

        String service(String client, Set<String> scopes);

        /**
         * A {@code tg_live_} key itself with {@code scopes}, for a service that takes keys as bearer credentials
         * (generation, as OpenAI's SDKs send them); null where keys are exchanged for tokens first.
         */
        default String rawApiKey(UUID user, UUID tenant, Set<String> scopes) {
            return null;
        }
    }

    /** A credential of the matrix and what it is. */
    public record Credential(String name, Kind kind, String role, Set<String> scopes, String client, String token) {

        boolean isAnonymous() {
            return kind == Kind.ANONYMOUS;
        }
    }

    public enum Kind {
        ANONYMOUS,
        SESSION,
        OPERATOR,
        API_KEY,
        SERVICE
    }

    /** One operation: method, path template and its policy (null when it has none). */
    public record Operation(String method, String path, Policy policy, boolean providerFlow) {
    }

    private AuthorizationMatrix() {
    }

    /** Credentials signed by the JVM's {@link TestIssuer}, for the services that verify tokens against a JWKS. */
    public static Tokens signedByTestIssuer() {
        return new Tokens() {
            @Override
            public String session(UUID user, UUID tenant, String role) {
                JwtClaims claims = TestIssuer.claims(user, tenant, role);
                claims.setClaim("auth_time", System.currentTimeMillis() / 1000);
                return TestIssuer.shared().sign(claims);
            }

            @Override
            public String apiKey(UUID user, UUID tenant, Set<String> scopes) {
                return TestIssuer.shared().sign(TestIssuer.apiKeyClaims(user, tenant, UUID.randomUUID(),
                        scopes.toArray(String[]::new)));
            }

            @Override
            public String service(String client, Set<String> scopes) {
                return TestIssuer.shared().sign(Callers.serviceClaims(client, scopes));
            }
        };
    }

    /** The credentials every matrix presents. */
    public static List<Credential> credentials(Tokens tokens) {
        UUID tenant = UUID.randomUUID();
        List<Credential> all = new ArrayList<>();
        all.add(new Credential("anonymous", Kind.ANONYMOUS, null, Set.of(), null, null));
        for (String role : ROLES) {
            all.add(new Credential(role + " session", Kind.SESSION, role, Set.of(), null,
                    tokens.session(UUID.randomUUID(), tenant, role)));
        }
        all.add(new Credential("owner session of another tenant", Kind.SESSION, "owner", Set.of(), null,
                tokens.session(UUID.randomUUID(), UUID.randomUUID(), "owner")));
        all.add(new Credential("operator session", Kind.OPERATOR, "member", Set.of(), null,
                tokens.session(OPERATOR, tenant, "member")));
        all.add(new Credential("API key without scopes", Kind.API_KEY, null, Set.of(), null,
                tokens.apiKey(UUID.randomUUID(), tenant, Set.of())));
        for (String scope : Policy.scopeCatalogue()) {
            all.add(new Credential("API key with " + scope, Kind.API_KEY, null, Set.of(scope), null,
                    tokens.apiKey(UUID.randomUUID(), tenant, Set.of(scope))));
        }
        // the key itself, where the service takes it: each scope and none, judged as the token exchanged from it
        List<Set<String>> keyScopes = new ArrayList<>();
        keyScopes.add(Set.of());
        Policy.scopeCatalogue().forEach(scope -> keyScopes.add(Set.of(scope)));
        for (Set<String> scopes : keyScopes) {
            String raw = tokens.rawApiKey(UUID.randomUUID(), tenant, scopes);
            if (raw != null) {
                all.add(new Credential("tg_live_ key " + (scopes.isEmpty() ? "without scopes" : "with " + scopes),
                        Kind.API_KEY, null, scopes, null, raw));
            }
        }
        CLIENTS.forEach((client, scopes) -> all.add(new Credential("service " + client, Kind.SERVICE, null, scopes,
                client, tokens.service(client, scopes))));
        return all;
    }

    /** The service's operations: its OpenAPI document's and its resource methods', each with its policy. */
    public static List<Operation> operations(String service) {
        Map<String, Operation> found = new TreeMap<>();
        resourceMethods(service).forEach(operation -> found.put(operation.method() + " " + operation.path(), operation));
        Map<String, Object> paths = JsonPath.from(RestAssured.given().accept(ContentType.JSON)
                .get("/q/openapi?format=json").then().statusCode(200).extract().asString()).getMap("paths");
        List<String> unmatched = new ArrayList<>();
        paths.forEach((path, item) -> ((Map<?, ?>) item).keySet().stream().map(String::valueOf)
                .map(method -> method.toUpperCase(Locale.ROOT)).filter(HTTP::contains)
                .forEach(method -> {
                    if (!found.containsKey(method + " " + normalized(path))) {
                        unmatched.add(method + " " + path);
                    }
                }));
        if (!unmatched.isEmpty()) {
            fail("operations in the OpenAPI document without a resource method and policy: " + unmatched);
        }
        return List.copyOf(found.values());
    }

    /** Presents every credential to every operation and fails listing every pair that got the wrong answer. */
    public static void check(String service, Tokens tokens) {
        List<Credential> credentials = credentials(tokens);
        List<Operation> operations = operations(service);
        List<String> wrong = new ArrayList<>();
        List<String> missing = operations.stream().filter(operation -> operation.policy() == null)
                .map(operation -> operation.method() + " " + operation.path()).toList();
        if (!missing.isEmpty()) {
            fail("operations without an @Access policy: " + missing);
        }
        int pairs = 0;
        for (Operation operation : operations) {
            for (Credential credential : credentials) {
                if (!operation.providerFlow() && operation.policy().anonymous() && !credential.isAnonymous()
                        && credential.kind() != Kind.API_KEY) {
                    continue; // an anonymous endpoint ignores credentials: the keys are tried besides no credential
                }
                pairs++;
                Expected expected = operation.providerFlow() ? Expected.TO_THE_PROVIDER
                        : expected(operation.policy(), credential);
                Response response = send(operation, credential);
                String problem = type(response);
                boolean ok = switch (expected) {
                    // a 500 is no answer of the policy either way, but a fault (a 503 of a dependency is not)
                    case ALLOWED -> response.statusCode() != 401 && response.statusCode() != 403
                            && response.statusCode() != 500;
                    case UNAUTHORIZED -> response.statusCode() == 401;
                    case FORBIDDEN -> response.statusCode() == 403 && POLICY_REFUSALS.contains(problem);
                    case TO_THE_PROVIDER -> Set.of(302, 303, 401).contains(response.statusCode())
                            || (response.statusCode() == 403 && problem.equals("provider-sign-in-required"));
                };
                if (!ok) {
                    wrong.add(String.format("%-7s %-45s %-32s expected %-12s got %d %s", operation.method(),
                            operation.path(), credential.name(), expected, response.statusCode(), problem));
                }
            }
        }
        assertEquals(List.of(), wrong, service + ": " + wrong.size() + " of " + pairs + " pairs answered against "
                + "their policy:\n" + String.join("\n", wrong));
    }

    enum Expected {
        ALLOWED,
        UNAUTHORIZED,
        FORBIDDEN,
        /** A provider's sign-in flow: sent to the provider or refused, never let in by a Tollgate credential. */
        TO_THE_PROVIDER
    }

    /** What the policy says a credential gets, worked out from the policy's words alone. */
    static Expected expected(Policy policy, Credential credential) {
        if (policy.anonymous()) {
            return Expected.ALLOWED;
        }
        return switch (credential.kind()) {
            case ANONYMOUS -> Expected.UNAUTHORIZED;
            case OPERATOR -> policy.operator() || sessionMay(policy, credential.role()) ? Expected.ALLOWED
                    : Expected.FORBIDDEN;
            case SESSION -> sessionMay(policy, credential.role()) ? Expected.ALLOWED : Expected.FORBIDDEN;
            case API_KEY -> !policy.apiKey().isEmpty() && credential.scopes().containsAll(policy.apiKey())
                    ? Expected.ALLOWED
                    : Expected.FORBIDDEN;
            case SERVICE -> policy.services().contains(credential.client())
                    && credential.scopes().contains(policy.serviceScope()) ? Expected.ALLOWED : Expected.FORBIDDEN;
        };
    }

    private static boolean sessionMay(Policy policy, String role) {
        return policy.session() != null && ROLES.indexOf(role) >= ROLES.indexOf(policy.session());
    }

    private static Response send(Operation operation, Credential credential) {
        RequestSpecification request = RestAssured.given().redirects().follow(false);
        if (!credential.isAnonymous()) {
            request.auth().oauth2(credential.token());
        }
        if (!operation.method().equals("GET") && !operation.method().equals("DELETE")) {
            request.contentType(ContentType.JSON).body("{}");
        }
        String path = operation.path().replaceAll("\\{[^}]+}", UUID.randomUUID().toString());
        return request.request(operation.method(), path);
    }

    private static String type(Response response) {
        String contentType = response.contentType();
        if (contentType == null || !contentType.contains("json")) {
            return "";
        }
        try {
            String type = response.jsonPath().getString("type");
            String openAiCode = response.jsonPath().getString("error.code");
            if (type == null && openAiCode != null) {
                // OpenAI's envelope (generation-service's /v1): its code is the problem's slug in snake case
                return openAiCode.replace('_', '-');
            }
            return type == null ? "" : type.substring(type.lastIndexOf('/') + 1);
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** The resource methods of the service's classes, with their paths and policies. */
    static List<Operation> resourceMethods(String service) {
        List<Operation> operations = new ArrayList<>();
        for (JavaClass type : ServiceArchitecture.productionClasses()) {
            if (!type.getPackageName().startsWith("dev.tollgate." + service + ".")
                    || !type.isAnnotatedWith("jakarta.ws.rs.Path") || ServiceArchitecture.isRestClient(type)) {
                continue;
            }
            Class<?> resource = type.reflect();
            String base = resource.getAnnotation(jakarta.ws.rs.Path.class).value();
            for (Method method : resource.getMethods()) {
                String verb = verb(method);
                if (verb == null) {
                    continue;
                }
                jakarta.ws.rs.Path sub = method.getAnnotation(jakarta.ws.rs.Path.class);
                String path = normalized(base + (sub == null ? "" : "/" + sub.value()));
                Policy own = Policy.of(method.getAnnotations());
                // a sign-in route that a provider's code flow authenticates (quarkus-oidc's @Authenticated)
                boolean providerFlow = Arrays.stream(method.getAnnotations())
                        .anyMatch(annotation -> annotation.annotationType().getName()
                                .equals("io.quarkus.security.Authenticated"));
                operations.add(new Operation(verb, path, own != null ? own : Policy.of(resource.getAnnotations()),
                        providerFlow));
            }
        }
        return operations;
    }

    private static String verb(Method method) {
        Map<Class<? extends java.lang.annotation.Annotation>, String> verbs = new LinkedHashMap<>();
        verbs.put(jakarta.ws.rs.GET.class, "GET");
        verbs.put(jakarta.ws.rs.POST.class, "POST");
        verbs.put(jakarta.ws.rs.PUT.class, "PUT");
        verbs.put(jakarta.ws.rs.PATCH.class, "PATCH");
        verbs.put(jakarta.ws.rs.DELETE.class, "DELETE");
        return verbs.entrySet().stream().filter(entry -> method.isAnnotationPresent(entry.getKey()))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** A path template with single slashes, no trailing slash, and parameters named {p}. */
    static String normalized(String path) {
        String plain = ("/" + path).replaceAll("/+", "/").replaceAll("\\{[^}]+}", "{p}");
        return plain.length() > 1 && plain.endsWith("/") ? plain.substring(0, plain.length() - 1) : plain;
    }
}
