package dev.tollgate.auth.security;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        cases.put(List.of("127.0.0.1", "10.0.0.1, 10.0.0.2"), "10.0.0.1");
        cases.put(List.of("127.0.0.1", "not-an-address"), "127.0.0.1");
        cases.put(List.of("::1", "2001:db8::7"), "2001:db8::7");
        cases.put(List.of("11.0.0.1", "198.51.100.7"), "11.0.0.1");
        Map<List<String>, String> found = new LinkedHashMap<>();
        cases.keySet().forEach(input -> found.put(input, addresses.client(input.get(0), input.subList(1, input.size()))));
        assertEquals(cases, found);
    }
}
