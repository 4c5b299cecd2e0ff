package io.github.airesource.testsupport;

import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.ai.tool.ToolCallback;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * Tools for tests, with the definition from OpenAI's token-counting cookbook.
 */
public final class TestTools {

	private TestTools() {
	}

	/**
	 * The cookbook's {@code get_current_weather} tool, answering a fixed temperature.
	 * @param calls counts the tool's invocations
	 * @return the tool
	 */
	public static ToolCallback weather(AtomicInteger calls) {
		ToolDefinition definition = ToolDefinition.builder()
			.name("get_current_weather")
			.description("Get the current weather in a given location")
			.inputSchema(
					"""
							{"type":"object","properties":{
							  "location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},
							  "unit":{"type":"string","description":"The unit of temperature to return","enum":["celsius","fahrenheit"]}},
							 "required":["location"]}""")
			.build();
		return tool(definition, "{\"temperature\":21,\"unit\":\"celsius\"}", calls);
	}

	/**
	 * A tool that answers the same text to every call, as large as a test needs.
	 * @param name the tool's name
	 * @param result the answer
	 * @param calls counts the tool's invocations
	 * @return the tool
	 */
	public static ToolCallback answering(String name, String result, AtomicInteger calls) {
		ToolDefinition definition = ToolDefinition.builder()
			.name(name)
			.description("Return the " + name.replace('_', ' '))
			.inputSchema("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}")
			.build();
		return tool(definition, result, calls);
	}

	private static ToolCallback tool(ToolDefinition definition, String result, AtomicInteger calls) {
		return new ToolCallback() {
			@Override
			public ToolDefinition getToolDefinition() {
				return definition;
			}

			@Override
			public String call(String toolInput) {
				calls.incrementAndGet();
				return result;
			}
		};
	}

	/**
	 * The weather tool without an invocation counter.
	 * @return the tool
	 */
	public static ToolCallback weather() {
		return weather(new AtomicInteger());
	}

}
