package dev.tollgate.account.erasure;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.erasure.repository.DeletionRepository;
import dev.tollgate.common.erasure.ErasureCounts;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** An erasure's completion matrix, for the user who asked for it only (anyone else: 404). */
@ApplicationScoped
public class ErasureStatus {

    /** One service's part: {@code done} with what it erased, or {@code pending}. */
    public record ServicePart(String service, String status, Instant receivedAt, Map<String, Long> counts) {
    }

    /** {@code status}: {@code complete}, {@code pending}, or {@code overdue} (pending past its deadline). */
    public record Matrix(UUID id, String status, boolean tenantDeleted, List<UUID> tenantsDeleted, Instant requestedAt,
            Instant deadlineAt, Instant completedAt, List<ServicePart> services) {
    }

    private final DeletionRepository deletions;
    private final AccountConfig config;
    private final ObjectMapper json;

    public ErasureStatus(DeletionRepository deletions, AccountConfig config, ObjectMapper json) {
        this.deletions = deletions;
        this.config = config;
        this.json = json;
    }

    public Uni<Matrix> of(Caller caller, UUID deletionId) {
        return Panache.withSession(() -> deletions.findById(deletionId).chain(request -> {
            if (request == null || !request.userId.equals(caller.userId())) {
                throw Problems.notFound("deletion", deletionId);
            }
            return deletions.tenantsOf(deletionId).chain(tenants -> deletions.receipts(deletionId).map(receipts -> {
                List<ServicePart> parts = config.erasure().services().stream().map(service -> receipts.stream()
                        .filter(receipt -> receipt.service.equals(service)).findFirst()
                        .map(receipt -> new ServicePart(service, "done", receipt.receivedAt, counts(receipt.counts)))
                        .orElse(new ServicePart(service, "pending", null, null))).toList();
                String status = request.completedAt != null ? "complete"
                        : Instant.now().isAfter(request.deadlineAt) ? "overdue" : "pending";
                return new Matrix(request.id, status, request.tenantDeleted, tenants, request.requestedAt,
                        request.deadlineAt, request.completedAt, parts);
            }));
        }));
    }

    private Map<String, Long> counts(String value) {
        return ErasureCounts.read(json, value);
    }
}
