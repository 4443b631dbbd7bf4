package dev.tollgate.generation.provider;

/**
 * A provider answered with an error status. {@link ProviderFailure} classifies it by the status; its body (OpenAI's
 * error envelope, as compatible providers send it) is what {@link ProviderError} reads.
 */
public class ProviderHttpError extends RuntimeException {

    private final int status;
    private final String body;

    public ProviderHttpError(int status, String body) {
        // the message is logged: the start of the body only (it may quote the prompt)
        super("the provider answered " + status + ": " + (body.length() > 300 ? body.substring(0, 300) + "..." : body));
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String body() {
        return body;
    }
}
