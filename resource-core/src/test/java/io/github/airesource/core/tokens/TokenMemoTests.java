package io.github.airesource.core.tokens;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.List;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

import io.github.airesource.testsupport.TestTools;

import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.ai.tool.definition.ToolDefinition;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memo of {@link TokenCounter}: one cache for every encoding and for tool
 * definitions, bounded by the heap it retains.
 */
class TokenMemoTests {

	private static final long MIB = 1024 * 1024;

	private static final EncodingRegistry JTOKKIT = Encodings.newLazyEncodingRegistry();

	@Test
	void whenMillionShortTextsAreCountedThenRetainedHeapStaysWithinTheBound() {
		long bound = 16 * MIB;
		TokenCounter counter = TokenCounter.builder().memoSize(bound).build();
		// Load the encoding first: its ranks take tens of MB that are not the memo's.
		counter.countText("warm up", EncodingType.O200K_BASE);
		long before = usedHeapAfterGc();

		for (int i = 0; i < 1_000_000; i++) {
			counter.countText("t" + i, EncodingType.O200K_BASE);
		}
		long estimated = counter.memoRetainedBytes();
		long retained = usedHeapAfterGc() - before;
		Reference.reachabilityFence(counter);

		// Printed for the record: a memo bounded by characters (8M) kept all of them,
		// about 139 MiB.
		System.out.printf("1,000,000 short texts under a %d MiB memo: %.1f MiB retained, %.1f MiB estimated%n",
				bound / MIB, retained / (double) MIB, estimated / (double) MIB);
		assertThat(estimated).isLessThanOrEqualTo(bound).isGreaterThan(bound * 9 / 10);
		assertThat(retained).as("heap retained by the memo").isLessThanOrEqualTo(bound * 3 / 2);
		// The memo is full, so the measurement must see it: guards against a measurement
		// that sees nothing.
		assertThat(retained).as("heap retained by the memo").isGreaterThan(bound / 2);
	}

	@Test
	void whenTextsAndToolDefinitionsOfEveryEncodingAreCountedThenEstimatedSizeNeverExceedsTheBound() {
		long bound = 256 * 1024;
		TokenCounter counter = TokenCounter.builder().memoSize(bound).build();
		EncodingType[] encodings = { EncodingType.O200K_BASE, EncodingType.CL100K_BASE };

		for (int i = 0; i < 3000; i++) {
			EncodingType encoding = encodings[i % 2];
			String text = switch (i % 3) {
				case 0 -> "short " + i;
				case 1 -> ("a longer text that repeats itself " + i + " ").repeat(40);
				default -> "текст за пределами Latin-1 " + i;
			};
			counter.countText(text, encoding);
			counter.countToolDefinitions(List.of(tool("tool_" + i)), encoding);
			assertThat(counter.memoRetainedBytes()).isLessThanOrEqualTo(bound);
		}
		assertThat(counter.memoRetainedBytes()).isGreaterThan(bound / 2);
	}

	@Test
	void whenOneShortTextIsRememberedThenItWeighsItsOverheadPlusItsText() {
		TokenCounter counter = TokenCounter.create();

		counter.countText("t1", EncodingType.O200K_BASE);

		// Caffeine 88, key 24, String 24, byte[] 16 + 2 aligned to 24, count 1 shared
		assertThat(counter.memoRetainedBytes()).isEqualTo(88 + 24 + 24 + 24);
	}

	@Test
	void whenTextIsLatin1ThenItWeighsOneBytePerCharacterElseTwo() {
		assertThat(MemoWeights.string("a".repeat(1000))).isEqualTo(24 + 1016);
		assertThat(MemoWeights.string("é".repeat(1000))).isEqualTo(24 + 1016);
		assertThat(MemoWeights.string("ж".repeat(1000))).isEqualTo(24 + 2016);
		assertThat(MemoWeights.string("a".repeat(999) + "ж")).isEqualTo(24 + 2016);
		assertThat(MemoWeights.string(null)).isZero();
	}

	@Test
	void whenCountIsAbove127ThenItsBoxWeighs16Bytes() {
		assertThat(MemoWeights.entry(100, 128) - MemoWeights.entry(100, 127)).isEqualTo(16);
		assertThat(MemoWeights.entry(Long.MAX_VALUE / 2, 1)).isEqualTo(Integer.MAX_VALUE);
	}

	@Test
	void whenMemoSizeIsZeroThenCountsAreStillRightAndNothingIsRemembered() {
		TokenCounter noMemo = TokenCounter.builder().memoSize(0).recordMemoStats(true).build();
		String text = "Größenwahnsinnige Straßenbahnhaltestellen, ​and <|endoftext|> too";

		for (int i = 0; i < 2; i++) {
			assertThat(noMemo.countText(text, EncodingType.O200K_BASE))
				.isEqualTo(direct(text, EncodingType.O200K_BASE));
			assertThat(noMemo.countText(text, EncodingType.CL100K_BASE))
				.isEqualTo(direct(text, EncodingType.CL100K_BASE));
			assertThat(noMemo.countPrompt(cookbookPromptWithTool(), "gpt-4o").total()).isEqualTo(101);
		}
		assertThat(noMemo.memoRetainedBytes()).isZero();
		assertThat(noMemo.memoStats().requestCount()).isZero();
	}

	@Test
	void whenSameTextIsCountedWithTwoEncodingsThenEachGetsItsOwnCountFromOneMemo() {
		TokenCounter counter = TokenCounter.builder().recordMemoStats(true).build();
		String text = "Größenwahnsinnige Straßenbahnhaltestellen und Donaudampfschifffahrtsgesellschaften";
		int o200k = direct(text, EncodingType.O200K_BASE);
		int cl100k = direct(text, EncodingType.CL100K_BASE);
		assertThat(o200k).as("the text must count differently in the two encodings").isNotEqualTo(cl100k);

		for (int i = 0; i < 2; i++) {
			assertThat(counter.countText(text, EncodingType.CL100K_BASE)).isEqualTo(cl100k);
			assertThat(counter.countText(text, EncodingType.O200K_BASE)).isEqualTo(o200k);
		}

		CacheStats stats = counter.memoStats();
		assertThat(stats.missCount()).isEqualTo(2);
		assertThat(stats.hitCount()).isEqualTo(2);
	}

	@Test
	void whenSameToolDefinitionIsCountedForTwoEncodingsThenEachGetsItsOwnCount() {
		TokenCounter counter = TokenCounter.builder().recordMemoStats(true).build();

		// API-reported counts from OpenAI's cookbook, see TokenCounterTests
		for (int i = 0; i < 2; i++) {
			assertThat(counter.countPrompt(cookbookPromptWithTool(), "gpt-4").total()).isEqualTo(105);
			assertThat(counter.countPrompt(cookbookPromptWithTool(), "gpt-4o").total()).isEqualTo(101);
		}
		// per encoding two messages and the tool definition: missed once, then hit
		CacheStats stats = counter.memoStats();
		assertThat(stats.missCount()).isEqualTo(6);
		assertThat(stats.hitCount()).isEqualTo(6);
	}

	private static Prompt cookbookPromptWithTool() {
		return new Prompt(
				List.of(new SystemMessage(
						"You are a helpful assistant that can answer to questions about the weather."),
						new UserMessage("What's the weather like in San Francisco?")),
				ToolCallingChatOptions.builder().toolCallbacks(TestTools.weather()).build());
	}

	private static ToolDefinition tool(String name) {
		return ToolDefinition.builder()
			.name(name)
			.description("Looks up " + name)
			.inputSchema("{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\",\"description\":\"query\"}}}")
			.build();
	}

	private static int direct(String text, EncodingType encoding) {
		return JTOKKIT.getEncoding(encoding).countTokensOrdinary(text);
	}

	private static long usedHeapAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long used = Long.MAX_VALUE;
		for (int i = 0; i < 5; i++) {
			System.gc();
			used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
		}
		return used;
	}

}
