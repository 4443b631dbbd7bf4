package dev.tollgate.generation.feedback;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A user's rating (1 to 5) of one of their generations, with an optional comment. */
@Entity
@Table(name = "feedback")
public class Feedback extends PanacheEntityBase {

    @Id
    @Column(name = "generation_id")
    public UUID generationId;

    @Column(name = "tenant_id", nullable = false)
    public UUID tenantId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false)
    public short rating;

    public String comment;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
