package dev.tollgate.common.plan;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * One billing period: monthly from the tenant's billing anchor, in UTC. A period that starts on the 31st ends on
 * the 30th, 28th or 29th of a shorter month and the next one goes back to the 31st, as Stripe counts. Without an
 * anchor (a tenant on the free tier) periods are calendar months.
 */
public record BillingPeriod(Instant start, Instant end) {

    /** The anchor of calendar months: the first of any month at midnight UTC. */
    public static final Instant CALENDAR_MONTHS = Instant.EPOCH;

    public BillingPeriod {
        if (!end.isAfter(start)) {
            throw new IllegalArgumentException("a billing period ends after it starts: " + start + " .. " + end);
        }
    }

    /** The period, counted monthly from {@code anchor}, that holds {@code at}. */
    public static BillingPeriod containing(Instant anchor, Instant at) {
        ZonedDateTime from = anchor.atZone(ZoneOffset.UTC);
        ZonedDateTime when = at.atZone(ZoneOffset.UTC);
        // a first guess that may be one month off either way: MONTHS.between counts whole months of the anchor's
        // day, which a short month does not have (from the 31st, 28 Feb noon is "0 months" though January's
        // period ended at 28 Feb 00:00)
        long months = ChronoUnit.MONTHS.between(from, when);
        while (from.plusMonths(months).isAfter(when)) {
            months--;
        }
        while (!from.plusMonths(months + 1).isAfter(when)) {
            months++;
        }
        return new BillingPeriod(from.plusMonths(months).toInstant(), from.plusMonths(months + 1).toInstant());
    }

    /** The calendar month (UTC) that holds {@code at}. */
    public static BillingPeriod calendarMonth(Instant at) {
        return containing(CALENDAR_MONTHS, at);
    }

    /** How the gate's counters name the period: its start, e.g. {@code 2026-11-17T09:30:00Z}. */
    public String id() {
        return start.toString();
    }

    public boolean contains(Instant at) {
        return !at.isBefore(start) && at.isBefore(end);
    }
}
