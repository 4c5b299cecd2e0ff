package io.github.airesource.core.tokens;

import java.util.List;

import com.knuddels.jtokkit.api.EncodingType;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.support.RequestContexts;
import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.messages.Message;
import org.springframework.lang.Nullable;

/**
 * Counts a request's prompt at most once per call: the first advisor that needs the count
 * stores it in the request context under {@value ResourceContextKeys#PROMPT_TOKENS},
 * every later advisor reuses it as long as the prompt's messages are the same instances.
 */
public final class RequestTokens {

	private RequestTokens() {
	}

	/**
	 * Return the prompt count of a request, counting and storing it on first use.
	 * @param request the request
	 * @param counter the counter
	 * @param model the model name, may be {@code null}
	 * @return the count
	 */
	public static PromptTokens of(ChatClientRequest request, TokenCounter counter, @Nullable String model) {
		EncodingType encoding = counter.encodingFor(model);
		List<Message> messages = request.prompt().getInstructions();
		if (request.context().get(ResourceContextKeys.PROMPT_TOKENS) instanceof PromptTokens known
				&& known.isFor(messages, encoding)) {
			return known;
		}
		PromptTokens counted = counter.countPrompt(request.prompt(), model);
		RequestContexts.putIfPossible(request, ResourceContextKeys.PROMPT_TOKENS, counted);
		return counted;
	}

}
