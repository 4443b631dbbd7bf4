package dev.tollgate.generation.provider;

import java.util.List;

/**
 * One chat completion to ask a provider for.
 *
 * @param messages  role and content, in order
 * @param maxTokens the most output tokens the caller accepts (and the gate held)
 */
public record ChatCall(List<Message> messages, int maxTokens, Double temperature) {

    public record Message(String role, String content) {
    }
}
