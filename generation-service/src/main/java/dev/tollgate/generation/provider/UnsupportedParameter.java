package dev.tollgate.generation.provider;

/**
 * A request field that a provider's translation cannot honour (Anthropic's Messages API has no {@code logprobs}, one
 * choice only, ...): the provider is not called, and the request is never sent with the field dropped. The route
 * moves on to a provider that may honour it; when none does, the caller gets 400 {@code unsupported_parameter}
 * naming the field.
 *
 * @param param the field, as a path into the request ({@code logprobs}, {@code messages[2].content[0].type}, ...)
 */
public class UnsupportedParameter extends RuntimeException {

    private final String param;

    public UnsupportedParameter(String param, String message) {
        super(message);
        this.param = param;
    }

    public String param() {
        return param;
    }
}
