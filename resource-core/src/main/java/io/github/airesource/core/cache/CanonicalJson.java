package io.github.airesource.core.cache;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.springframework.lang.Nullable;

/**
 * Writes JSON in one canonical form, so that two documents that mean the same thing are
 * the same text: object keys sorted, no whitespace, numbers without trailing zeros
 * ({@code 1}, {@code 1.0} and {@code 1.00} all become {@code 1}). Cache keys hash this
 * form, so key order and formatting never split one request into two entries.
 */
public final class CanonicalJson {

	private static final ObjectMapper MAPPER = new ObjectMapper();

	private CanonicalJson() {
	}

	/**
	 * Return the canonical form of a JSON text, or the text itself when it is not JSON.
	 * @param json the text
	 * @return the canonical text
	 */
	public static String canonicalize(@Nullable String json) {
		if (json == null) {
			return "";
		}
		JsonNode node = parse(json);
		if (node == null) {
			return json;
		}
		StringBuilder out = new StringBuilder(json.length());
		write(node, out);
		return out.toString();
	}

	/**
	 * Parse a JSON text.
	 * @param json the text
	 * @return the tree, or {@code null} when the text is not JSON
	 */
	@Nullable
	public static JsonNode parse(String json) {
		try {
			return MAPPER.readTree(json);
		}
		catch (JsonProcessingException ex) {
			return null;
		}
	}

	/**
	 * Append the canonical form of a tree.
	 * @param node the tree
	 * @param out where to write
	 */
	public static void write(@Nullable JsonNode node, StringBuilder out) {
		if (node == null || node.isNull() || node.isMissingNode()) {
			out.append("null");
		}
		else if (node.isObject()) {
			List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.size());
			for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
				fields.add(it.next());
			}
			fields.sort(Map.Entry.comparingByKey());
			out.append('{');
			for (int i = 0; i < fields.size(); i++) {
				if (i > 0) {
					out.append(',');
				}
				string(fields.get(i).getKey(), out);
				out.append(':');
				write(fields.get(i).getValue(), out);
			}
			out.append('}');
		}
		else if (node.isArray()) {
			out.append('[');
			for (int i = 0; i < node.size(); i++) {
				if (i > 0) {
					out.append(',');
				}
				write(node.get(i), out);
			}
			out.append(']');
		}
		else if (node.isNumber()) {
			out.append(node.decimalValue().stripTrailingZeros().toPlainString());
		}
		else if (node.isTextual()) {
			string(node.textValue(), out);
		}
		else if (node.isBinary()) {
			string(node.asText(), out);
		}
		else {
			out.append(node.asText());
		}
	}

	private static void string(String text, StringBuilder out) {
		out.append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '"' -> out.append("\\\"");
				case '\\' -> out.append("\\\\");
				default -> {
					if (c < 0x20) {
						out.append(String.format("\\u%04x", (int) c));
					}
					else {
						out.append(c);
					}
				}
			}
		}
		out.append('"');
	}

}
