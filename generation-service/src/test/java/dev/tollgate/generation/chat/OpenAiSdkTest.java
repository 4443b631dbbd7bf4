package dev.tollgate.generation.chat;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.generation.OpenAiClients;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** OpenAI's own Java SDK, pointed at the gateway with a Tollgate access token as its API key. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class OpenAiSdkTest {

    @TestHTTPResource("/v1")
    URL gateway;

    @Test
    void theOfficialClientCompletesStreamsListsModelsAndSeesRefusalsAndBrokenStreams() {
        UUID tenant = UUID.randomUUID();
        OpenAIClient client = OpenAiClients.member(gateway, tenant);

        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("premium").addUserMessage("plan my week").maxCompletionTokens(60).build());
        assertEquals("offline", completion.model());
        assertTrue(completion.choices().get(0).message().content().orElseThrow().contains("plan my week"));
        assertEquals(completion.usage().orElseThrow().promptTokens() + completion.usage().orElseThrow().completionTokens(),
                completion.usage().orElseThrow().totalTokens());

        StringBuilder streamed = new StringBuilder();
        long[] usage = { 0 };
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("premium").addUserMessage("plan my week").maxCompletionTokens(60)
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertEquals(completion.choices().get(0).message().content().orElseThrow(), streamed.toString(),
                "streamed and whole answers are the same");
        assertEquals(completion.usage().orElseThrow().completionTokens(), usage[0]);

        List<String> models = client.models().list().data().stream().map(Model::id).toList();
        assertTrue(models.containsAll(List.of("small", "large", "premium")), models.toString());

        OpenAIServiceException overQuota = assertThrows(OpenAIServiceException.class, () -> client.chat().completions()
                .create(ChatCompletionCreateParams.builder().model("premium").addUserMessage("a novel")
                        .maxCompletionTokens(150_000).build()));
        assertEquals(402, overQuota.statusCode());
        assertTrue(overQuota.getMessage().contains("quota"), overQuota.getMessage());

        // a stream the provider cuts short is an error in the client, never a quiet end
        String marker = "cut-" + UUID.randomUUID();
        FakeOpenAi.server().stubFor(post(urlEqualTo("/v1/chat/completions")).withRequestBody(containing(marker))
                .willReturn(aResponse().withHeader("Content-Type", "text/event-stream")
                        .withBody(FakeOpenAi.stream(null, 0, 0, "Partial ", "answer"))));
        StringBuilder partial = new StringBuilder();
        OpenAIException broken = assertThrows(OpenAIException.class, () -> {
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                    ChatCompletionCreateParams.builder().model("small").addUserMessage(marker).maxCompletionTokens(40)
                            .build())) {
                stream.stream().forEach(chunk -> chunk.choices()
                        .forEach(choice -> choice.delta().content().ifPresent(partial::append)));
            }
        });
        assertEquals("Partial answer", partial.toString());
        assertTrue(broken.getMessage().contains("broke off"), broken.getMessage());
    }

}
