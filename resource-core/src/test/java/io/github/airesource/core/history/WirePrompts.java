package io.github.airesource.core.history;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.airesource.core.tokens.TokenCounter;

import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * Reads chat-completion requests as the loopback server captured them: their messages
 * back as Spring AI messages (to count what was sent), and OpenAI's ordering rule for
 * tool messages.
 */
final class WirePrompts {

	private WirePrompts() {
	}

	static List<Message> messages(JsonNode request) {
		List<Message> messages = new ArrayList<>();
		for (JsonNode message : request.path("messages")) {
			String content = message.path("content").isNull() ? "" : message.path("content").asText("");
			switch (message.path("role").asText()) {
				case "system" -> messages.add(new SystemMessage(content));
				case "user" -> messages.add(new UserMessage(content));
				case "assistant" -> {
					List<AssistantMessage.ToolCall> calls = new ArrayList<>();
					for (JsonNode call : message.path("tool_calls")) {
						calls.add(new AssistantMessage.ToolCall(call.path("id").asText(), "function",
								call.path("function").path("name").asText(),
								call.path("function").path("arguments").asText()));
					}
					messages.add(AssistantMessage.builder().content(content).toolCalls(calls).build());
				}
				case "tool" -> messages.add(ToolResponseMessage.builder()
					.responses(List.of(new ToolResponseMessage.ToolResponse(message.path("tool_call_id").asText(),
							message.path("name").asText(), content)))
					.build());
				default -> throw new AssertionError("unknown role in " + message);
			}
		}
		return messages;
	}

	static int tokens(JsonNode request, TokenCounter counter) {
		return counter.countPrompt(new Prompt(messages(request)), request.path("model").asText()).total();
	}

	static List<String> roles(JsonNode request) {
		List<String> roles = new ArrayList<>();
		request.path("messages").forEach((message) -> roles.add(message.path("role").asText()));
		return roles;
	}

	static List<String> contents(JsonNode request) {
		List<String> contents = new ArrayList<>();
		request.path("messages")
			.forEach((message) -> contents
				.add(message.path("content").isNull() ? "" : message.path("content").asText("")));
		return contents;
	}

	/**
	 * Check OpenAI's rule: each tool message answers a tool call of the assistant message
	 * before the run of tool messages it is in, and every tool call of an assistant
	 * message is answered right after it.
	 * @param request the request
	 * @return a description of the first violation, or {@code null} when valid
	 */
	static String toolOrderViolation(JsonNode request) {
		Set<String> open = new HashSet<>();
		for (JsonNode message : request.path("messages")) {
			String role = message.path("role").asText();
			if ("tool".equals(role)) {
				if (!open.remove(message.path("tool_call_id").asText())) {
					return "tool response " + message.path("tool_call_id").asText()
							+ " does not follow its assistant tool call";
				}
				continue;
			}
			if (!open.isEmpty()) {
				return "tool calls " + open + " are not answered before a " + role + " message";
			}
			if ("assistant".equals(role)) {
				message.path("tool_calls").forEach((call) -> open.add(call.path("id").asText()));
			}
		}
		return open.isEmpty() ? null : "tool calls " + open + " are not answered";
	}

}
