package dev.tollgate.common.request;

import dev.tollgate.common.security.SecurityConfig;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client's address for per-client limits (sign-in links, unknown API keys) and session records. The connection's peer,
 * unless the peer is one
 * of {@code tollgate.security.trusted-proxies}: then {@code X-Forwarded-For} is read from the right, past every trusted
 * proxy, and the first address no trusted proxy owns is the client (what a client writes into the header itself
 * stays to the left of what its gateway appends, so it is never taken). Quarkus' own forwarding takes the
 * left-most address, which the client chooses; it is left on for the host and scheme only.
 */
// made at start-up, so that a wrong trusted-proxies entry stops the start instead of failing requests
@io.quarkus.runtime.Startup
@ApplicationScoped
public class ClientAddress {

    private final List<Cidr> trusted;

    @jakarta.inject.Inject
    public ClientAddress(SecurityConfig config) {
        this(config.trustedProxies());
        if (org.eclipse.microprofile.config.ConfigProvider.getConfig()
                .getOptionalValue(RENAMED, String.class).isPresent()) {
            // an operator's setting that would otherwise be ignored in silence, every client then seen as its proxy
            throw new IllegalStateException(RENAMED + " (TOLLGATE_AUTH_TRUSTED_PROXIES) is now "
                    + "tollgate.security.trusted-proxies (TOLLGATE_SECURITY_TRUSTED_PROXIES): set that instead");
        }
    }

    /** The name {@code tollgate.security.trusted-proxies} had when only auth-service read it. */
    static final String RENAMED = "tollgate.auth.trusted-proxies";

    ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(Cidr::parse).toList();
    }

    public String of(HttpServerRequest request) {
        SocketAddress peer = request.connection() == null ? request.remoteAddress()
                : request.connection().remoteAddress();
        String peerAddress = peer == null ? null : peer.hostAddress();
        if (peerAddress == null) {
            return "unknown";
        }
        return client(peerAddress, request.headers().getAll("X-Forwarded-For"));
    }

    /** The client, given the connection's peer and the {@code X-Forwarded-For} headers as received. */
    String client(String peer, List<String> forwardedFor) {
        if (!isTrusted(peer)) {
            return peer;
        }
        List<String> hops = new ArrayList<>();
        forwardedFor.forEach(header -> {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.trim());
                }
            }
        });
        for (int i = hops.size() - 1; i >= 0; i--) {
            String hop = withoutPort(hops.get(i));
            if (!isTrusted(hop)) {
                // what the nearest trusted proxy says, even if it is no address ("unknown"): its own bucket
                return hop.length() > 64 ? hop.substring(0, 64) : hop;
            }
        }
        // every hop is a trusted proxy (a client inside a trusted range): the one the nearest proxy saw
        return hops.isEmpty() ? peer : withoutPort(hops.get(hops.size() - 1));
    }

    /**
     * The bucket a per-client limit counts {@code client} in: an IPv4 address as it is (an IPv4-mapped IPv6 one
     * too), an IPv6 address by its /64 network (a single host is usually given a whole /64, and could otherwise
     * take a new address for every request), anything else as it is.
     */
    public static String bucket(String client) {
        InetAddress address = Cidr.address(client);
        if (address instanceof java.net.Inet6Address) {
            byte[] bytes = address.getAddress();
            return java.util.HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
        }
        return address != null ? address.getHostAddress() : client;
    }

    /** {@code 1.2.3.4:5678} and {@code [2001:db8::1]:443} as proxies that append the port write them. */
    static String withoutPort(String hop) {
        if (hop.startsWith("[") && hop.contains("]")) {
            return hop.substring(1, hop.indexOf(']'));
        }
        if (IPV4.matcher(hop).matches() || hop.indexOf(':') < 0) {
            return hop;
        }
        int colon = hop.lastIndexOf(':');
        return hop.indexOf(':') == colon && IPV4.matcher(hop.substring(0, colon)).matches() ? hop.substring(0, colon)
                : hop;
    }

    private static final java.util.regex.Pattern IPV4 = java.util.regex.Pattern
            .compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");

    private boolean isTrusted(String address) {
        InetAddress parsed = Cidr.address(address);
        return parsed != null && trusted.stream().anyMatch(cidr -> cidr.contains(parsed));
    }

    /** An address range such as {@code 10.0.0.0/8}, {@code ::1} or {@code 127.0.0.1}. */
    record Cidr(byte[] network, int bits) {

        static Cidr parse(String text) {
            String[] parts = text.trim().split("/");
            InetAddress address = address(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("tollgate.security.trusted-proxies: '" + text + "' is not an address "
                        + "or range such as 10.0.0.0/8");
            }
            byte[] bytes = address.getAddress();
            int bits;
            try {
                bits = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : bytes.length * 8;
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (parts.length > 2 || bits < 0 || bits > bytes.length * 8) {
                throw new IllegalArgumentException("tollgate.security.trusted-proxies: '" + text + "' has no valid prefix "
                        + "length (0 to " + bytes.length * 8 + ")");
            }
            return new Cidr(bytes, bits);
        }

        boolean contains(InetAddress candidate) {
            byte[] bytes = candidate.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < bits; bit++) {
                int mask = 0x80 >> (bit % 8);
                if ((bytes[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }

        /** A literal IPv4 or IPv6 address (never a host name: nothing is looked up), or null. */
        static InetAddress address(String text) {
            String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            // an IPv4 literal in full, or IPv6 (a colon, which no host name has): getByName then parses, never resolves
            boolean ipv4 = IPV4.matcher(literal).matches();
            boolean ipv6 = literal.indexOf(':') >= 0 && literal.matches("[0-9a-fA-F:.]+");
            if (!ipv4 && !ipv6) {
                return null;
            }
            try {
                return InetAddress.getByName(literal);
            } catch (UnknownHostException e) {
                return null;
            }
        }
    }
}
