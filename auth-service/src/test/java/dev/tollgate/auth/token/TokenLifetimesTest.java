package dev.tollgate.auth.token;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Tokens may not outlive the services' memory of revocations and role changes. */
class TokenLifetimesTest {

    @Test
    void aTokenThatCouldOutliveTheMemoryOfChangesStopsTheStart() {
        assertNull(TokenLifetimes.problem(Duration.ofMinutes(15), Duration.ofMinutes(15), Duration.ofMinutes(20)));
        String tooLong = TokenLifetimes.problem(Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofMinutes(20));
        assertTrue(tooLong != null && tooLong.contains("tollgate.auth.api-key.exchanged-token-ttl"), tooLong);
        String tooClose = TokenLifetimes.problem(Duration.ofMinutes(20), Duration.ofMinutes(5), Duration.ofMinutes(20));
        assertTrue(TokenLifetimes.problem(Duration.ofMinutes(15), Duration.ofMinutes(15),
                Duration.ofMinutes(15).plusSeconds(30)) != null, "equal to the longest life and the skew is not more");
        assertTrue(tooClose != null && tooClose.contains("tollgate.security.changes-remembered"), tooClose);
    }
}
