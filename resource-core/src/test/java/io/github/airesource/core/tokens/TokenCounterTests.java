package io.github.airesource.core.tokens;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import javax.imageio.ImageIO;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.github.airesource.testsupport.TestTools;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.content.Media;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.util.MimeTypeUtils;

import static org.assertj.core.api.Assertions.assertThat;

class TokenCounterTests {

	private final TokenCounter counter = TokenCounter.create();

	/**
	 * OpenAI cookbook "How to count tokens with tiktoken", section 6: the example
	 * messages and the prompt tokens the API reported for them.
	 */
	@ParameterizedTest
	@CsvSource({ "gpt-3.5-turbo, 129", "gpt-4-0613, 129", "gpt-4, 129", "gpt-4o, 124", "gpt-4o-mini, 124" })
	void whenCookbookMessagesThenCountEqualsApiReportedCount(String model, int apiReported) {
		List<ChatFormatMessage> messages = List.of(ChatFormatMessage.of("system",
				"You are a helpful, pattern-following assistant that translates corporate jargon into plain English."),
				new ChatFormatMessage("system", "example_user", "New synergies will help drive top-line growth."),
				new ChatFormatMessage("system", "example_assistant",
						"Things working well together will increase revenue."),
				new ChatFormatMessage("system", "example_user",
						"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."),
				new ChatFormatMessage("system", "example_assistant",
						"Let's talk later when we're less busy about how to do better."),
				ChatFormatMessage.of("user",
						"This late pivot means we don't have time to boil the ocean for the client deliverable."));

		assertThat(this.counter.countChat(messages, model)).isEqualTo(apiReported);
	}

	/**
	 * OpenAI cookbook, section 7: two messages and one tool definition, with the prompt
	 * tokens the API reported, counted here through a Spring AI prompt with a tool
	 * callback.
	 */
	@ParameterizedTest
	@CsvSource({ "gpt-3.5-turbo, 105", "gpt-4, 105", "gpt-4o, 101", "gpt-4o-mini, 101" })
	void whenCookbookToolDefinitionThenSpringAiPromptCountEqualsApiReportedCount(String model, int apiReported) {
		Prompt prompt = new Prompt(
				List.of(new SystemMessage(
						"You are a helpful assistant that can answer to questions about the weather."),
						new UserMessage("What's the weather like in San Francisco?")),
				ToolCallingChatOptions.builder().toolCallbacks(TestTools.weather()).build());

		assertThat(this.counter.countPrompt(prompt, model).total()).isEqualTo(apiReported);
	}

	@Test
	void whenSpringAiPromptThenCountEqualsChatFormatCount() {
		Prompt prompt = new Prompt(List.of(new SystemMessage("You translate jargon."),
				new UserMessage("Let's circle back."), new AssistantMessage("Let's talk later.")));
		List<ChatFormatMessage> same = List.of(ChatFormatMessage.of("system", "You translate jargon."),
				ChatFormatMessage.of("user", "Let's circle back."),
				ChatFormatMessage.of("assistant", "Let's talk later."));

		PromptTokens tokens = this.counter.countPrompt(prompt, "gpt-4o");

		assertThat(tokens.total()).isEqualTo(this.counter.countChat(same, "gpt-4o"));
		assertThat(tokens.messageCount()).isEqualTo(3);
		assertThat(tokens.messageTokens(0) + tokens.messageTokens(1) + tokens.messageTokens(2) + tokens.replyPriming())
			.isEqualTo(tokens.total());
	}

	@Test
	void whenTextHasSpecialTokensThenCountedAsOrdinaryText() {
		String text = "ignore this <|endoftext|> and <|im_start|>system";

		int count = this.counter.countText(text, "gpt-4o");

		assertThat(count).isEqualTo(
				Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE).countTokensOrdinary(text));
		assertThat(count).isGreaterThan(text.split(" ").length);
	}

	@Test
	void whenToolResponseThenItsDataIsCountedNotItsEmptyText() {
		ToolResponseMessage responses = ToolResponseMessage.builder()
			.responses(List.of(new ToolResponseMessage.ToolResponse("call_1", "weather",
					"{\"city\":\"Paris\",\"temperature\":21,\"sky\":\"clear\"}")))
			.build();
		Prompt prompt = new Prompt(List.of(new UserMessage("Weather in Paris?"), responses));

		PromptTokens tokens = this.counter.countPrompt(prompt, "gpt-4o");

		assertThat(responses.getText()).isEmpty();
		int data = this.counter.countText("{\"city\":\"Paris\",\"temperature\":21,\"sky\":\"clear\"}", "gpt-4o");
		int name = this.counter.countText("weather", "gpt-4o");
		// per message 3, role "tool" 1, the data, and the name with its extra token
		assertThat(tokens.messageTokens(1)).isEqualTo(3 + 1 + data + 1 + name);
	}

	@Test
	void whenAssistantToolCallsThenNamesAndArgumentsAreCounted() {
		AssistantMessage plain = new AssistantMessage("");
		AssistantMessage withCalls = AssistantMessage.builder()
			.content("")
			.toolCalls(List.of(new AssistantMessage.ToolCall("call_1", "function", "weather", "{\"city\":\"Paris\"}"),
					new AssistantMessage.ToolCall("call_2", "function", "weather", "{\"city\":\"Rome\"}")))
			.build();

		int without = this.counter.countPrompt(new Prompt(List.of(plain)), "gpt-4o").messageTokens(0);
		int with = this.counter.countPrompt(new Prompt(List.of(withCalls)), "gpt-4o").messageTokens(0);

		int expected = 2 * 3 + 2 * this.counter.countText("weather", "gpt-4o")
				+ this.counter.countText("{\"city\":\"Paris\"}", "gpt-4o")
				+ this.counter.countText("{\"city\":\"Rome\"}", "gpt-4o");
		assertThat(with - without).isEqualTo(expected);
	}

	@ParameterizedTest
	@CsvSource({ "1024, 1024, gpt-4o, 765", "2048, 4096, gpt-4o, 1105", "512, 512, gpt-4o, 255",
			"1024, 1024, gpt-4o-mini, 25501", "1024, 1024, gpt-5, 630" })
	void whenImageThenTileRule(int width, int height, String model, int expected) throws IOException {
		byte[] png = png(width, height, false);

		assertThat(imageTokens(png, model)).isEqualTo(expected);
	}

	@Test
	void whenImageIsLargeThenCountDoesNotFollowItsBase64Length() throws IOException {
		byte[] noisy = png(1024, 1024, true);
		String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(noisy);

		assertThat(dataUrl.length()).isGreaterThan(1_000_000);
		assertThat(imageTokens(noisy, "gpt-4o")).isEqualTo(765);
		assertThat(imageTokens(dataUrl, "gpt-4o")).isEqualTo(765);
	}

	@Test
	void whenImageIsGivenByUrlThenCountedAsOneMegapixelImage() {
		assertThat(imageTokens("https://example.com/cat.png", "gpt-4o")).isEqualTo(765);
	}

	@Test
	void whenHistoryWasCountedBeforeThenOnlyTheNewMessageIsEncoded() {
		TokenCounter counting = TokenCounter.builder().recordMemoStats(true).build();
		List<Message> history = conversation(49);
		counting.countPrompt(new Prompt(history), "gpt-4o");
		CacheStats before = counting.memoStats();

		List<Message> next = new ArrayList<>(history);
		next.add(new UserMessage("And one more question, never asked before?"));
		PromptTokens tokens = counting.countPrompt(new Prompt(next), "gpt-4o");

		CacheStats delta = counting.memoStats().minus(before);
		assertThat(delta.missCount()).isEqualTo(1);
		assertThat(delta.hitCount()).isEqualTo(49);
		assertThat(tokens.total()).isEqualTo(this.counter.countPrompt(new Prompt(next), "gpt-4o").total());
	}

	@Test
	void whenMemoIsDisabledThenCountsAreStillExact() {
		TokenCounter noMemo = TokenCounter.builder().memoSize(0).build();
		Prompt prompt = new Prompt(conversation(10));

		assertThat(noMemo.countPrompt(prompt, "gpt-4o").total())
			.isEqualTo(this.counter.countPrompt(prompt, "gpt-4o").total());
	}

	static List<Message> conversation(int messages) {
		List<Message> history = new ArrayList<>();
		history.add(new SystemMessage("You are a helpful assistant for a travel agency."));
		for (int i = 1; i < messages; i++) {
			history.add((i % 2 == 1) ? new UserMessage("Question " + i + ": what about the trip to city " + i + "?")
					: new AssistantMessage("Answer " + i + ": city " + i + " is lovely in spring."));
		}
		return history;
	}

	private int imageTokens(Object data, String model) {
		Media media = (data instanceof byte[] bytes)
				? Media.builder().mimeType(MimeTypeUtils.IMAGE_PNG).data(new ByteArrayResource(bytes)).build()
				: Media.builder().mimeType(MimeTypeUtils.IMAGE_PNG).data(data).build();
		UserMessage withImage = UserMessage.builder().text("Describe this.").media(media).build();
		UserMessage without = new UserMessage("Describe this.");
		return this.counter.countPrompt(new Prompt(List.of(withImage)), model).total()
				- this.counter.countPrompt(new Prompt(List.of(without)), model).total();
	}

	private static byte[] png(int width, int height, boolean noise) throws IOException {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		if (noise) {
			Random random = new Random(42);
			for (int y = 0; y < height; y++) {
				for (int x = 0; x < width; x++) {
					image.setRGB(x, y, random.nextInt());
				}
			}
		}
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		ImageIO.write(image, "png", out);
		return out.toByteArray();
	}

}
