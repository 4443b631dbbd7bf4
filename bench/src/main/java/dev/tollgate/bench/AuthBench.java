package dev.tollgate.bench;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.devstack.ServiceProcess;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;

/**
 * Measures auth-service as a user of it would see it: refresh-token rotations per second through its HTTP API
 * (the packaged service, on devstack's real PostgreSQL and Redis), per CPU second that the service process
 * spent; and access-token verifications per second per core in a resource server's verifier (smallrye-jwt,
 * in process, against the service's real JWKS and a token it issued). Prints the figures and writes
 * bench/target/bench-report.md.
 *
 * <pre>
 * ./mvnw -B -q -DskipTests install && ./mvnw -q -pl bench exec:java
 * </pre>
 *
 * Properties: bench.seconds (measured time per figure, default 30), bench.warmup (10), bench.sessions (16 chains
 * of refreshes in flight), bench.auth.jvm (extra JVM options for auth-service, e.g. a flight recording).
 */
public final class AuthBench {

    private static final Pattern TOKEN = Pattern.compile("\"refresh_token\":\"([^\"]+)\"");
    private static final Pattern ACCESS = Pattern.compile("\"access_token\":\"([^\"]+)\"");

    private AuthBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int seconds = Integer.getInteger("bench.seconds", 30);
        int warmup = Integer.getInteger("bench.warmup", 10);
        int sessions = Integer.getInteger("bench.sessions", 16);

        deleteRecursively(work.resolve("devstack"));
        DevStack stack = DevStack.start(work.resolve("devstack"), DevStack.Ports.ANY, false);
        int port = freePort();
        Map<String, String> config = LocalRun.localProfile(stack);
        config.put("tollgate.tokens.issuer", "http://localhost:" + port);
        config.put("quarkus.log.level", "WARN");
        List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
        String extra = System.getProperty("bench.auth.jvm", "");
        if (!extra.isBlank()) {
            jvm.addAll(List.of(extra.trim().split("\\s+")));
        }
        ServiceProcess auth = ServiceProcess.launch(root, "auth", port, config, jvm, work.resolve("bench-auth.log"));
        try {
            auth.ready(Duration.ofMinutes(3));
            String base = "http://127.0.0.1:" + port;
            List<String> chains = seed(stack, sessions);
            Map<String, String> report = new LinkedHashMap<>();
            report.put("machine", Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version"));
            report.put("sessions in flight", String.valueOf(sessions));

            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String[] lastAccess = new String[1];
            runRefreshes(http, base, chains, Duration.ofSeconds(warmup), lastAccess);
            long cpuBefore = BenchReport.cpuMillis(auth.pid());
            Result refresh = runRefreshes(http, base, chains, Duration.ofSeconds(seconds), lastAccess);
            long cpuMillis = BenchReport.cpuMillis(auth.pid()) - cpuBefore;
            double perSecond = refresh.count() / refresh.seconds();
            double perCpuSecond = cpuMillis > 0 ? refresh.count() / (cpuMillis / 1000.0) : Double.NaN;
            report.put("refresh rotations/s (wall, whole machine)", format(perSecond));
            report.put("auth-service CPU seconds used", format(cpuMillis / 1000.0));
            report.put("refresh rotations per auth-service CPU second (per core)", format(perCpuSecond));
            report.put("refresh latency p50 / p99 (ms)", format(refresh.percentile(50)) + " / "
                    + format(refresh.percentile(99)));
            report.put("refresh failures", String.valueOf(refresh.failures()));

            String jwks = http.send(HttpRequest.newBuilder(URI.create(base + "/.well-known/jwks.json")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            double verifications = verifyPerSecond(lastAccess[0], jwks, "http://localhost:" + port,
                    Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
            report.put("access-token verifications/s on one core (smallrye-jwt, ES256)", format(verifications));

            StringBuilder text = new StringBuilder("# Tollgate auth benchmark, " + Instant.now() + "\n\n");
            text.append("| figure | value |\n|---|---|\n");
            report.forEach((key, value) -> text.append("| ").append(key).append(" | ").append(value).append(" |\n"));
            BenchReport.write(work, "bench-report.md", text);
        } finally {
            auth.stop(Duration.ofSeconds(20));
            stack.close();
        }
    }

    /** Rotations done, failures, wall time and per-request latencies of one measured run. */
    record Result(long count, long failures, double seconds, long[] latenciesNanos) {
        double percentile(int p) {
            return BenchReport.percentileMillis(latenciesNanos, p);
        }
    }

    /** Each chain refreshes, takes the new refresh token and refreshes again, until time is up. */
    private static Result runRefreshes(HttpClient http, String base, List<String> chains, Duration duration,
            String[] lastAccess) throws InterruptedException {
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<long[]> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < chains.size(); i++) {
            int chain = i;
            long[] mine = new long[200_000];
            latencies.add(mine);
            Thread worker = new Thread(() -> {
                int n = 0;
                while (running.get()) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/token"))
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token="
                                        + chains.get(chain)))
                                .build(), HttpResponse.BodyHandlers.ofString());
                        Matcher next = TOKEN.matcher(response.body());
                        if (response.statusCode() == 200 && next.find()) {
                            chains.set(chain, next.group(1));
                            Matcher access = ACCESS.matcher(response.body());
                            if (access.find()) {
                                lastAccess[0] = access.group(1);
                            }
                            done.incrementAndGet();
                            if (n < mine.length) {
                                mine[n++] = System.nanoTime() - t0;
                            }
                        } else {
                            failed.incrementAndGet();
                        }
                    } catch (IOException e) {
                        failed.incrementAndGet();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                latencies.set(chain, Arrays.copyOf(mine, n));
            }, "refresh-chain-" + chain);
            worker.start();
            workers.add(worker);
        }
        Thread.sleep(duration.toMillis());
        running.set(false);
        for (Thread worker : workers) {
            worker.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(done.get(), failed.get(), seconds,
                latencies.stream().flatMapToLong(Arrays::stream).toArray());
    }

    /** Verifies the same token over and over on this thread, as a resource server's verifier does per request. */
    private static double verifyPerSecond(String token, String jwks, String issuer, Duration warmup, Duration measured)
            throws Exception {
        PublicJsonWebKey key = (PublicJsonWebKey) new JsonWebKeySet(jwks).getJsonWebKeys().get(0);
        PublicKey publicKey = key.getPublicKey();
        JWTAuthContextInfo info = new JWTAuthContextInfo(publicKey, issuer);
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.ES256));
        info.setExpectedAudience(Set.of("tollgate"));
        DefaultJWTParser parser = new DefaultJWTParser(info);
        long end = System.nanoTime() + warmup.toNanos();
        while (System.nanoTime() < end) {
            parser.parse(token);
        }
        long count = 0;
        long start = System.nanoTime();
        end = start + measured.toNanos();
        while (System.nanoTime() < end) {
            parser.parse(token);
            count++;
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** Users, their personal tenants and one session each, with refresh tokens the bench knows. */
    private static List<String> seed(DevStack stack, int sessions) throws Exception {
        List<String> tokens = new ArrayList<>();
        SecureRandom random = new SecureRandom();
        try (Connection db = DriverManager.getConnection(stack.postgres().jdbcUrl(), PostgresServer.USER,
                PostgresServer.PASSWORD)) {
            for (int i = 0; i < sessions; i++) {
                UUID user = UUID.randomUUID();
                UUID tenant = UUID.randomUUID();
                UUID family = UUID.randomUUID();
                byte[] bytes = new byte[32];
                random.nextBytes(bytes);
                String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                execute(db, "insert into auth.users (id, email) values (?, ?)", user, "bench-" + user + "@example.com");
                execute(db, "insert into auth.tenants (id, name, personal) values (?, 'bench', true)", tenant);
                execute(db, "insert into auth.memberships (tenant_id, user_id, role) values (?, ?, 'owner')", tenant, user);
                execute(db, "insert into auth.refresh_families (id, user_id, tenant_id) values (?, ?, ?)",
                        family, user, tenant);
                execute(db, "insert into auth.refresh_tokens (token_hash, family_id, expires_at) "
                        + "values (?, ?, now() + interval '1 day')", sha256(token), family);
                tokens.add(token);
            }
        }
        return java.util.Collections.synchronizedList(tokens);
    }

    private static void execute(Connection db, String sql, Object... params) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            statement.executeUpdate();
        }
    }

    private static String sha256(String value) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String format(double value) {
        return String.format("%,.1f", value);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
