package dev.tollgate.devstack;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.logging.Logger;

/**
 * Stripe's API on loopback for the local run and the tests: WireMock answering with Stripe's recorded responses
 * (the mappings under {@code stripe-emulator/mappings} on the classpath), templated so that ids are fresh and
 * what the caller sent (customer, tenant, price, cancel-at-period-end) comes back as Stripe would return it.
 * It keeps no state: a subscription read back has the basic plan's price. Its checkout and portal pages say how to
 * send the webhook that Stripe would send next.
 */
public final class StripeEmulator implements AutoCloseable {

    /** The port the local run prefers (stripe-mock's). */
    public static final int LOCAL_PORT = 12111;

    private static final Logger LOG = Logger.getLogger(StripeEmulator.class.getName());
    private static StripeEmulator shared;

    private final WireMockServer server;

    private StripeEmulator(WireMockServer server) {
        this.server = server;
    }

    public static StripeEmulator start(int port) {
        WireMockServer server = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .port(port)
                .usingFilesUnderClasspath("stripe-emulator")
                .globalTemplating(true)
                .maxRequestJournalEntries(10_000)
                .containerThreads(16)
                .jettyAcceptors(1));
        server.start();
        LOG.info(() -> "Stripe emulator on http://127.0.0.1:" + server.port());
        return new StripeEmulator(server);
    }

    /** The one emulator of this JVM, on a free port, stopped when the JVM exits. */
    public static synchronized StripeEmulator shared() {
        if (shared == null) {
            StripeEmulator emulator = start(FreePorts.pick());
            Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "stripe-emulator-stop"));
            shared = emulator;
        }
        return shared;
    }

    public int port() {
        return server.port();
    }

    /** The base URL to give stripe-java ({@code setApiBase}). */
    public String apiBase() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
