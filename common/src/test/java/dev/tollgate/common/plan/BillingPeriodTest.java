package dev.tollgate.common.plan;

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
        // the day January's period has ended and the 31st has not come: February's period already
        BillingPeriod shortMonth = BillingPeriod.containing(anchor, Instant.parse("2026-02-28T12:00:00Z"));
        assertEquals(Instant.parse("2026-02-28T00:00:00Z"), shortMonth.start());
        assertEquals(Instant.parse("2026-03-31T00:00:00Z"), shortMonth.end());
        assertTrue(shortMonth.contains(Instant.parse("2026-02-28T12:00:00Z")));
    }

    @Test
    void everyInstantOfAYearFallsInThePeriodThatHoldsIt() {
        for (String anchor : new String[] { "2026-01-31T09:30:00Z", "2024-02-29T00:00:00Z", "2026-03-30T23:59:59Z" }) {
            for (Instant at = Instant.parse("2026-01-01T00:00:00Z"); at
                    .isBefore(Instant.parse("2027-01-01T00:00:00Z")); at = at.plusSeconds(6 * 3600 + 17)) {
                BillingPeriod period = BillingPeriod.containing(Instant.parse(anchor), at);
                assertTrue(period.contains(at), anchor + " / " + at + " -> " + period);
            }
        }
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
