package io.github.airesource.core.support;

import java.util.regex.Pattern;

import io.github.airesource.core.model.ModelNames;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.lang.Nullable;

/**
 * Caps the output tokens a request asks for, in whichever option the provider reads.
 *
 * <p>
 * Every {@link ChatOptions} has {@code maxTokens}. OpenAI's options also have
 * {@code maxCompletionTokens} ({@code max_completion_tokens} on the wire), the only one
 * its reasoning models (o1, o3, o4-mini, gpt-5) accept, and OpenAI rejects a request that
 * sets both. The provider's own property is found by name through a {@link BeanWrapper},
 * so that this library does not depend on any provider module: the request keeps its own
 * options class (copied with {@code copy()}), only the cap changes.
 */
public final class MaxOutputTokens {

	private static final String MAX_TOKENS = "maxTokens";

	private static final String MAX_COMPLETION_TOKENS = "maxCompletionTokens";

	/** OpenAI's reasoning families: o1, o3, o4-mini and their variants, gpt-5.x. */
	private static final Pattern REASONING_MODEL = Pattern.compile("^(o\\d+(-.*)?|gpt-5.*)$");

	private MaxOutputTokens() {
	}

	/**
	 * Whether a model takes {@code max_completion_tokens} instead of {@code max_tokens}.
	 * @param model the model name
	 * @return whether it is one of OpenAI's reasoning models
	 */
	public static boolean takesMaxCompletionTokens(String model) {
		return REASONING_MODEL.matcher(ModelNames.family(ModelNames.normalize(model))).matches();
	}

	/**
	 * Return a request whose output tokens are at most the cap: a request that asks for
	 * more, or for no limit, gets the cap. It goes to {@code maxCompletionTokens} when
	 * the request already uses that option or the model takes only that one (and
	 * {@code maxTokens} is then cleared), else to {@code maxTokens}.
	 * @param request the request
	 * @param cap the most output tokens, positive
	 * @param model the model the request goes to
	 * @return the request itself when it already asks for no more than the cap, a changed
	 * copy otherwise, or {@code null} when its options have no writable max-tokens option
	 */
	@Nullable
	public static ChatClientRequest cap(ChatClientRequest request, int cap, String model) {
		ChatOptions options = request.prompt().getOptions();
		if (options == null) {
			return withOptions(request, ChatOptions.builder().maxTokens(cap).build());
		}
		Integer maxTokens = options.getMaxTokens();
		BeanWrapper current = PropertyAccessorFactory.forBeanPropertyAccess(options);
		boolean hasCompletionOption = current.isReadableProperty(MAX_COMPLETION_TOKENS)
				&& current.isWritableProperty(MAX_COMPLETION_TOKENS);
		Integer maxCompletionTokens = hasCompletionOption
				? (current.getPropertyValue(MAX_COMPLETION_TOKENS) instanceof Integer max ? max : null) : null;
		if (hasCompletionOption && (maxCompletionTokens != null || takesMaxCompletionTokens(model))) {
			Integer requested = (maxCompletionTokens != null) ? maxCompletionTokens : maxTokens;
			int capped = (requested != null) ? Math.min(requested, cap) : cap;
			if (maxTokens == null && maxCompletionTokens != null && maxCompletionTokens == capped) {
				return request;
			}
			ChatOptions changed = options.copy();
			BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(changed);
			if (maxTokens != null) {
				if (!wrapper.isWritableProperty(MAX_TOKENS)) {
					return null;
				}
				// OpenAI refuses a request with both options.
				wrapper.setPropertyValue(MAX_TOKENS, null);
			}
			wrapper.setPropertyValue(MAX_COMPLETION_TOKENS, capped);
			return withOptions(request, changed);
		}
		if (maxTokens != null && maxTokens <= cap) {
			return request;
		}
		ChatOptions changed = options.copy();
		BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(changed);
		if (!wrapper.isWritableProperty(MAX_TOKENS)) {
			return null;
		}
		wrapper.setPropertyValue(MAX_TOKENS, cap);
		return withOptions(request, changed);
	}

	/**
	 * A request with other options and the same message instances, so that the prompt's
	 * count in the request context still applies and is not made again.
	 */
	private static ChatClientRequest withOptions(ChatClientRequest request, ChatOptions options) {
		Prompt prompt = new Prompt(request.prompt().getInstructions(), options);
		return ChatClientRequest.builder().prompt(prompt).context(request.context()).build();
	}

}
