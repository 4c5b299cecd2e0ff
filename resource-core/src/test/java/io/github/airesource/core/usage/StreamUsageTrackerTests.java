package io.github.airesource.core.usage;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.metadata.ChatResponseMetadata;
import org.springframework.ai.chat.metadata.DefaultUsage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;

import static org.assertj.core.api.Assertions.assertThat;

class StreamUsageTrackerTests {

	@Test
	void whenAToolLoopsFirstRoundUsageArrivesAfterTheCumulativeFiguresThenTheCumulativeFiguresStand() {
		StreamUsageTracker tracker = new StreamUsageTracker();
		tracker.observe(chunk("It is ", null, null));
		tracker.observe(chunk("21 degrees.", 250, 30));
		// Spring AI merges the rounds of a streamed tool loop: the first round's trailing
		// usage chunk can come last.
		tracker.observe(chunk(null, 100, 20));

		TokenUsage usage = tracker.providerUsage("gpt-4o-mini");
		assertThat(usage.promptTokens()).isEqualTo(250);
		assertThat(usage.completionTokens()).isEqualTo(30);
	}

	@Test
	void whenTheFinishAndTrailingChunksRepeatTheUsageThenItIsTakenOnceNotSummed() {
		StreamUsageTracker tracker = new StreamUsageTracker();
		tracker.observe(chunk("Paris.", 40, 6));
		tracker.observe(chunk(null, 40, 6));

		assertThat(tracker.providerUsage("gpt-4o-mini").promptTokens()).isEqualTo(40);
		assertThat(tracker.output()).isEqualTo("Paris.");
	}

	private static ChatClientResponse chunk(String text, Integer prompt, Integer completion) {
		ChatResponseMetadata.Builder metadata = ChatResponseMetadata.builder().model("gpt-4o-mini");
		if (prompt != null) {
			metadata.usage(new DefaultUsage(prompt, completion));
		}
		List<Generation> generations = (text != null) ? List.of(new Generation(new AssistantMessage(text))) : List.of();
		return ChatClientResponse.builder().chatResponse(new ChatResponse(generations, metadata.build())).build();
	}

}
