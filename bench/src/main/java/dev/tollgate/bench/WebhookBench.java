package dev.tollgate.bench;

import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.FreePorts;
import dev.tollgate.devstack.LocalRun;
import dev.tollgate.devstack.ServiceProcess;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.devstack.StripeTestEvent;
import dev.tollgate.testing.TestIssuer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verified Stripe webhook events applied per second by the packaged billing-service, with deduplication: signed
 * {@code customer.subscription.updated} events for many tenants (each a real change of plan, so each is applied,
 * stored and announced through the outbox) mixed with redeliveries of events already sent, posted by a fixed
 * number of concurrent senders as fast as billing answers.
 */
public final class WebhookBench {

    private static final String SECRET = StripeTestEvent.LOCAL_SECRET;

    private WebhookBench() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tollgate.root", ".")).toAbsolutePath().normalize();
        Path work = root.resolve("bench/target");
        int events = Integer.getInteger("bench.events", 30_000);
        int warmupEvents = Integer.getInteger("bench.warmup-events", 5_000);
        int senders = Integer.getInteger("bench.senders", 32);
        int tenants = Integer.getInteger("bench.tenants", 2_000);
        double duplicates = Double.parseDouble(System.getProperty("bench.duplicates", "0.1"));

        DevStack stack = DevStack.start(work.resolve("devstack-webhooks"), DevStack.Ports.ANY, false);
        StripeEmulator stripe = StripeEmulator.start(0);
        ServiceProcess billing = null;
        Vertx vertx = Vertx.vertx();
        try {
            int port = FreePorts.pick();
            Map<String, String> config = LocalRun.localProfile(stack);
            config.put("quarkus.log.level", "WARN");
            config.put("tollgate.billing.stripe.api-base", stripe.apiBase());
            // billing verifies access tokens on its other endpoints; webhooks need none
            config.putAll(TestIssuer.shared().verifierConfig());
            billing = ServiceProcess.launch(root, "billing", port, config,
                    List.of(System.getProperty("bench.jvm", "-Xmx512m").trim().split("\\s+")),
                    work.resolve("bench-billing.log"));
            billing.ready(Duration.ofMinutes(3));
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                    new PoolOptions().setHttp1MaxSize(senders));

            run(vertx, client, port, workload(warmupEvents, tenants, duplicates, 1), senders);
            Result result = run(vertx, client, port, workload(events, tenants, duplicates, 2), senders);

            String report = "# Tollgate Stripe-webhook benchmark, " + Instant.now() + "\n\n"
                    + "Machine: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                    + System.getProperty("java.version") + "; billing-service packaged, local profile, on devstack's "
                    + "PostgreSQL and Kafka; " + senders + " concurrent senders; " + tenants + " tenants; "
                    + String.format("%.0f%%", duplicates * 100) + " of deliveries are redeliveries; "
                    + warmupEvents + " deliveries of warm-up first.\n\n"
                    + "| deliveries | applied | duplicates | other | seconds | deliveries/s | applied/s | p50 / p99 (ms) |\n"
                    + "|---|---|---|---|---|---|---|---|\n"
                    + String.format("| %,d | %,d | %,d | %,d | %.1f | %,.0f | %,.0f | %.1f / %.1f |%n",
                            result.latencies().length, result.applied(), result.duplicates(), result.other(), result.seconds(),
                            result.latencies().length / result.seconds(), result.applied() / result.seconds(),
                            result.percentile(50), result.percentile(99));
            BenchReport.write(work, "webhook-report.md", report);
        } finally {
            if (billing != null) {
                billing.stop(Duration.ofSeconds(20));
            }
            vertx.close();
            stripe.close();
            stack.close();
        }
        System.exit(0);
    }

    /**
     * {@code count} deliveries: subscription updates alternating each tenant between basic and pro, one second
     * apart in Stripe's time, with {@code duplicates} of them redeliveries of an event sent earlier.
     */
    private static List<String> workload(int count, int tenants, double duplicates, int round) {
        Random random = new Random(42 + round);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < tenants; i++) {
            ids.add(UUID.randomUUID());
        }
        long base = System.currentTimeMillis() / 1000 - 3600;
        int[] changes = new int[tenants];
        List<String> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (!sent.isEmpty() && random.nextDouble() < duplicates) {
                sent.add(sent.get(random.nextInt(sent.size())));
                continue;
            }
            int tenant = i % tenants;
            int change = changes[tenant]++;
            UUID id = ids.get(tenant);
            sent.add("""
                    {"id":"evt_bench_%s","object":"event","api_version":"2025-03-31.basil","created":%d,"livemode":false,
                     "type":"customer.subscription.updated","data":{"object":{"id":"sub_bench_%s","object":"subscription",
                     "customer":"cus_bench_%s","status":"active","cancel_at_period_end":false,"metadata":{"tenant_id":"%s"},
                     "items":{"object":"list","has_more":false,"data":[{"id":"si_bench_%s","object":"subscription_item",
                     "current_period_start":%d,"current_period_end":%d,
                     "price":{"id":"%s","object":"price","currency":"usd"}}]}}}}"""
                    .formatted(UUID.randomUUID().toString().replace("-", ""), base + change, id, id, id, id, base,
                            base + 30L * 86400, change % 2 == 0 ? "price_local_pro" : "price_local_basic"));
        }
        return sent;
    }

    record Result(long[] latencies, long applied, long duplicates, long other, double seconds) {
        double percentile(int p) {
            return BenchReport.percentileMillis(latencies, p);
        }
    }

    /** {@code senders} closed loops, each posting its next delivery when the previous one is answered. */
    private static Result run(Vertx vertx, HttpClient client, int port, List<String> deliveries, int senders)
            throws InterruptedException {
        long[] latencies = new long[deliveries.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicLong applied = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong other = new AtomicLong();
        CountDownLatch finished = new CountDownLatch(senders);
        long start = System.nanoTime();
        for (int s = 0; s < senders; s++) {
            vertx.runOnContext(ignored -> send(client, port, deliveries, next, done, latencies, applied, duplicates,
                    other, finished));
        }
        if (!finished.await(30, TimeUnit.MINUTES)) {
            System.err.println("the run did not finish in 30 minutes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(Arrays.copyOf(latencies, done.get()), applied.get(), duplicates.get(), other.get(), seconds);
    }

    private static void send(HttpClient client, int port, List<String> deliveries, AtomicInteger next,
            AtomicInteger done, long[] latencies, AtomicLong applied, AtomicLong duplicates,
            AtomicLong other, CountDownLatch finished) {
        int index = next.getAndIncrement();
        if (index >= deliveries.size()) {
            finished.countDown();
            return;
        }
        String body = deliveries.get(index);
        String signature;
        try {
            signature = StripeTestEvent.signature(body, System.currentTimeMillis() / 1000, SECRET);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        long started = System.nanoTime();
        client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI("/billing/webhooks/stripe")
                .putHeader("content-type", "application/json")
                .putHeader("stripe-signature", signature))
                .compose(request -> request.send(Buffer.buffer(body)))
                .compose(response -> response.body().map(answer -> response.statusCode() + " " + answer))
                .onComplete(outcome -> {
                    latencies[done.getAndIncrement()] = System.nanoTime() - started;
                    String answer = outcome.succeeded() ? outcome.result() : "failed " + outcome.cause();
                    if (answer.startsWith("200") && answer.contains("\"applied\"")) {
                        applied.incrementAndGet();
                    } else if (answer.startsWith("200") && answer.contains("\"duplicate\"")) {
                        duplicates.incrementAndGet();
                    } else if (other.incrementAndGet() == 1) {
                        System.err.println("first unexpected answer: " + answer);
                    }
                    send(client, port, deliveries, next, done, latencies, applied, duplicates, other, finished);
                });
    }
}
