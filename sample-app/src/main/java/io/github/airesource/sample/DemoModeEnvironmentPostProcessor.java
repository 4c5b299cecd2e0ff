package io.github.airesource.sample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.apache.commons.logging.Log;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * Chooses the model before the application context starts, from the same environment
 * variables OpenAI's own tools read:
 * <ul>
 * <li>{@code OPENAI_API_KEY} (or {@code spring.ai.openai.api-key}) set: OpenAI,
 * untouched;</li>
 * <li>only {@code OPENAI_BASE_URL} (or {@code spring.ai.openai.base-url}) set: an
 * OpenAI-compatible server such as Ollama, vLLM or LM Studio, with a placeholder key
 * because Spring AI's client insists on one;</li>
 * <li>neither: the {@link DemoChatModel}, with every Spring AI OpenAI model switched off
 * ({@code spring.ai.model.*=none}) so that nothing asks for a key, and
 * {@code sample.demo-model=true}.</li>
 * </ul>
 * {@code OPENAI_MODEL} names the chat model. {@code sample.demo-model} set explicitly
 * wins over the variables. Only properties that are missing or blank are filled in: a
 * blank one counts as missing because {@code application.yml} reads the key as
 * {@code ${OPENAI_API_KEY:}}, which is blank when the variable is not set.
 */
public class DemoModeEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** The property that selects the demo model. */
	public static final String DEMO_MODEL = "sample.demo-model";

	/** The name of the property source this post-processor adds. */
	public static final String PROPERTY_SOURCE_NAME = "sampleModelSelection";

	static final String API_KEY = "spring.ai.openai.api-key";

	static final String BASE_URL = "spring.ai.openai.base-url";

	static final String CHAT_MODEL_NAME = "spring.ai.openai.chat.options.model";

	static final String PLACEHOLDER_API_KEY = "not-needed";

	/**
	 * Spring AI's model selectors (see {@code SpringAIModelProperties}) that OpenAI
	 * serves.
	 */
	static final List<String> MODEL_SELECTORS = List.of("spring.ai.model.chat", "spring.ai.model.embedding",
			"spring.ai.model.image", "spring.ai.model.audio.speech", "spring.ai.model.audio.transcription",
			"spring.ai.model.moderation");

	private final Log logger;

	private final Function<String, String> environmentVariables;

	public DemoModeEnvironmentPostProcessor(DeferredLogFactory logFactory) {
		this(logFactory, System::getenv);
	}

	DemoModeEnvironmentPostProcessor(DeferredLogFactory logFactory, Function<String, String> environmentVariables) {
		this.logger = logFactory.getLog(DemoModeEnvironmentPostProcessor.class);
		this.environmentVariables = environmentVariables;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		String apiKey = firstText(this.environmentVariables.apply("OPENAI_API_KEY"), environment.getProperty(API_KEY));
		String baseUrlVariable = this.environmentVariables.apply("OPENAI_BASE_URL");
		String baseUrl = firstText(environment.getProperty(BASE_URL), baseUrlVariable);
		Map<String, Object> properties = new LinkedHashMap<>();
		if (isDemo(environment, apiKey, baseUrl)) {
			MODEL_SELECTORS.forEach((selector) -> fillIn(environment, properties, selector, "none"));
			fillIn(environment, properties, DEMO_MODEL, "true");
		}
		else {
			fillIn(environment, properties, BASE_URL, baseUrlVariable);
			if (apiKey == null && baseUrl != null) {
				fillIn(environment, properties, API_KEY, PLACEHOLDER_API_KEY);
				this.logger.info("OPENAI_BASE_URL without OPENAI_API_KEY: calling the OpenAI-compatible server at "
						+ baseUrl + " without a key");
			}
		}
		fillIn(environment, properties, CHAT_MODEL_NAME, this.environmentVariables.apply("OPENAI_MODEL"));
		if (!properties.isEmpty()) {
			// First, so that the blank ${OPENAI_API_KEY:} of application.yml does not
			// hide a
			// value; fillIn never shadows one that is set.
			environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE_NAME, properties));
		}
	}

	private static boolean isDemo(ConfigurableEnvironment environment, @Nullable String apiKey,
			@Nullable String baseUrl) {
		String explicit = environment.getProperty(DEMO_MODEL);
		if (StringUtils.hasText(explicit)) {
			return Boolean.parseBoolean(explicit.trim());
		}
		return apiKey == null && baseUrl == null;
	}

	private static void fillIn(ConfigurableEnvironment environment, Map<String, Object> properties, String name,
			@Nullable String value) {
		if (StringUtils.hasText(value) && !StringUtils.hasText(environment.getProperty(name))) {
			properties.put(name, value);
		}
	}

	@Nullable
	private static String firstText(@Nullable String first, @Nullable String second) {
		if (StringUtils.hasText(first)) {
			return first;
		}
		return StringUtils.hasText(second) ? second : null;
	}

	@Override
	public int getOrder() {
		// After application.yml and profiles are loaded, so that their settings count.
		return ConfigDataEnvironmentPostProcessor.ORDER + 1;
	}

}
