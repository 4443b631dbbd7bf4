package dev.tollgate.common.security;

/** The kinds of credential a request can carry; every endpoint's {@link Access} says which it accepts. */
public enum CredentialKind {

    /** A signed-in user's access token, bound to a sign-in session ({@code sid}). */
    SESSION,
    /** An API key ({@code tg_live_...}) or a token exchanged from one ({@code akid}): the key's scopes, nothing more. */
    API_KEY,
    /** Another Tollgate service's client-credentials token: the client's name and scopes, no user or tenant. */
    SERVICE,
    /** A session whose user the configuration names as a platform operator ({@code tollgate.security.operators}). */
    OPERATOR
}
