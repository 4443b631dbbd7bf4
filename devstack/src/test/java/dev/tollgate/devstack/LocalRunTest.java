package dev.tollgate.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What {@code ./tollgate up} tells its user once the suite is ready. */
class LocalRunTest {

    @Test
    void theFirstWalkCallsOnlyPathsTheGatewayRoutesOnItsPort() {
        String walk = LocalRun.walkthrough(18080, Path.of(".tollgate/logs/auth.log"));
        Matcher calls = Pattern.compile("curl localhost:(\\d+)(/\\S*)").matcher(walk);
        List<String> paths = calls.results().map(call -> {
            assertEquals("18080", call.group(1), "every call goes through the gateway's port");
            return call.group(2);
        }).toList();
        assertEquals(List.of("/billing/plans", "/auth/magic-link", "/auth/magic-link/confirm", "/v1/chat/completions"),
                paths);
        paths.forEach(path -> assertNotNull(Gateway.serviceOf(path), path + " is routed by the gateway"));
        assertTrue(walk.contains(".tollgate/logs/auth.log"), "it says where the mailed link is");
    }
}
