package dev.tollgate.generation.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.chat.AdmitCall;
import dev.tollgate.generation.chat.AskRoute;
import dev.tollgate.generation.config.GenerationConfig;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.record.Generation;
import dev.tollgate.generation.record.RecordGeneration;
import dev.tollgate.generation.usage.Usage;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs a prompt template: the input is checked against the template's schema (400 naming each problem), the
 * tenant's plan picks the model and the gate holds two calls' worst case, the answer must be JSON matching the
 * output schema, and an answer that does not match is sent back once with what was wrong. Both calls are billed;
 * a second miss ends the run as {@code invalid-output}. Synchronously the caller waits for the end; asynchronously
 * the run goes on after the 202, under a lease another replica takes over if this one dies.
 */
@ApplicationScoped
public class RunTemplate {

    private static final Logger LOG = Logger.getLogger(RunTemplate.class);
    /** The first answer and, if it missed the schema, the corrected one. */
    private static final int CALLS = 2;

    private final PromptTemplates templates;
    private final AdmitCall admission;
    private final AskRoute route;
    private final TemplateRuns runs;
    private final GenerationConfig config;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    public RunTemplate(PromptTemplates templates, AdmitCall admission, AskRoute route, TemplateRuns runs,
            GenerationConfig config, ObjectMapper json, MeterRegistry registry) {
        this.templates = templates;
        this.admission = admission;
        this.route = route;
        this.runs = runs;
        this.config = config;
        this.json = json;
        this.registry = registry;
    }

    /** A run started (async) or ended (sync), with the gate's rate-limit headers. */
    public record Started(Generation run, Map<String, String> headers) {
    }

    public Uni<Started> start(Caller caller, String name, JsonNode input, boolean async) {
        PromptTemplate template = templates.named(name).orElseThrow(() -> Problems.builder(Response.Status.BAD_REQUEST,
                "unknown-template", "Unknown Template")
                .withDetail("no template '" + name + "'; GET /templates lists " + templates.all().stream()
                        .map(PromptTemplate::name).toList())
                .build());
        JsonNode given = input == null ? json.createObjectNode() : input;
        List<String> problems = template.inputProblems(given);
        if (!problems.isEmpty()) {
            throw Problems.builder(Response.Status.BAD_REQUEST, "invalid-template-input", "Invalid Template Input")
                    .withDetail("the input does not match template " + name + "'s schema: " + String.join("; ", problems))
                    .with("problems", problems)
                    .build();
        }
        ChatCall call = template.call(given);
        UUID id = UUID.randomUUID();
        return admission.admit(caller, template.models(), call, CALLS).chain(admitted -> runs
                .start(id, caller, name, admitted.model(), write(given), write(call.messages()), config.templates().lease())
                .onFailure().call(() -> admission.settle(admitted.held(), Usage.NONE))
                .chain(row -> {
                    Uni<Generation> run = execute(caller.tenantId(), caller.userId(), template, admitted, id, call);
                    if (!async) {
                        return run.onItem().ifNull().failWith(() -> Problems.of(Response.Status.GONE,
                                "account-erased", "the account was erased while the run went on"))
                                .map(ended -> new Started(ended, admitted.headers()));
                    }
                    inBackground(run, id);
                    return Uni.createFrom().item(new Started(row, admitted.headers()));
                }));
    }

    /**
     * Runs again a run whose replica died: admitted anew (its hold expired with the replica), under the API key it
     * was started with when there was one, so that the key's own controls hold as they did at its start.
     */
    public Uni<Generation> resume(TemplateRuns.Orphan orphan) {
        Caller owner = orphan.apiKeyId() == null ? Caller.resumedFor(orphan.userId(), orphan.tenantId())
                : Caller.apiKey(orphan.userId(), orphan.tenantId(), java.util.Set.of(), orphan.apiKeyId(), null);
        PromptTemplate template = templates.named(orphan.template()).orElse(null);
        if (template == null) {
            return runs.finish(orphan.id(), orphan.tenantId(), orphan.userId(), orphan.template(),
                    ending(TemplateRuns.FAILED, List.of(), null, "template " + orphan.template() + " is no longer offered",
                            503));
        }
        ChatCall call = template.call(read(orphan.input()));
        LOG.infof("templates: taking over run %s (%s) left unfinished", orphan.id(), orphan.template());
        // a refusal that lasts (over quota, the model left the plan or the key, the key ended) ends the run; a
        // passing one (a rate limit, Redis away) leaves it to be taken over again after its lease
        return Uni.createFrom().deferred(() -> admission.admit(owner, template.models(), call, CALLS))
                .onFailure(refused -> status(refused) == 401 || status(refused) == 402 || status(refused) == 403)
                .recoverWithUni(refused -> runs.finish(orphan.id(), orphan.tenantId(), orphan.userId(),
                        template.models().get(0), ending(TemplateRuns.FAILED, List.of(), null, refusal(refused),
                                status(refused)))
                        .replaceWith((AdmitCall.Admission) null))
                .chain(admitted -> admitted == null ? runs.find(orphan.id())
                        : execute(orphan.tenantId(), orphan.userId(), template, admitted, orphan.id(), call));
    }

    private Uni<Generation> execute(java.util.UUID tenantId, java.util.UUID userId, PromptTemplate template,
            AdmitCall.Admission admitted, UUID id, ChatCall call) {
        List<Completion> answers = new ArrayList<>();
        return route.ask(admitted, call)
                .chain(first -> {
                    answers.add(first);
                    List<String> problems = check(template, first.content());
                    if (problems.isEmpty()) {
                        return Uni.createFrom().item(ending(RecordGeneration.COMPLETED, answers, first, null, 0));
                    }
                    registry.counter("tollgate.template.retries", "template", template.name()).increment();
                    LOG.infof("templates: run %s of %s missed its schema (%s); asking once more", id, template.name(),
                            problems);
                    ChatCall again = call.followedBy(List.of(new ChatCall.Message("assistant", first.content()),
                            new ChatCall.Message("user", "That answer does not match the JSON Schema: "
                                    + String.join("; ", problems) + ". Answer again with only the corrected JSON object.")));
                    return runs.retrying(id, config.templates().lease()).chain(() -> route.ask(admitted, again)).map(second -> {
                        answers.add(second);
                        List<String> still = check(template, second.content());
                        return still.isEmpty() ? ending(RecordGeneration.COMPLETED, answers, second, null, 0)
                                : ending(TemplateRuns.INVALID_OUTPUT, answers, null, "the answer did not match the "
                                        + "template's output schema twice: " + String.join("; ", still), 422);
                    });
                })
                .onFailure().recoverWithItem(e -> ending(TemplateRuns.FAILED, answers, null, refusal(e), status(e)))
                // settled before the run is written, as a chat answer is: a reconciliation between the two would
                // otherwise count the usage once in the ledger and once more in the still-held reservation
                .chain(ending -> admission.settle(admitted.held(), ending.usage())
                        .chain(() -> runs.finish(id, tenantId, userId, admitted.model(), ending))
                        .invoke(() -> {
                            registry.counter("tollgate.template.runs", "template", template.name(),
                                    "outcome", ending.status()).increment();
                            LOG.infof("templates: run %s of %s ended %s after %d call(s)", id, template.name(),
                                    ending.status(), answers.size());
                        }));
    }

    /** How the run ends: the usage of every answer, and the checked result if there is one. */
    private TemplateRuns.Ending ending(String status, List<Completion> answers, Completion valid, String error,
            int failureStatus) {
        Completion last = answers.isEmpty() ? null : answers.get(answers.size() - 1);
        long input = answers.stream().mapToLong(Completion::inputTokens).sum();
        long output = answers.stream().mapToLong(Completion::outputTokens).sum();
        long cost = answers.stream().mapToLong(admission::cost).sum();
        return new TemplateRuns.Ending(status, last == null ? null : last.provider(), last == null ? null : last.model(),
                last == null ? null : last.content(), valid == null ? null : write(parse(valid.content())), error,
                failureStatus, last == null ? null : last.finishReason(), input, output, cost, !answers.isEmpty());
    }

    /** What is wrong with {@code answer} as the template's output; empty when it fits. */
    private List<String> check(PromptTemplate template, String answer) {
        JsonNode parsed = parse(answer);
        if (parsed == null) {
            return List.of("the answer is not a JSON object");
        }
        return template.outputProblems(parsed);
    }

    /** The answer as JSON, fences (```json) tolerated; null when it is not JSON. */
    private JsonNode parse(String answer) {
        if (answer == null) {
            return null;
        }
        String text = answer.strip();
        if (text.startsWith("```")) {
            text = text.replaceFirst("^```[a-zA-Z]*\\s*", "").replaceFirst("\\s*```$", "");
        }
        try {
            JsonNode node = json.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The HTTP status a failure stands for: its problem's, else 503. */
    private static int status(Throwable e) {
        return e instanceof HttpProblem problem && problem.getStatusCode() > 0 ? problem.getStatusCode() : 503;
    }

    private static String refusal(Throwable e) {
        return e instanceof HttpProblem problem ? problem.getTitle() + ": " + problem.getDetail()
                : String.valueOf(e.getMessage());
    }

    /** Runs {@code run} on a context of its own: the request that started it has its answer already. */
    private void inBackground(Uni<Generation> run, UUID id) {
        Context current = Vertx.currentContext();
        Runnable start = () -> run.subscribe().with(ended -> {
        }, e -> LOG.errorf(e, "templates: run %s could not be ended; another replica takes it over after its lease", id));
        if (current == null) {
            start.run();
        } else {
            VertxContext.createNewDuplicatedContext(current).runOnContext(ignored -> start.run());
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
