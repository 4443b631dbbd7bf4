package dev.tollgate.generation.provider;

import java.util.List;

/**
 * Token counts before a provider has answered: one token per four characters, rounded up, plus four per message
 * for its role and framing. The gate holds this for the prompt; settling replaces it with the provider's count.
 */
public final class Tokens {

    private Tokens() {
    }

    public static long estimate(String text) {
        return text == null ? 0 : (text.length() + 3) / 4;
    }

    public static long estimate(List<ChatCall.Message> messages) {
        long total = 0;
        for (ChatCall.Message message : messages) {
            total += 4 + estimate(message.content());
        }
        return total;
    }
}
