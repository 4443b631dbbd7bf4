package dev.tollgate.gate.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The windows a replica counts while Redis is away: as the scripts count them, and bounded under a flood. */
class LocalWindowsTest {

    private static final Duration MINUTE = Duration.ofMinutes(1);

    @Test
    void attemptsAreCountedInTheirWindowAndStartOverAfterIt() {
        LocalWindows windows = new LocalWindows();
        assertEquals(1, windows.hit("ip:1", MINUTE, 1_000).attempts());
        assertEquals(2, windows.hit("ip:1", MINUTE, 2_000).attempts());
        assertEquals(59_000, windows.hit("ip:1", MINUTE, 2_000).resetMillis());
        assertEquals(1, windows.hit("ip:2", MINUTE, 2_000).attempts(), "another key has its own window");
        assertEquals(1, windows.hit("ip:1", MINUTE, 61_000).attempts(), "a new window after the last one ended");
    }

    @Test
    void distinctMembersAreCountedOnceAndKeptToOnePastTheLimit() {
        LocalWindows windows = new LocalWindows();
        assertEquals(1, windows.hitDistinct("keys:1", "a", 2, MINUTE, 0).attempts());
        assertEquals(1, windows.hitDistinct("keys:1", "a", 2, MINUTE, 1).attempts());
        assertEquals(2, windows.hitDistinct("keys:1", "b", 2, MINUTE, 2).attempts());
        assertEquals(3, windows.hitDistinct("keys:1", "c", 2, MINUTE, 3).attempts());
        assertEquals(3, windows.hitDistinct("keys:1", "d", 2, MINUTE, 4).attempts(), "no more kept past the limit");
    }

    @Test
    void aFloodOfNewKeysStaysBoundedAndKeepsTheNewestCounts() {
        LocalWindows windows = new LocalWindows();
        int flood = LocalWindows.MOST_KEYS * 3;
        for (int i = 0; i < flood; i++) {
            windows.hit("address:" + i, MINUTE, i / 100);
        }
        assertTrue(windows.size() <= LocalWindows.MOST_KEYS, "kept: " + windows.size());
        assertEquals(2, windows.hit("address:" + (flood - 1), MINUTE, flood / 100).attempts(),
                "the newest key's count survived");
    }
}
