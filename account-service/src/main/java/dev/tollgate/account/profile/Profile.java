package dev.tollgate.account.profile;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A user's profile and preferences; created on first read. */
@Entity
@Table(name = "profiles")
public class Profile extends PanacheEntityBase {

    @Id
    @Column(name = "user_id")
    public UUID userId;

    /** The tenant the user was acting in when the profile was created. */
    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "display_name")
    public String displayName;

    /** A BCP 47 language tag, e.g. {@code de-CH}. */
    public String locale;

    /** An IANA time zone, e.g. {@code Europe/Zurich}. */
    @Column(name = "time_zone")
    public String timeZone;

    @Column(name = "marketing_consent", nullable = false)
    public boolean marketingConsent;

    /** When consent was last given or withdrawn. */
    @Column(name = "marketing_consent_at")
    public Instant marketingConsentAt;

    /** Whether the user is written to when the tenant nears or reaches a quota (owners and admins). */
    @Column(name = "notify_usage", nullable = false)
    public boolean notifyUsage = true;

    /** Whether the user is written to when the tenant's payment fails (owners and admins). */
    @Column(name = "notify_billing", nullable = false)
    public boolean notifyBilling = true;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
