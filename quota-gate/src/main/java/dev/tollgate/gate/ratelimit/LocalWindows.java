package dev.tollgate.gate.ratelimit;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The same fixed windows as {@link WindowLimiter}'s Redis scripts, in this replica's memory, for while Redis cannot
 * be reached: a limit still holds during an outage, per replica (with N replicas a client may get up to N times the
 * limit). At most {@value #MOST_KEYS} keys are kept; past that, ended windows are dropped, and when more than half
 * are still running the older half goes (a flood of new keys costs a sort once per many thousand keys, not a scan per
 * key).
 */
final class LocalWindows {

    static final int MOST_KEYS = 100_000;

    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    /** One attempt on {@code key}: the attempts in its window so far, this one included, and what is left of it. */
    synchronized Count hit(String key, Duration length, long now) {
        Window window = current(key, length, now);
        window.attempts++;
        return new Count(window.attempts, window.endsAt - now);
    }

    /** {@code member} on {@code key}, counted once per window: the distinct members so far (kept to limit + 1). */
    synchronized Count hitDistinct(String key, String member, int limit, Duration length, long now) {
        Window window = current(key, length, now);
        if (window.members.size() <= limit) {
            window.members.add(member);
        }
        return new Count(window.members.size(), window.endsAt - now);
    }

    private Window current(String key, Duration length, long now) {
        Window window = windows.get(key);
        if (window == null || window.endsAt <= now) {
            if (windows.size() >= MOST_KEYS) {
                windows.values().removeIf(running -> running.endsAt <= now);
                if (windows.size() >= MOST_KEYS / 2) {
                    // a flood of new keys: the older half goes at once, so that keeping count stays cheap per key
                    long[] ends = windows.values().stream().mapToLong(running -> running.endsAt).sorted().toArray();
                    long median = ends[ends.length / 2];
                    windows.values().removeIf(running -> running.endsAt <= median);
                }
            }
            window = new Window(now + length.toMillis());
            windows.put(key, window);
        }
        return window;
    }

    /** How many keys are kept. */
    int size() {
        return windows.size();
    }

    /** The attempts (or distinct members) counted in a window and the milliseconds until it ends. */
    record Count(long attempts, long resetMillis) {
    }

    private static final class Window {
        final long endsAt;
        long attempts;
        final Set<String> members = new HashSet<>();

        Window(long endsAt) {
            this.endsAt = endsAt;
        }
    }
}
