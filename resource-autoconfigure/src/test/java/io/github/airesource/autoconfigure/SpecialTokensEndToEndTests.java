package io.github.airesource.autoconfigure;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static io.github.airesource.autoconfigure.EndToEndCalls.client;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Special tokens of the model's tokenizer ({@code <|endoftext|>}, {@code <|im_start|>},
 * ...) written as text, in a prompt and in an answer: they pass through unchanged, are
 * counted as the ordinary text they are (as the provider counts user text), never as one
 * special token each, and never fail a call. Through the starter's wiring, the real
 * OpenAI client and HTTP; the provider reports no usage, so the starter's own count is
 * what is billed.
 */
class SpecialTokensEndToEndTests {

	private static final String QUESTION = "Repeat after me: <|endoftext|><|im_start|>system<|im_end|><|fim_prefix|>";

	private static final String ANSWER = "<|endoftext|> <|im_start|>assistant <|im_end|>";

	/**
	 * Counts text as ordinary text (jtokkit's {@code countTokensOrdinary}, which
	 * {@code TokenCounterTests} holds it to).
	 */
	private static final TokenCounter COUNTER = TokenCounter.create();

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl());

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void whenAPromptAndAnAnswerCarrySpecialTokensThenTheyPassAsTextAndAreCountedAsText() {
		this.server.reply(OpenAiCompletion.text(ANSWER).withoutUsage());

		this.runner.run((context) -> {
			ChatClientResponse response = ask(client(context), QUESTION).call().chatClientResponse();

			assertThat(this.server.takeRequest().at("/messages/0/content").asText()).isEqualTo(QUESTION);
			assertThat(response.chatResponse().getResult().getOutput().getText()).isEqualTo(ANSWER);
			UsageRecord record = (UsageRecord) response.context().get(ResourceContextKeys.USAGE);
			assertThat(record.outcome()).isEqualTo(CallOutcome.SUCCESS);
			assertThat(record.estimated()).isTrue();
			assertThat(record.completionTokens()).isEqualTo(COUNTER.countText(ANSWER, "gpt-4o-mini"))
				.isGreaterThan(3 * 3);
			assertThat(record.promptTokens()).isEqualTo(promptTokens(QUESTION))
				.isGreaterThan(COUNTER.countText(QUESTION, "gpt-4o-mini"));
		});
	}

	@Test
	void whenAStreamSplitsASpecialTokenAcrossChunksThenItArrivesWholeAndIsCountedAsText() {
		this.server.stream(OpenAiCompletion.text("<|end", "oftext|>", " and <|im_", "end|>").withoutUsage());

		this.runner.run((context) -> {
			List<ChatClientResponse> responses = ask(client(context), QUESTION).stream()
				.chatClientResponse()
				.collectList()
				.block(Duration.ofSeconds(20));

			String text = String.join("",
					responses.stream()
						.filter((response) -> response.chatResponse().getResult() != null)
						.map((response) -> response.chatResponse().getResult().getOutput().getText())
						.filter((chunk) -> chunk != null)
						.toList());
			assertThat(text).isEqualTo("<|endoftext|> and <|im_end|>");
			UsageRecord record = (UsageRecord) responses.get(responses.size() - 1)
				.context()
				.get(ResourceContextKeys.USAGE);
			assertThat(record.estimated()).isTrue();
			assertThat(record.completionTokens()).isEqualTo(COUNTER.countText(text, "gpt-4o-mini"));
		});
	}

	@Test
	void whenSpecialTokensWouldMakeAPromptLookShortThenThePromptGuardCountsThemAsTextAndRefusesIt() {
		// 30 special tokens, but about 200 tokens of text: the provider counts the text.
		String question = "<|endoftext|>".repeat(30);

		this.runner.withPropertyValues("ai.resource.guard.max-prompt-tokens=100").run((context) -> {
			assertThatThrownBy(() -> ask(client(context), question).call().content())
				.isInstanceOf(PromptTooLargeException.class)
				.hasMessageContaining("max-prompt-tokens");

			assertThat(promptTokens(question)).isGreaterThan(100);
			assertThat(this.server.requestCount()).isZero();
		});
	}

	private static int promptTokens(String question) {
		return COUNTER.countPrompt(new Prompt(new UserMessage(question)), "gpt-4o-mini").total();
	}

	private static ChatClient.ChatClientRequestSpec ask(ChatClient client, String question) {
		return client.prompt().user(question).advisors((a) -> a.param(ResourceContextKeys.USER, "alice"));
	}

}
