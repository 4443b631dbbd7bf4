package dev.tollgate.generation.template;

import dev.tollgate.generation.config.GenerationConfig;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * Nothing started is lost when a replica dies: every {@code resume-every}, runs whose lease ran out are taken
 * over (a few at a time, replicas never taking the same one) and run again from their stored input.
 */
@ApplicationScoped
public class ResumeTemplateRuns {

    private static final Logger LOG = Logger.getLogger(ResumeTemplateRuns.class);
    private static final int AT_ONCE = 10;

    private final TemplateRuns runs;
    private final RunTemplate run;
    private final GenerationConfig config;

    public ResumeTemplateRuns(TemplateRuns runs, RunTemplate run, GenerationConfig config) {
        this.runs = runs;
        this.run = run;
        this.config = config;
    }

    @Scheduled(every = "${tollgate.generation.templates.resume-every:30s}", delayed = "${tollgate.generation.templates.resume-every:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return resume().onFailure().invoke(e -> LOG.warnf("templates: taking over unfinished runs failed, next pass "
                + "retries: %s", e.getMessage())).onFailure().recoverWithNull().replaceWithVoid();
    }

    /** One pass; answers how many runs were taken over. */
    public Uni<Integer> resume() {
        return runs.takeOver(AT_ONCE, config.templates().lease()).chain(orphans -> orphans.isEmpty()
                ? Uni.createFrom().item(0)
                : Multi.createFrom().iterable(orphans)
                        // all at once: each was given the same fresh lease
                        .onItem().transformToUniAndMerge(orphan -> run.resume(orphan)
                                .onFailure().invoke(e -> LOG.warnf("templates: run %s failed again (%s); it is taken "
                                        + "over after its lease", orphan.id(), e.getMessage()))
                                .onFailure().recoverWithNull())
                        .collect().asList().map(done -> orphans.size()));
    }
}
