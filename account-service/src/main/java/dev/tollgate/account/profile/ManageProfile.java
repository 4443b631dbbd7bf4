package dev.tollgate.account.profile;

import dev.tollgate.account.erasure.ErasedAccounts;
import dev.tollgate.account.profile.repository.ProfileRepository;
import dev.tollgate.common.audit.AuditTrail;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.IllformedLocaleException;
import java.util.Locale;
import java.util.Map;

/** Reads and changes the caller's profile; a user without one has an empty one, created on first read. */
@ApplicationScoped
public class ManageProfile {

    public static final int MAX_DISPLAY_NAME = 100;

    /** The profile as its owner sees it. */
    public record ProfileView(String displayName, String locale, String timeZone, boolean marketingConsent,
            Instant marketingConsentAt, boolean notifyUsage, boolean notifyBilling,
            Instant updatedAt) {
        static ProfileView of(Profile profile) {
            return new ProfileView(profile.displayName, profile.locale, profile.timeZone, profile.marketingConsent,
                    profile.marketingConsentAt, profile.notifyUsage, profile.notifyBilling, profile.updatedAt);
        }
    }

    /** A partial change: absent fields stay as they are. */
    public record ProfileChange(String displayName, String locale, String timeZone, Boolean marketingConsent,
            Boolean notifyUsage, Boolean notifyBilling) {
    }

    private final AuditTrail audit;
    private final ProfileRepository profiles;
    private final ErasedAccounts erased;

    public ManageProfile(ProfileRepository profiles, AuditTrail audit, ErasedAccounts erased) {
        this.erased = erased;
        this.audit = audit;
        this.profiles = profiles;
    }

    public Uni<ProfileView> read(Caller caller) {
        return Panache.withTransaction(() -> existing(caller)).map(ProfileView::of);
    }

    public Uni<ProfileView> change(Caller caller, ProfileChange change) {
        if (change == null) {
            throw Problems.badRequest("profile-change-empty", "Profile Change Empty", "send the fields to change");
        }
        String locale = change.locale() == null ? null : locale(change.locale());
        String zone = change.timeZone() == null ? null : zone(change.timeZone());
        String name = change.displayName() == null ? null : displayName(change.displayName());
        return Panache.withTransaction(() -> existing(caller).call(profile -> {
            Instant now = Instant.now();
            Uni<Void> consent = Uni.createFrom().voidItem();
            if (name != null) {
                profile.displayName = name.isEmpty() ? null : name;
            }
            if (locale != null) {
                profile.locale = locale;
            }
            if (zone != null) {
                profile.timeZone = zone;
            }
            if (change.marketingConsent() != null && change.marketingConsent() != profile.marketingConsent) {
                profile.marketingConsent = change.marketingConsent();
                profile.marketingConsentAt = now;
                consent = audit.record(caller.tenantId(), "account.consent-changed", caller.userId().toString(),
                        caller.userId(), null, Map.of("marketingConsent", Boolean.toString(profile.marketingConsent)));
            }
            if (change.notifyUsage() != null) {
                profile.notifyUsage = change.notifyUsage();
            }
            if (change.notifyBilling() != null) {
                profile.notifyBilling = change.notifyBilling();
            }
            profile.updatedAt = now;
            return consent;
        })).map(ProfileView::of);
    }

    private Uni<Profile> existing(Caller caller) {
        return erased.requireActive(caller.userId())
                .chain(() -> profiles.findOrCreate(caller.userId(), caller.tenantId()));
    }

    private static String displayName(String value) {
        String trimmed = value.strip();
        if (trimmed.length() > MAX_DISPLAY_NAME || trimmed.chars().anyMatch(Character::isISOControl)) {
            throw Problems.badRequest("display-name-invalid", "Display Name Invalid",
                    "displayName must be at most " + MAX_DISPLAY_NAME + " characters without control characters");
        }
        return trimmed;
    }

    private static String locale(String value) {
        try {
            Locale locale = new Locale.Builder().setLanguageTag(value).build();
            if (locale.getLanguage().isEmpty()) {
                throw new IllformedLocaleException("no language");
            }
            return locale.toLanguageTag();
        } catch (IllformedLocaleException e) {
            throw Problems.badRequest("locale-invalid", "Locale Invalid",
                    "locale must be a BCP 47 language tag such as en-US or de-CH, not '" + value + "'");
        }
    }

    private static String zone(String value) {
        try {
            return ZoneId.of(value).getId();
        } catch (DateTimeException e) {
            throw Problems.badRequest("time-zone-invalid", "Time Zone Invalid",
                    "timeZone must be an IANA time zone such as Europe/Zurich, not '" + value + "'");
        }
    }
}
