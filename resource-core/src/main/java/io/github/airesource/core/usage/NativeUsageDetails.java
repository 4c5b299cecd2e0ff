package io.github.airesource.core.usage;

import java.lang.reflect.Method;
import java.util.Map;

import org.springframework.lang.Nullable;

/**
 * Reads cached-prompt and reasoning token counts from a provider's native usage object.
 *
 * <p>
 * Spring AI's {@code Usage} exposes prompt and completion totals only; the details live
 * in the provider's native object. This reads the OpenAI shape
 * ({@code prompt_tokens_details.
 * cached_tokens}, {@code completion_tokens_details.reasoning_tokens}) from records and
 * beans by accessor name, and from maps by JSON key, so it also serves OpenAI-compatible
 * clients without a compile-time dependency on any of them. Accessors are looked up once
 * per class.
 */
final class NativeUsageDetails {

	private static final ClassValue<Accessors> ACCESSORS = new ClassValue<>() {
		@Override
		protected Accessors computeValue(Class<?> type) {
			return new Accessors(find(type, "promptTokensDetails", "getPromptTokensDetails"),
					find(type, "completionTokenDetails", "completionTokensDetails", "getCompletionTokenDetails",
							"getCompletionTokensDetails"),
					find(type, "cachedTokens", "getCachedTokens"), find(type, "reasoningTokens", "getReasoningTokens"));
		}
	};

	private NativeUsageDetails() {
	}

	static int cachedTokens(@Nullable Object nativeUsage) {
		if (nativeUsage instanceof Map<?, ?> map) {
			return (map.get("prompt_tokens_details") instanceof Map<?, ?> details) ? intOf(details.get("cached_tokens"))
					: 0;
		}
		Object details = (nativeUsage != null)
				? invoke(ACCESSORS.get(nativeUsage.getClass()).promptDetails(), nativeUsage) : null;
		return (details != null) ? intOf(invoke(ACCESSORS.get(details.getClass()).cached(), details)) : 0;
	}

	static int reasoningTokens(@Nullable Object nativeUsage) {
		if (nativeUsage instanceof Map<?, ?> map) {
			return (map.get("completion_tokens_details") instanceof Map<?, ?> details)
					? intOf(details.get("reasoning_tokens")) : 0;
		}
		Object details = (nativeUsage != null)
				? invoke(ACCESSORS.get(nativeUsage.getClass()).completionDetails(), nativeUsage) : null;
		return (details != null) ? intOf(invoke(ACCESSORS.get(details.getClass()).reasoning(), details)) : 0;
	}

	@Nullable
	private static Method find(Class<?> type, String... names) {
		for (String name : names) {
			try {
				return type.getMethod(name);
			}
			catch (NoSuchMethodException ex) {
				// try the next spelling
			}
		}
		return null;
	}

	@Nullable
	private static Object invoke(@Nullable Method method, Object target) {
		if (method == null) {
			return null;
		}
		try {
			return method.invoke(target);
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			return null;
		}
	}

	private static int intOf(@Nullable Object value) {
		return (value instanceof Number number) ? number.intValue() : 0;
	}

	private record Accessors(@Nullable Method promptDetails, @Nullable Method completionDetails,
			@Nullable Method cached, @Nullable Method reasoning) {
	}

}
