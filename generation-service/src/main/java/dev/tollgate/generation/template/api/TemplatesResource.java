package dev.tollgate.generation.template.api;

import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import dev.tollgate.generation.template.PromptTemplates;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The prompt templates on offer; runs are {@code POST /generations {template, input}}. */
@Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
@Path("/templates")
public class TemplatesResource {

    private final PromptTemplates templates;

    public TemplatesResource(PromptTemplates templates) {
        this.templates = templates;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The prompt templates on offer, with their input and output JSON Schemas")
    public List<TemplateView> list() {
        return templates.all().stream().map(t -> new TemplateView(t.name(), t.title(), t.description(), t.models(),
                t.inputJson(), t.outputJson())).toList();
    }
}
