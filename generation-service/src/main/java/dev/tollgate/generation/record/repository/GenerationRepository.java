package dev.tollgate.generation.record.repository;

import dev.tollgate.generation.record.Generation;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** Generations, always read within one tenant. */
@ApplicationScoped
public class GenerationRepository implements PanacheRepositoryBase<Generation, UUID> {
}
