package io.github.airesource.core.tokens;

import org.springframework.lang.Nullable;

/**
 * A message as OpenAI's chat format sees it: a role, an optional name and text content.
 * Spring AI messages are mapped to these before counting; the type is public so that the
 * counting rules can be checked against OpenAI's published examples, some of which use
 * names that Spring AI's OpenAI client does not send.
 *
 * @param role the role, such as {@code system}, {@code user}, {@code assistant} or
 * {@code tool}
 * @param name the optional participant name
 * @param content the text content, may be empty
 */
public record ChatFormatMessage(String role, @Nullable String name, String content) {

	public ChatFormatMessage {
		content = (content != null) ? content : "";
	}

	/**
	 * Create a message without a name.
	 * @param role the role
	 * @param content the content
	 * @return the message
	 */
	public static ChatFormatMessage of(String role, String content) {
		return new ChatFormatMessage(role, null, content);
	}

}
