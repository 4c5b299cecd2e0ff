package io.github.airesource.core.tokens;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.airesource.core.ResourceContextKeys;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

import static org.assertj.core.api.Assertions.assertThat;

class RequestTokensTests {

	private final TokenCounter counter = TokenCounter.builder().recordMemoStats(true).build();

	@Test
	void whenCountedOnceThenLaterAdvisorsReuseTheStoredCount() {
		ChatClientRequest request = new ChatClientRequest(new Prompt("How far is the moon?"), new HashMap<>());

		PromptTokens first = RequestTokens.of(request, this.counter, "gpt-4o");
		long lookups = this.counter.memoStats().requestCount();
		PromptTokens second = RequestTokens.of(request, this.counter, "gpt-4o");

		assertThat(request.context().get(ResourceContextKeys.PROMPT_TOKENS)).isSameAs(first);
		assertThat(second).isSameAs(first);
		assertThat(this.counter.memoStats().requestCount()).isEqualTo(lookups);
	}

	@Test
	void whenPromptOrEncodingChangedThenCountedAgain() {
		Map<String, Object> context = new HashMap<>();
		ChatClientRequest request = new ChatClientRequest(new Prompt("How far is the moon?"), context);
		PromptTokens first = RequestTokens.of(request, this.counter, "gpt-4o");

		ChatClientRequest trimmed = new ChatClientRequest(new Prompt(List.of(new UserMessage("Moon distance?"))),
				context);
		PromptTokens second = RequestTokens.of(trimmed, this.counter, "gpt-4o");
		PromptTokens third = RequestTokens.of(trimmed, this.counter, "gpt-4");

		assertThat(second).isNotSameAs(first);
		assertThat(second.total()).isLessThan(first.total());
		assertThat(third.encoding().getName()).isEqualTo("cl100k_base");
	}

	@Test
	void whenContextIsReadOnlyThenCountIsStillReturned() {
		ChatClientRequest request = new ChatClientRequest(new Prompt("How far is the moon?"), Map.of());

		assertThat(RequestTokens.of(request, this.counter, "gpt-4o").total()).isPositive();
	}

}
