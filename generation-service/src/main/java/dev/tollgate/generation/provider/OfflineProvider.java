package dev.tollgate.generation.provider;

import java.util.List;

/**
 * The built-in model for a machine without provider keys: a deterministic answer that says it is offline and
 * repeats the start of the last user message, so the whole flow (gate, record, usage, billing) runs anywhere.
 * Its tokens are counted as one per four characters.
 */
public final class OfflineProvider implements ChatProvider {

    public static final String NAME = "offline";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Completion complete(ChatCall call) {
        String last = lastUserMessage(call.messages());
        String echo = last.length() > 200 ? last.substring(0, 200) + "..." : last;
        String content = "[offline model] No AI provider is configured, so this deterministic answer stands in for "
                + "one. You wrote: " + echo;
        String finish = "stop";
        if (Tokens.estimate(content) > call.maxTokens()) {
            content = content.substring(0, Math.max(0, call.maxTokens() * 4));
            finish = "length";
        }
        return new Completion(NAME, NAME, content, finish, Tokens.estimate(call.messages()), Tokens.estimate(content));
    }

    private static String lastUserMessage(List<ChatCall.Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).role())) {
                return messages.get(i).content();
            }
        }
        return "";
    }
}
