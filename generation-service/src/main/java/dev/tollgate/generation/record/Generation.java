package dev.tollgate.generation.record;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Transient;
import java.time.Instant;
import java.util.UUID;

/** A generation as it happened: the prompt, the answer, the model and provider, the tokens it used. */
@Entity
@Table(name = "generations")
public class Generation extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "user_id")
    public UUID userId;

    /** The API key a template run was started with (its controls apply when it is taken over); null otherwise. */
    @Column(name = "api_key_id")
    public UUID apiKeyId;

    @Column(nullable = false)
    public String model;

    /** The configured provider that answered; null while a template run has no answer yet. */
    public String provider;

    @Column(name = "provider_model")
    public String providerModel;

    @Column(nullable = false)
    public String prompt;

    public String output;

    @Column(name = "finish_reason")
    public String finishReason;

    @Column(name = "input_tokens", nullable = false)
    public long inputTokens;

    @Column(name = "output_tokens", nullable = false)
    public long outputTokens;

    /** What the providers charge for it, in millionths of a US dollar. */
    @Column(name = "cost_micros", nullable = false)
    public long costMicros;

    @Column(nullable = false)
    public String outcome;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    /** A prompt template's name; null for a chat completion. */
    public String template;

    /** A template run's input, as JSON. */
    public String input;

    /** A template run's checked answer, as JSON. */
    public String result;

    /** Why a template run failed. */
    public String error;

    /** An unfinished template run belongs to its replica until then. */
    @Column(name = "lease_until")
    public Instant leaseUntil;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** Not stored: for a template run that just failed, the HTTP status of its cause (400, 503, ...). */
    @Transient
    public int failureStatus;
}
