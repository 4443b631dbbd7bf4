package dev.tollgate.generation.provider;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Loads OpenAI's tokenizer ({@link Tokens#count(String)}) at start, off the event loop: its ranks take a moment to
 * read, which the first stream that breaks off would otherwise pay on an I/O thread.
 */
@ApplicationScoped
public class TokenizerWarmUp {

    void warm(@Observes StartupEvent start) {
        Tokens.count("warm");
    }
}
