package io.github.airesource.core.support;

import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Supplier;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.PropertyAccessorFactory;
import org.springframework.lang.Nullable;
import org.springframework.util.ReflectionUtils;
import org.springframework.util.StringUtils;

/**
 * Which model a request goes to, and how to send it to another one.
 */
public final class RequestModels {

	/**
	 * The getter of a provider's {@code maxCompletionTokens}, looked up once per class.
	 */
	private static final ClassValue<Optional<Method>> MAX_COMPLETION_TOKENS = new ClassValue<>() {
		@Override
		protected Optional<Method> computeValue(Class<?> type) {
			Method getter = ReflectionUtils.findMethod(type, "getMaxCompletionTokens");
			return (getter != null && getter.getParameterCount() == 0) ? Optional.of(getter) : Optional.empty();
		}
	};

	/** The model name used when neither the request nor the chat model names one. */
	public static final String UNKNOWN_MODEL = "unknown";

	private RequestModels() {
	}

	/**
	 * Return the model a request will be sent to: the one its options name, else the chat
	 * model's default.
	 * @param request the request
	 * @param defaultModel supplies the chat model's default, may supply {@code null}
	 * @return the model, {@value #UNKNOWN_MODEL} when nothing names one
	 */
	public static String modelOf(ChatClientRequest request, Supplier<String> defaultModel) {
		ChatOptions options = request.prompt().getOptions();
		if (options != null && StringUtils.hasText(options.getModel())) {
			return options.getModel();
		}
		String fallback = defaultModel.get();
		return StringUtils.hasText(fallback) ? fallback : UNKNOWN_MODEL;
	}

	/**
	 * Return the most output tokens a request lets the model produce: its
	 * {@code maxTokens} option, else a provider's own {@code maxCompletionTokens}
	 * (OpenAI's reasoning models).
	 * @param request the request
	 * @return the cap, or {@code null} when the request sets none
	 */
	@Nullable
	public static Integer maxOutputTokens(ChatClientRequest request) {
		ChatOptions options = request.prompt().getOptions();
		if (options == null) {
			return null;
		}
		if (options.getMaxTokens() != null) {
			return options.getMaxTokens();
		}
		Method getter = MAX_COMPLETION_TOKENS.get(options.getClass()).orElse(null);
		if (getter == null) {
			return null;
		}
		try {
			return (getter.invoke(options) instanceof Integer max) ? max : null;
		}
		catch (ReflectiveOperationException ex) {
			return null;
		}
	}

	/**
	 * Return a copy of a request that goes to another model, with every other option
	 * kept. The options are copied with their own {@code copy()} (so provider-specific
	 * options survive) and the model is set through their {@code model} property; the
	 * messages are the request's own instances, so that its prompt count
	 * ({@link io.github.airesource.core.tokens.RequestTokens}) still applies.
	 * @param request the request
	 * @param model the model to send it to
	 * @return the new request, or {@code null} when the request's options have no
	 * writable model
	 */
	@Nullable
	public static ChatClientRequest withModel(ChatClientRequest request, String model) {
		ChatOptions options = request.prompt().getOptions();
		ChatOptions changed;
		if (options == null) {
			changed = ChatOptions.builder().model(model).build();
		}
		else {
			changed = options.copy();
			BeanWrapper wrapper = PropertyAccessorFactory.forBeanPropertyAccess(changed);
			if (!wrapper.isWritableProperty("model")) {
				return null;
			}
			wrapper.setPropertyValue("model", model);
		}
		// The same message instances, not Prompt.mutate()'s copies: the count of the
		// prompt in the request context is kept for exactly these instances, so the
		// advisors after this one reuse it instead of counting every message again.
		Prompt prompt = new Prompt(request.prompt().getInstructions(), changed);
		return request.mutate().prompt(prompt).build();
	}

}
