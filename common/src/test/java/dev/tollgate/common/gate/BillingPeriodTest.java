package dev.tollgate.common.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class BillingPeriodTest {

    @Test
    void withoutAnAnchorPeriodsAreCalendarMonthsInUtc() {
        BillingPeriod november = BillingPeriod.calendarMonth(Instant.parse("2026-11-30T23:59:59Z"));
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), november.start());
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), november.end());
        assertEquals("2026-11-01T00:00:00Z", november.id());
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"),
                BillingPeriod.calendarMonth(Instant.parse("2026-12-01T00:00:00Z")).start());
    }

    @Test
    void periodsRunMonthlyFromTheAnchorToTheSecond() {
        Instant anchor = Instant.parse("2026-10-17T09:30:00Z");
        assertEquals(new BillingPeriod(anchor, Instant.parse("2026-11-17T09:30:00Z")),
                BillingPeriod.containing(anchor, Instant.parse("2026-11-17T09:29:59Z")));
        assertEquals(new BillingPeriod(Instant.parse("2026-11-17T09:30:00Z"), Instant.parse("2026-12-17T09:30:00Z")),
                BillingPeriod.containing(anchor, Instant.parse("2026-11-17T09:30:00Z")));
    }

    @Test
    void anAnchorOnThe31stEndsShortMonthsEarlyAndComesBack() {
        Instant anchor = Instant.parse("2026-01-31T00:00:00Z");
        BillingPeriod february = BillingPeriod.containing(anchor, Instant.parse("2026-03-01T00:00:00Z"));
        assertEquals(Instant.parse("2026-02-28T00:00:00Z"), february.start());
        assertEquals(Instant.parse("2026-03-31T00:00:00Z"), february.end());
        assertEquals(Instant.parse("2026-03-31T00:00:00Z"),
                BillingPeriod.containing(anchor, Instant.parse("2026-04-01T00:00:00Z")).start());
    }

    @Test
    void usageBeforeTheAnchorFallsInTheMonthBeforeIt() {
        Instant anchor = Instant.parse("2026-10-17T09:30:00Z");
        BillingPeriod before = BillingPeriod.containing(anchor, Instant.parse("2026-10-10T00:00:00Z"));
        assertEquals(Instant.parse("2026-09-17T09:30:00Z"), before.start());
        assertEquals(anchor, before.end());
        assertTrue(before.contains(Instant.parse("2026-10-10T00:00:00Z")));
        assertFalse(before.contains(anchor));
    }
}
