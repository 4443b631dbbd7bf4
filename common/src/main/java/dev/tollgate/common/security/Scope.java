package dev.tollgate.common.security;

import java.util.Arrays;
import java.util.Optional;

/**
 * What an API key may be used for: a closed set, in code. A key is created with some of these (configuration may
 * only narrow the set offered), and every endpoint that accepts keys names the one it needs ({@link Access}). A
 * key, or the token exchanged from it, carries exactly its scopes and nothing else.
 */
public enum Scope {

    /** Chat completions, prompt-template runs and their results, the model and template lists. */
    GENERATE("generate"),
    /** The tenant's usage, history and limits as the key's user may see them. */
    USAGE_READ("usage:read"),
    /** The tenant's subscription and invoices. */
    BILLING_READ("billing:read"),
    /** Create, list, rotate and revoke the tenant's keys, none with more scopes or a longer life than this one. */
    KEYS_MANAGE("keys:manage");

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    /** The scope as keys and tokens spell it. */
    public String value() {
        return value;
    }

    public static Optional<Scope> of(String value) {
        return Arrays.stream(values()).filter(scope -> scope.value.equals(value)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }
}
