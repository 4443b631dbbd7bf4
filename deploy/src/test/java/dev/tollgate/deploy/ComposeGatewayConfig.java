package dev.tollgate.deploy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The compose gateway's {@code nginx.conf}, as far as the checks need it: the ports it listens on, its
 * {@code location} blocks with their directives (quoted strings kept whole, so that braces in a JSON body do not
 * end a block) and the directives outside every location, which the locations inherit.
 */
final class ComposeGatewayConfig {

    /** A route location as the config writes it: {@code location ~ ^/prefix(/|$) { ... }}. */
    private static final Pattern ROUTE = Pattern.compile("~\\s+\\^(\\S+?)\\(/\\|\\$\\)");
    private static final Pattern LISTEN = Pattern.compile("(?m)^\\s*listen\\s+(?:[\\d.]+:)?(\\d+)");
    private static final Pattern UPSTREAM = Pattern.compile("https?://([a-z0-9.-]+):(\\d+)");

    private final String text;
    private final List<Location> locations = new ArrayList<>();
    private final String outsideLocations;

    private ComposeGatewayConfig(String text) {
        this.text = text;
        StringBuilder outside = new StringBuilder();
        int i = 0;
        Matcher location = Pattern.compile("\\blocation\\s+([^{]+)\\{").matcher(text);
        while (location.find(i)) {
            int end = closingBrace(text, location.end() - 1);
            outside.append(text, i, location.start());
            locations.add(new Location(location.group(1).trim(), text.substring(location.end(), end)));
            i = end + 1;
        }
        this.outsideLocations = outside.append(text.substring(i)).toString();
    }

    static ComposeGatewayConfig read(Path file) {
        return new ComposeGatewayConfig(SuiteSources.read(file).replaceAll("(?m)(^|\\s)#.*$", "$1"));
    }

    List<Integer> listenPorts() {
        List<Integer> ports = new ArrayList<>();
        Matcher matcher = LISTEN.matcher(text);
        while (matcher.find()) {
            ports.add(Integer.parseInt(matcher.group(1)));
        }
        return ports;
    }

    /**
     * The route locations (those that pass requests on) by the path prefix they match ({@code \.} unescaped), in
     * the file's order.
     */
    Map<String, Location> routes() {
        Map<String, Location> routes = new LinkedHashMap<>();
        for (Location location : locations) {
            Matcher matcher = ROUTE.matcher(location.match());
            // a route passes requests on; a location that only answers (internal endpoints) is none
            if (matcher.matches() && !location.values("proxy_pass").isEmpty()) {
                routes.put(matcher.group(1).replace("\\.", "."), location);
            }
        }
        return routes;
    }

    /** Where {@code location} stands among the file's locations (regex locations are tried in this order). */
    int position(Location location) {
        return locations.indexOf(location);
    }

    /** The location written exactly as {@code match}, e.g. {@code = /healthz} or {@code /}. */
    Optional<Location> location(String match) {
        return locations.stream().filter(location -> location.match().equals(match)).findFirst();
    }

    /** The value of a directive set outside every location (server or http level), e.g. {@code proxy_read_timeout}. */
    List<String> inherited(String directive) {
        return values(outsideLocations, directive);
    }

    private static List<String> values(String block, String directive) {
        List<String> values = new ArrayList<>();
        Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(directive) + "\\s+"
                + "((?:\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'|[^;\"'])*);").matcher(block);
        while (matcher.find()) {
            values.add(matcher.group(1).trim());
        }
        return values;
    }

    private static int closingBrace(String text, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '{') {
                depth++;
            } else if (!quoted && c == '}' && --depth == 0) {
                return i;
            }
        }
        throw new AssertionError("nginx.conf: a block without its closing brace");
    }

    /** nginx's time notation ({@code 600s}, {@code 10m}, {@code 1h}, bare seconds). */
    static Duration duration(String value) {
        Matcher matcher = Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(value.trim());
        if (!matcher.matches()) {
            throw new AssertionError("nginx.conf: not a time: " + value);
        }
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
    }

    /** One {@code location} block: what it matches and its body. */
    record Location(String match, String body) {

        List<String> values(String directive) {
            return ComposeGatewayConfig.values(body, directive);
        }

        /** The {@code host:port} its {@code proxy_pass} reaches, with {@code set $variable} values filled in. */
        Optional<String> upstream() {
            List<String> passes = values("proxy_pass");
            if (passes.isEmpty()) {
                return Optional.empty();
            }
            String pass = passes.get(0);
            Matcher set = Pattern.compile("(?m)^\\s*set\\s+(\\$\\w+)\\s+([^;]+);").matcher(body);
            while (set.find()) {
                pass = pass.replace(set.group(1), set.group(2).trim());
            }
            Matcher upstream = UPSTREAM.matcher(pass);
            return upstream.lookingAt() ? Optional.of(upstream.group(1) + ":" + upstream.group(2)) : Optional.empty();
        }
    }
}
