package io.github.airesource.core.tokens;

import java.util.Iterator;
import java.util.Map;
import java.util.function.ToIntFunction;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.ai.tool.definition.ToolDefinition;

/**
 * Counts tool definitions by the rule OpenAI's cookbook publishes with API-reported
 * counts: per function a fixed start, {@code name:description} (without a trailing
 * period), and per top-level parameter a fixed cost plus {@code name:type:description};
 * enum values cost a fixed amount plus their text; all functions together add a fixed
 * end.
 *
 * <p>
 * The published rule covers flat parameter lists. Nested object parameters are counted by
 * their top-level entry only, so counts for deeply nested schemas are estimates.
 */
final class ToolDefinitionTokens {

	private static final ObjectMapper JSON = new ObjectMapper();

	private ToolDefinitionTokens() {
	}

	/**
	 * Count one tool definition, without the fixed end that all definitions share.
	 * @param definition the tool definition
	 * @param format the chat format overheads
	 * @param text counts ordinary text
	 * @return the token count
	 */
	static int countOne(ToolDefinition definition, ChatFormat format, ToIntFunction<String> text) {
		int tokens = format.functionInit();
		tokens += text.applyAsInt(definition.name() + ":" + withoutTrailingPeriod(definition.description()));
		JsonNode properties = parseSchema(definition.inputSchema()).path("properties");
		if (properties.isObject() && !properties.isEmpty()) {
			tokens += format.propertiesInit();
			Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
			while (fields.hasNext()) {
				Map.Entry<String, JsonNode> field = fields.next();
				tokens += format.propertyKey();
				JsonNode property = field.getValue();
				JsonNode values = property.path("enum");
				if (values.isArray()) {
					tokens += format.enumInit();
					for (JsonNode value : values) {
						tokens += format.enumItem();
						tokens += text.applyAsInt(value.asText());
					}
				}
				String line = field.getKey() + ":" + typeOf(property) + ":"
						+ withoutTrailingPeriod(property.path("description").asText(""));
				tokens += text.applyAsInt(line);
			}
		}
		return tokens;
	}

	private static String typeOf(JsonNode property) {
		JsonNode type = property.path("type");
		if (type.isArray()) {
			StringBuilder joined = new StringBuilder();
			for (JsonNode each : type) {
				joined.append((joined.length() > 0) ? "|" : "").append(each.asText());
			}
			return joined.toString();
		}
		return type.asText("");
	}

	private static JsonNode parseSchema(String schema) {
		if (schema == null || schema.isBlank()) {
			return JSON.missingNode();
		}
		try {
			return JSON.readTree(schema);
		}
		catch (JsonProcessingException ex) {
			return JSON.missingNode();
		}
	}

	private static String withoutTrailingPeriod(String text) {
		if (text == null) {
			return "";
		}
		return text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
	}

}
