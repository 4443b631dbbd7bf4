package dev.tollgate.common.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client is the right-most address no trusted proxy owns, and only a trusted peer's header is read at all. */
class ClientAddressTest {

    private final ClientAddress addresses = new ClientAddress(List.of("127.0.0.1", "::1", "10.0.0.0/8"));

    @Test
    void everyCaseFindsItsClient() {
        Map<List<String>, String> cases = new LinkedHashMap<>();
        // peer, then X-Forwarded-For headers as received; the expected client
        cases.put(List.of("203.0.113.5"), "203.0.113.5");
        cases.put(List.of("203.0.113.5", "1.2.3.4"), "203.0.113.5");
        cases.put(List.of("127.0.0.1"), "127.0.0.1");
        cases.put(List.of("127.0.0.1", "198.51.100.7"), "198.51.100.7");
        cases.put(List.of("127.0.0.1", "6.6.6.6, 198.51.100.7"), "198.51.100.7");
        cases.put(List.of("10.2.3.4", "6.6.6.6, 198.51.100.7, 10.0.0.8"), "198.51.100.7");
        cases.put(List.of("10.2.3.4", "6.6.6.6", "198.51.100.7"), "198.51.100.7");
        // every hop trusted (a client inside a trusted range): the hop the nearest proxy saw, never the left-most
        cases.put(List.of("127.0.0.1", "10.0.0.1, 10.0.0.2"), "10.0.0.2");
        cases.put(List.of("127.0.0.1", "not-an-address"), "not-an-address");
        cases.put(List.of("::1", "2001:db8::7"), "2001:db8::7");
        cases.put(List.of("11.0.0.1", "198.51.100.7"), "11.0.0.1");
        // proxies that append the port, and one that writes "unknown": a bucket of its own, never the proxy's
        cases.put(List.of("127.0.0.1", "6.6.6.6, 198.51.100.7:51234"), "198.51.100.7");
        cases.put(List.of("127.0.0.1", "[2001:db8::9]:443"), "2001:db8::9");
        cases.put(List.of("127.0.0.1", "6.6.6.6, unknown"), "unknown");
        // a host name is never looked up, and is no trusted proxy
        cases.put(List.of("127.0.0.1", "198.51.100.7, cafe"), "cafe");
        Map<List<String>, String> found = new LinkedHashMap<>();
        cases.keySet().forEach(input -> found.put(input, addresses.client(input.get(0), input.subList(1, input.size()))));
        assertEquals(cases, found);
    }

    @Test
    void aWrongTrustedProxyEntryIsRefusedNamingIt() {
        for (String wrong : List.of("10.0.0.0/33", "10.0.0.0/-1", "::1/129", "gateway.internal", "10.0.0.0/8/1")) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> new ClientAddress(List.of(wrong)), wrong);
            assertTrue(refused.getMessage().contains("tollgate.security.trusted-proxies"), refused.getMessage());
        }
    }

    @Test
    void aLimitCountsAnIpv6ClientByItsSlash64() {
        assertEquals("20010db800010002::/64", ClientAddress.bucket("2001:db8:1:2::7"));
        assertEquals(ClientAddress.bucket("2001:db8:1:2::7"), ClientAddress.bucket("2001:db8:1:2:ffff:1:2:3"));
        assertEquals("198.51.100.7", ClientAddress.bucket("198.51.100.7"));
        assertEquals("198.51.100.7", ClientAddress.bucket("::ffff:198.51.100.7"));
        assertEquals("unknown", ClientAddress.bucket("unknown"));
    }
}
