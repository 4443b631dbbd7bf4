package dev.tollgate.generation.record;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
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

    @Column(nullable = false)
    public String model;

    @Column(nullable = false)
    public String provider;

    @Column(name = "provider_model", nullable = false)
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

    @Column(nullable = false)
    public String outcome;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
