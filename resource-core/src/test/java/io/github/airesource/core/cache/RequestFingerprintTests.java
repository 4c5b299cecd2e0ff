package io.github.airesource.core.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import org.springframework.ai.chat.client.ChatClientAttributes;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.ai.model.tool.DefaultToolCallingChatOptions;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.ai.openai.api.ResponseFormat;
import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property-style checks of the exact key over random requests built with the real
 * {@link OpenAiChatOptions} and {@link DefaultToolCallingChatOptions}: changing any one
 * thing that changes the answer changes the key, and writing the same JSON in another key
 * order or with other whitespace does not.
 */
class RequestFingerprintTests {

	private static final int RUNS = 200;

	private final RequestFingerprint fingerprint = new RequestFingerprint();

	@Test
	void whenRequestsDifferInExactlyOneThingThatChangesTheAnswerThenTheirKeysAlwaysDiffer() {
		Random random = new Random(42);
		for (int run = 0; run < RUNS; run++) {
			Req base = Req.random(random);
			String baseKey = key(base);
			assertThat(baseKey).hasSize(64);
			Map<String, String> keys = new LinkedHashMap<>();
			keys.put("base", baseKey);
			for (Map.Entry<String, UnaryOperator<Req>> change : changes(random, base).entrySet()) {
				Req changed = change.getValue().apply(base.copy());
				String changedKey = key(changed);
				assertThat(changedKey).as("run %d, changed %s", run, change.getKey()).isNotEqualTo(baseKey);
				keys.put(change.getKey(), changedKey);
			}
			assertThat(new HashSet<>(keys.values())).as("run %d: every change gives its own key: %s", run, keys)
				.hasSize(keys.size());
		}
	}

	@Test
	void whenTheSameJsonIsWrittenInAnotherKeyOrderOrWithOtherWhitespaceThenTheKeyIsTheSame() {
		Random random = new Random(7);
		for (int run = 0; run < RUNS; run++) {
			Req base = Req.random(random);
			Req rewritten = base.copy();
			rewritten.schemaOrder = !base.schemaOrder;
			rewritten.spaces = "\n   ".substring(0, 1 + random.nextInt(4));
			rewritten.extraBodyReversed = !base.extraBodyReversed;
			rewritten.responseSchemaReversed = !base.responseSchemaReversed;
			rewritten.argumentsReordered = !base.argumentsReordered;
			rewritten.toolOrderReversed = !base.toolOrderReversed;
			assertThat(key(rewritten)).as("run %d", run).isEqualTo(key(base));
		}
	}

	@Test
	void whenTheOptionsAreSpringAisDefaultToolCallingOptionsThenEachOptionAndToolCountsAndOrderDoesNot() {
		DefaultToolCallingChatOptions options = toolOptions(0.0, 100,
				List.of(tool("a", false, ""), tool("b", true, " ")));
		String base = this.fingerprint.exactKey(prompt(options), Map.of(), "gpt-4o-mini", partition("acme"));

		assertThat(this.fingerprint.exactKey(
				prompt(toolOptions(0.0, 100, List.of(tool("b", false, "\n"), tool("a", true, "")))), Map.of(),
				"gpt-4o-mini", partition("acme")))
			.as("tool order and schema key order")
			.isEqualTo(base);
		assertThat(List.of(toolOptions(0.1, 100, List.of(tool("a", false, ""), tool("b", false, ""))),
				toolOptions(0.0, 101, List.of(tool("a", false, ""), tool("b", false, ""))),
				toolOptions(0.0, 100, List.of(tool("a", false, ""))),
				toolOptions(0.0, 100, List.of(tool("a", false, ""), tool("c", false, "")))))
			.extracting(
					(changed) -> this.fingerprint.exactKey(prompt(changed), Map.of(), "gpt-4o-mini", partition("acme")))
			.doesNotContain(base)
			.doesNotHaveDuplicates();
	}

	@Test
	void whenLongTextsAreKeyedByTheirDigestThenOneChangedCharacterStillChangesTheKeyAndACopyDoesNot() {
		OpenAiChatOptions options = OpenAiChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build();
		String text = "Summarize the following report. ".repeat(40);
		char[] changed = text.toCharArray();
		changed[changed.length / 2] = 'X';

		String key = this.fingerprint.exactKey(new Prompt(List.of(new UserMessage(text)), options), Map.of(),
				"gpt-4o-mini", partition("acme"));

		assertThat(
				this.fingerprint.exactKey(new Prompt(List.of(new UserMessage(new String(text.toCharArray()))), options),
						Map.of(), "gpt-4o-mini", partition("acme")))
			.isEqualTo(key);
		assertThat(this.fingerprint.exactKey(new Prompt(List.of(new UserMessage(new String(changed))), options),
				Map.of(), "gpt-4o-mini", partition("acme")))
			.isNotEqualTo(key);
		assertThat(new RequestFingerprint().exactKey(new Prompt(List.of(new UserMessage(text)), options), Map.of(),
				"gpt-4o-mini", partition("acme")))
			.as("the digest memo is a speed-up, not part of the key")
			.isEqualTo(key);
		assertThat(this.fingerprint.exactKey(new Prompt(List.of(new UserMessage(text.substring(1))), options), Map.of(),
				"gpt-4o-mini", partition("acme")))
			.isNotEqualTo(key);
	}

	@Test
	void whenOnlyTransportOptionsDifferThenAStreamAndACallShareTheKey() {
		OpenAiChatOptions call = OpenAiChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build();
		OpenAiChatOptions stream = OpenAiChatOptions.builder()
			.model("gpt-4o-mini")
			.temperature(0.0)
			.streamUsage(true)
			.httpHeaders(Map.of("X-Trace", "1"))
			.build();

		assertThat(this.fingerprint.exactKey(prompt(stream), Map.of(), "gpt-4o-mini", partition("acme")))
			.isEqualTo(this.fingerprint.exactKey(prompt(call), Map.of(), "gpt-4o-mini", partition("acme")));
	}

	@Test
	void whenThePartitionKeyIsTakenThenTheUserTurnsDoNotChangeItButTheSystemPromptAndOptionsDo() {
		OpenAiChatOptions options = OpenAiChatOptions.builder().model("gpt-4o-mini").temperature(0.0).build();
		Prompt first = new Prompt(List.of(new SystemMessage("Be brief."), new UserMessage("Capital of France?")),
				options);
		Prompt second = new Prompt(List.of(new SystemMessage("Be brief."), new UserMessage("Capital of Spain?")),
				options);
		Prompt otherSystem = new Prompt(
				List.of(new SystemMessage("Be verbose."), new UserMessage("Capital of France?")), options);

		String partitionKey = this.fingerprint.partitionKey(first, Map.of(), "gpt-4o-mini", partition("acme"));
		assertThat(this.fingerprint.partitionKey(second, Map.of(), "gpt-4o-mini", partition("acme")))
			.isEqualTo(partitionKey);
		assertThat(this.fingerprint.partitionKey(otherSystem, Map.of(), "gpt-4o-mini", partition("acme")))
			.isNotEqualTo(partitionKey);
		assertThat(this.fingerprint.exactKey(first, Map.of(), "gpt-4o-mini", partition("acme")))
			.isNotEqualTo(this.fingerprint.exactKey(second, Map.of(), "gpt-4o-mini", partition("acme")))
			.isNotEqualTo(partitionKey);
	}

	private String key(Req req) {
		return this.fingerprint.exactKey(req.prompt(), req.context(), req.model, req.partition());
	}

	/** Each entry changes exactly one thing that changes the answer. */
	private static Map<String, UnaryOperator<Req>> changes(Random random, Req base) {
		Map<String, UnaryOperator<Req>> changes = new LinkedHashMap<>();
		changes.put("model", (r) -> with(r, () -> r.model = r.model + "-2024"));
		changes.put("temperature", (r) -> with(r, () -> r.temperature = r.temperature + 0.1));
		changes.put("top-p", (r) -> with(r, () -> r.topP = (r.topP == null) ? 0.5 : null));
		changes.put("max tokens", (r) -> with(r, () -> r.maxTokens = r.maxTokens + 1));
		changes.put("stop", (r) -> with(r, () -> r.stop = append(r.stop, "END")));
		changes.put("seed", (r) -> with(r, () -> r.seed = (r.seed == null) ? 1 : r.seed + 1));
		changes.put("reasoning effort",
				(r) -> with(r, () -> r.reasoningEffort = "low".equals(r.reasoningEffort) ? "high" : "low"));
		changes.put("tool added", (r) -> with(r, () -> r.tools = append(r.tools, "get_time")));
		changes.put("tool description",
				(r) -> with(r, () -> r.toolDescription = r.toolDescription + " Answers in Celsius."));
		changes.put("tool choice", (r) -> with(r, () -> r.toolChoice = "none".equals(r.toolChoice) ? "auto" : "none"));
		changes.put("response format", (r) -> with(r, () -> r.responseFormat = !r.responseFormat));
		if (base.responseFormat) {
			// Without a response format the schema is not sent: nothing changes.
			changes.put("response schema", (r) -> with(r, () -> r.responseSchemaField = r.responseSchemaField + "x"));
		}
		changes.put("extra body", (r) -> with(r, () -> r.extraBodyValue = r.extraBodyValue + 1));
		changes.put("system prompt", (r) -> with(r, () -> r.system = r.system + " Be brief."));
		changes.put("history turn", (r) -> with(r, () -> r.history = append(r.history, "And Spain?")));
		changes.put("history order", (r) -> with(r, () -> r.history = reversedOrChanged(r.history)));
		changes.put("tool-call arguments", (r) -> with(r, () -> r.toolCallCity = r.toolCallCity + "a"));
		changes.put("tool result", (r) -> with(r, () -> r.toolResult = r.toolResult + "!"));
		changes.put("question", (r) -> with(r, () -> r.question = r.question + "?"));
		changes.put("tenant", (r) -> with(r, () -> r.tenant = r.tenant + "-b"));
		changes.put("user when per-user", (r) -> with(r, () -> r.user = r.user + "-b"));
		changes.put("namespace", (r) -> with(r, () -> r.namespace = r.namespace + "n"));
		changes.put("structured output format",
				(r) -> with(r, () -> r.outputFormat = (r.outputFormat == null) ? "Answer as JSON." : null));
		changes.put("frequency penalty", (r) -> with(r, () -> r.frequencyPenalty = random.nextDouble() + 0.01));
		return changes;
	}

	private static Req with(Req req, Runnable change) {
		change.run();
		return req;
	}

	private static List<String> append(List<String> list, String value) {
		List<String> more = new ArrayList<>(list);
		more.add(value);
		return more;
	}

	private static List<String> reversedOrChanged(List<String> list) {
		List<String> changed = new ArrayList<>(list);
		if (changed.size() > 1 && !changed.get(0).equals(changed.get(changed.size() - 1))) {
			Collections.reverse(changed);
		}
		else {
			changed.add(0, "Hello.");
		}
		return changed;
	}

	private static CachePartition partition(String tenant) {
		return new CachePartition(tenant, CachePartition.ANY_USER, "");
	}

	private static Prompt prompt(ChatOptions options) {
		return new Prompt(List.of(new UserMessage("Weather in Paris?")), options);
	}

	private static DefaultToolCallingChatOptions toolOptions(double temperature, int maxTokens,
			List<ToolCallback> tools) {
		DefaultToolCallingChatOptions options = new DefaultToolCallingChatOptions();
		options.setModel("gpt-4o-mini");
		options.setTemperature(temperature);
		options.setMaxTokens(maxTokens);
		options.setToolCallbacks(tools);
		return options;
	}

	private static ToolCallback tool(String name, boolean reordered, String space) {
		String schema = reordered
				? "{" + space + "\"required\":[\"city\"]," + space + "\"properties\":{\"city\":{\"type\":\"string\"}},"
						+ space + "\"type\":\"object\"}"
				: "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
		ToolDefinition definition = ToolDefinition.builder()
			.name(name)
			.description("Tool " + name)
			.inputSchema(schema)
			.build();
		return new FixedTool(definition);
	}

	private record FixedTool(ToolDefinition definition) implements ToolCallback {

		@Override
		public ToolDefinition getToolDefinition() {
			return this.definition;
		}

		@Override
		public String call(String toolInput) {
			return "{}";
		}

	}

	/**
	 * A random request, mutable so that one field can change at a time.
	 */
	static final class Req {

		String model;

		double temperature;

		Double topP;

		int maxTokens;

		List<String> stop;

		Integer seed;

		String reasoningEffort;

		List<String> tools;

		String toolDescription;

		String toolChoice;

		boolean responseFormat;

		String responseSchemaField;

		int extraBodyValue;

		Double frequencyPenalty;

		String system;

		List<String> history;

		String toolCallCity;

		String toolResult;

		String question;

		String tenant;

		String user;

		String namespace;

		String outputFormat;

		// Presentation only: must never change the key.
		boolean schemaOrder;

		String spaces = "";

		boolean extraBodyReversed;

		boolean responseSchemaReversed;

		boolean argumentsReordered;

		boolean toolOrderReversed;

		static Req random(Random random) {
			Req r = new Req();
			r.model = pick(random, "gpt-4o-mini", "gpt-4o", "o3-mini");
			r.temperature = random.nextInt(3) / 10.0;
			r.topP = random.nextBoolean() ? null : 0.9;
			r.maxTokens = 50 + random.nextInt(500);
			r.stop = random.nextBoolean() ? List.of() : List.of("\n\n");
			r.seed = random.nextBoolean() ? null : random.nextInt(100);
			r.reasoningEffort = random.nextBoolean() ? null : pick(random, "low", "medium", "high");
			r.tools = random.nextBoolean() ? List.of("get_weather") : List.of("get_weather", "get_news");
			r.toolDescription = "Weather of a city.";
			r.toolChoice = random.nextBoolean() ? null : pick(random, "auto", "none", "required");
			r.responseFormat = random.nextBoolean();
			r.responseSchemaField = "answer";
			r.extraBodyValue = random.nextInt(10);
			r.frequencyPenalty = null;
			r.system = "You are helpful " + random.nextInt(1000) + ".";
			r.history = random.nextBoolean() ? List.of() : List.of("Hi.", "Capital of France?");
			r.toolCallCity = pick(random, "Paris", "Rome", "Oslo");
			r.toolResult = "{\"temperature\":" + random.nextInt(30) + "}";
			r.question = "Weather in " + r.toolCallCity + " " + random.nextInt(1000);
			r.tenant = pick(random, "acme", "globex", "anonymous");
			r.user = pick(random, "alice", "bob");
			r.namespace = random.nextBoolean() ? "" : "faq";
			r.outputFormat = random.nextBoolean() ? null : "Answer with JSON matching the schema.";
			r.schemaOrder = random.nextBoolean();
			r.spaces = random.nextBoolean() ? "" : " ";
			r.extraBodyReversed = random.nextBoolean();
			r.responseSchemaReversed = random.nextBoolean();
			r.argumentsReordered = random.nextBoolean();
			r.toolOrderReversed = random.nextBoolean();
			return r;
		}

		Req copy() {
			Req r = new Req();
			r.model = this.model;
			r.temperature = this.temperature;
			r.topP = this.topP;
			r.maxTokens = this.maxTokens;
			r.stop = this.stop;
			r.seed = this.seed;
			r.reasoningEffort = this.reasoningEffort;
			r.tools = this.tools;
			r.toolDescription = this.toolDescription;
			r.toolChoice = this.toolChoice;
			r.responseFormat = this.responseFormat;
			r.responseSchemaField = this.responseSchemaField;
			r.extraBodyValue = this.extraBodyValue;
			r.frequencyPenalty = this.frequencyPenalty;
			r.system = this.system;
			r.history = this.history;
			r.toolCallCity = this.toolCallCity;
			r.toolResult = this.toolResult;
			r.question = this.question;
			r.tenant = this.tenant;
			r.user = this.user;
			r.namespace = this.namespace;
			r.outputFormat = this.outputFormat;
			r.schemaOrder = this.schemaOrder;
			r.spaces = this.spaces;
			r.extraBodyReversed = this.extraBodyReversed;
			r.responseSchemaReversed = this.responseSchemaReversed;
			r.argumentsReordered = this.argumentsReordered;
			r.toolOrderReversed = this.toolOrderReversed;
			return r;
		}

		Prompt prompt() {
			OpenAiChatOptions.Builder options = OpenAiChatOptions.builder()
				.model(this.model)
				.temperature(this.temperature)
				.maxTokens(this.maxTokens)
				.toolCallbacks(toolCallbacks())
				.extraBody(extraBody());
			if (this.topP != null) {
				options.topP(this.topP);
			}
			if (!this.stop.isEmpty()) {
				options.stop(this.stop);
			}
			if (this.seed != null) {
				options.seed(this.seed);
			}
			if (this.reasoningEffort != null) {
				options.reasoningEffort(this.reasoningEffort);
			}
			if (this.toolChoice != null) {
				options.toolChoice(this.toolChoice);
			}
			if (this.frequencyPenalty != null) {
				options.frequencyPenalty(this.frequencyPenalty);
			}
			if (this.responseFormat) {
				options.responseFormat(ResponseFormat.builder()
					.type(ResponseFormat.Type.JSON_SCHEMA)
					.jsonSchema(ResponseFormat.JsonSchema.builder()
						.name("answer")
						.schema(responseSchema())
						.strict(true)
						.build())
					.build());
			}
			List<Message> messages = new ArrayList<>();
			messages.add(new SystemMessage(this.system));
			for (int i = 0; i < this.history.size(); i++) {
				messages.add((i % 2 == 0) ? new UserMessage(this.history.get(i))
						: new AssistantMessage(this.history.get(i)));
			}
			String arguments = this.argumentsReordered ? "{" + this.spaces + "\"unit\":\"celsius\"," + this.spaces
					+ "\"city\":\"" + this.toolCallCity + "\"}"
					: "{\"city\":\"" + this.toolCallCity + "\",\"unit\":\"celsius\"}";
			messages.add(AssistantMessage.builder()
				.content("")
				.toolCalls(List.of(new AssistantMessage.ToolCall("call-1", "function", "get_weather", arguments)))
				.build());
			messages.add(ToolResponseMessage.builder()
				.responses(List.of(new ToolResponseMessage.ToolResponse("call-1", "get_weather", this.toolResult)))
				.build());
			messages.add(new UserMessage(this.question));
			return new Prompt(messages, options.build());
		}

		Map<String, Object> context() {
			Map<String, Object> context = new HashMap<>();
			context.put("ai.resource.tenant", this.tenant);
			if (this.outputFormat != null) {
				context.put(ChatClientAttributes.OUTPUT_FORMAT.getKey(), this.outputFormat);
			}
			return context;
		}

		CachePartition partition() {
			return new CachePartition(this.tenant, this.user, this.namespace);
		}

		private List<ToolCallback> toolCallbacks() {
			List<ToolCallback> callbacks = new ArrayList<>();
			for (String name : this.tools) {
				String schema = this.schemaOrder
						? "{" + this.spaces + "\"required\":[\"city\"],\"properties\":{\"city\":{" + this.spaces
								+ "\"type\":\"string\"}},\"type\":\"object\"}"
						: "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}";
				callbacks.add(new FixedTool(ToolDefinition.builder()
					.name(name)
					.description(name.equals("get_weather") ? this.toolDescription : "Tool " + name)
					.inputSchema(schema)
					.build()));
			}
			if (this.toolOrderReversed) {
				Collections.reverse(callbacks);
			}
			return callbacks;
		}

		private Map<String, Object> extraBody() {
			Map<String, Object> body = new LinkedHashMap<>();
			List<String> keys = new ArrayList<>(List.of("top_k", "repetition_penalty", "guided"));
			if (this.extraBodyReversed) {
				Collections.reverse(keys);
			}
			for (String key : keys) {
				switch (key) {
					case "top_k" -> body.put(key, this.extraBodyValue);
					case "repetition_penalty" -> body.put(key, 1.1);
					default -> body.put(key, nested(this.extraBodyReversed));
				}
			}
			return body;
		}

		private Map<String, Object> responseSchema() {
			Map<String, Object> schema = new LinkedHashMap<>();
			Map<String, Object> properties = Map.of(this.responseSchemaField, Map.of("type", "string"));
			if (this.responseSchemaReversed) {
				schema.put("required", List.of(this.responseSchemaField));
				schema.put("properties", properties);
				schema.put("type", "object");
			}
			else {
				schema.put("type", "object");
				schema.put("properties", properties);
				schema.put("required", List.of(this.responseSchemaField));
			}
			return schema;
		}

		private static Map<String, Object> nested(boolean reversed) {
			Map<String, Object> nested = new LinkedHashMap<>();
			if (reversed) {
				nested.put("z", 1);
				nested.put("a", 2);
			}
			else {
				nested.put("a", 2);
				nested.put("z", 1);
			}
			return nested;
		}

		private static String pick(Random random, String... values) {
			return values[random.nextInt(values.length)];
		}

	}

}
