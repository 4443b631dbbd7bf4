package dev.tollgate.devstack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./tollgate redrive}: a platform operator's hold on the services' dead letters (events a consumer could not
 * apply), through the gateway ({@code TOLLGATE_URL}, the local run's by default) with the operator's access token
 * ({@code TOLLGATE_TOKEN}).
 * <ul>
 * <li>{@code redrive list}: every service's open dead letters;</li>
 * <li>{@code redrive [service]}: re-drive the open dead letters of every service (or of one), 50 a call, all of
 * them;</li>
 * <li>{@code redrive <service> <id>}: re-drive one;</li>
 * <li>{@code redrive discard <service> <id> <reason>}: close one without applying it.</li>
 * </ul>
 * Exits 1 when a call fails or a re-drive failed again, so a script can tell.
 */
public final class Redrive {

    /** How many dead letters one call re-drives at most (DeadLetters.PASS). */
    static final int PAGE = 50;

    /** Each service's path prefix on the gateway. */
    static final Map<String, String> PREFIXES = prefixes();

    private Redrive() {
    }

    public static void main(String[] args) throws Exception {
        String token = System.getenv("TOLLGATE_TOKEN");
        if (token == null || token.isBlank()) {
            usage("TOLLGATE_TOKEN must hold the access token of a platform operator (tollgate.security.operators)");
        }
        String base = System.getenv().getOrDefault("TOLLGATE_URL", "http://localhost:" + Gateway.LOCAL_PORT);
        URI url = URI.create(base);
        if ("http".equals(url.getScheme()) && !List.of("localhost", "127.0.0.1", "[::1]").contains(url.getHost())) {
            System.err.println("tollgate redrive: warning: " + base + " is plain HTTP; the operator's token crosses "
                    + "the network unencrypted (use https://)");
        }
        Client client = new Client(base, token);
        boolean ok;
        if (args.length == 1 && args[0].equals("list")) {
            ok = list(client);
        } else if (args.length >= 4 && args[0].equals("discard")) {
            ok = discard(client, prefix(args[1]), id(args[2]),
                    String.join(" ", Arrays.copyOfRange(args, 3, args.length)));
        } else if (args.length == 2) {
            ok = redrive(client, args[0], "/" + prefix(args[0]) + "/operator/dead-letters/" + id(args[1]) + "/redrive",
                    false);
        } else if (args.length <= 1) {
            if (args.length == 1) {
                prefix(args[0]); // a service it knows, or the usage
            }
            ok = true;
            for (Map.Entry<String, String> service : PREFIXES.entrySet()) {
                if (args.length == 0 || args[0].equals(service.getKey())) {
                    ok &= redrive(client, service.getKey(),
                            "/" + service.getValue() + "/operator/dead-letters/redrive", true);
                }
            }
        } else {
            usage("unexpected arguments: " + String.join(" ", args));
            return;
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean list(Client client) throws Exception {
        boolean ok = true;
        int open = 0;
        for (Map.Entry<String, String> service : PREFIXES.entrySet()) {
            HttpResponse<String> answer = client.send("GET", "/" + service.getValue() + "/operator/dead-letters", null);
            if (answer.statusCode() != 200) {
                System.out.println(service.getKey() + ": " + answer.statusCode() + " " + answer.body());
                ok = false;
                continue;
            }
            for (Object item : new JsonArray(answer.body())) {
                JsonObject letter = (JsonObject) item;
                open++;
                System.out.printf("%s %d  %s on %s, event %s, %d attempt(s), next %s%n    %s%n", service.getKey(),
                        letter.getLong("id"), letter.getString("consumer"), letter.getString("topic"),
                        letter.getString("eventId", "(unreadable)"), letter.getInteger("attempts"),
                        letter.getString("nextAttemptAt", "by an operator"), letter.getString("lastError"));
            }
        }
        System.out.println(open + " open dead letter(s)");
        return ok;
    }

    /** Re-drives through {@code path}; for every open dead letter ({@code all}), page after page of 50. */
    private static boolean redrive(Client client, String service, String path, boolean all) throws Exception {
        boolean ok = true;
        long after = 0;
        while (true) {
            HttpResponse<String> answer = client.send("POST", all ? path + "?after=" + after : path, null);
            if (answer.statusCode() != 200) {
                System.out.println(service + ": " + answer.statusCode() + " " + answer.body());
                return false;
            }
            JsonObject report = new JsonObject(answer.body());
            System.out.printf("%s: %d re-driven, %d applied before, %d failed%n", service, report.getLong("redriven"),
                    report.getLong("alreadyApplied"), report.getLong("failed"));
            JsonArray outcomes = report.getJsonArray("outcomes");
            for (Object item : outcomes) {
                JsonObject outcome = (JsonObject) item;
                after = Math.max(after, outcome.getLong("id"));
                if ("failed".equals(outcome.getString("result"))) {
                    System.out.printf("  %d (%s on %s): %s%n", outcome.getLong("id"), outcome.getString("consumer"),
                            outcome.getString("topic"), outcome.getString("error"));
                }
            }
            ok &= report.getLong("failed") == 0;
            if (!all || outcomes.size() < PAGE) {
                return ok;
            }
        }
    }

    private static boolean discard(Client client, String prefix, long id, String reason) throws Exception {
        HttpResponse<String> answer = client.send("POST", "/" + prefix + "/operator/dead-letters/" + id + "/discard",
                new JsonObject().put("reason", reason).encode());
        System.out.println(answer.statusCode() + " " + answer.body());
        return answer.statusCode() == 200;
    }

    private static String prefix(String service) {
        String prefix = PREFIXES.get(service);
        if (prefix == null) {
            usage("unknown service '" + service + "': one of " + String.join(", ", PREFIXES.keySet()));
        }
        return prefix;
    }

    private static long id(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            usage("'" + text + "' is not a dead letter's id (a number, as `./tollgate redrive list` shows)");
            return 0;
        }
    }

    private static void usage(String problem) {
        System.err.println("tollgate redrive: " + problem);
        System.err.println("usage: TOLLGATE_TOKEN=<operator token> ./tollgate redrive [list | <service> [<id>] | "
                + "discard <service> <id> <reason>]");
        System.err.println("  services: " + String.join(", ", PREFIXES.keySet()));
        System.exit(2);
    }

    private static Map<String, String> prefixes() {
        Map<String, String> prefixes = new LinkedHashMap<>();
        prefixes.put("auth", "auth");
        prefixes.put("billing", "billing");
        prefixes.put("generation", "generations");
        prefixes.put("metering", "usage");
        prefixes.put("account", "account");
        return prefixes;
    }

    /** Calls the gateway with the operator's token. */
    record Client(String base, String token) {

        HttpResponse<String> send(String method, String path, String body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json");
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
