package io.github.airesource.autoconfigure.cache;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.autoconfigure.ResourceStore;
import io.github.airesource.core.ResourceAdvisorOrder;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.util.StringUtils;
import org.springframework.util.unit.DataSize;

/**
 * Caching of model answers and tool results ({@code ai.resource.cache.*}): the
 * exact-match response cache, the semantic cache and the tool-result cache, each off
 * until enabled.
 */
@ConfigurationProperties(CacheProperties.PREFIX)
public class CacheProperties implements InitializingBean {

	/** The prefix of the cache properties. */
	public static final String PREFIX = "ai.resource.cache";

	/**
	 * Whether cached answers are kept per user rather than shared by a tenant's users.
	 * Tenants never share entries.
	 */
	private boolean perUser = false;

	private final Response response = new Response();

	private final Semantic semantic = new Semantic();

	private final Tool tool = new Tool();

	public boolean isPerUser() {
		return this.perUser;
	}

	public void setPerUser(boolean perUser) {
		this.perUser = perUser;
	}

	public Response getResponse() {
		return this.response;
	}

	public Semantic getSemantic() {
		return this.semantic;
	}

	public Tool getTool() {
		return this.tool;
	}

	@Override
	public void afterPropertiesSet() {
		String response = PREFIX + ".response.";
		positive(response + "ttl", this.response.ttl, "such as 1h");
		atLeastOne(response + "max-entries", this.response.maxEntries, "such as 10000");
		atLeastOneByte(response + "max-size", this.response.maxSize);
		if (!(this.response.maxTemperature >= 0 && this.response.maxTemperature <= 2)) {
			throw new InvalidResourcePropertyException(response + "max-temperature", this.response.maxTemperature,
					"temperatures run from 0 to 2",
					"Set " + response + "max-temperature to 0.0 (deterministic calls only) or up to 2.");
		}
		if (!(this.response.defaultTemperature >= 0 && this.response.defaultTemperature <= 2)) {
			throw new InvalidResourcePropertyException(response + "default-temperature",
					this.response.defaultTemperature, "temperatures run from 0 to 2",
					"Set " + response + "default-temperature to your provider's default, 1.0 for OpenAI.");
		}
		atLeastOne(response + "stream-chunk-chars", this.response.streamChunkChars, "such as 32");
		String semantic = PREFIX + ".semantic.";
		if (!(this.semantic.similarityThreshold > 0 && this.semantic.similarityThreshold <= 1)) {
			throw new InvalidResourcePropertyException(semantic + "similarity-threshold",
					this.semantic.similarityThreshold, "a cosine similarity threshold lies above 0 and at most 1",
					"Set " + semantic + "similarity-threshold to a value such as 0.95.");
		}
		positive(semantic + "ttl", this.semantic.ttl, "such as 1h");
		atLeastOne(semantic + "max-entries", this.semantic.maxEntries, "such as 10000");
		atLeastOne(semantic + "max-prompt-tokens", this.semantic.maxPromptTokens, "such as 500");
		String tool = PREFIX + ".tool.";
		positive(tool + "ttl", this.tool.ttl, "such as 10m");
		atLeastOne(tool + "max-entries", this.tool.maxEntries, "such as 10000");
		atLeastOneByte(tool + "max-size", this.tool.maxSize);
		this.tool.tools.forEach((name, text) -> {
			Duration ttl;
			try {
				ttl = StringUtils.hasText(text) ? DurationStyle.detectAndParse(text.trim()) : null;
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidResourcePropertyException(tool + "tools." + name, text, "it is not a duration", "Set "
						+ tool + "tools." + name + " to a duration such as 5m, or leave it empty for " + tool + "ttl.");
			}
			if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
				throw new InvalidResourcePropertyException(tool + "tools." + name, ttl, "a tool's TTL must be positive",
						"Set " + tool + "tools." + name + " to a duration such as 5m, or leave it empty for " + tool
								+ "ttl.");
			}
		});
	}

	private static void positive(String property, Duration value, String example) {
		if (value == null || value.isNegative() || value.isZero()) {
			throw new InvalidResourcePropertyException(property, value, "entries need a positive lifetime",
					"Set " + property + " to a duration " + example + ".");
		}
	}

	private static void atLeastOneByte(String property, DataSize value) {
		if (value == null || value.toBytes() < 1) {
			throw new InvalidResourcePropertyException(property, value,
					"the memory store needs room for at least one entry",
					"Set " + property + " to a size such as 64MB.");
		}
	}

	private static void atLeastOne(String property, long value, String example) {
		if (value < 1) {
			throw new InvalidResourcePropertyException(property, value, "it must be at least 1",
					"Set " + property + " to 1 or more, " + example + ".");
		}
	}

	/**
	 * Where the semantic cache keeps its embeddings.
	 */
	public enum SemanticStore {

		/** In this instance's memory, searched exhaustively. */
		MEMORY,

		/** In the application's Spring AI {@code VectorStore} bean. */
		VECTOR_STORE

	}

	/**
	 * The exact-match response cache.
	 */
	public static class Response {

		/**
		 * Whether repeated requests are answered from the exact-match response cache.
		 */
		private boolean enabled = false;

		/**
		 * Where entries are kept: memory (this instance) or redis (shared by every
		 * instance).
		 */
		private ResourceStore store = ResourceStore.MEMORY;

		/**
		 * How long an entry is kept, unless a call sets ai.resource.cache.ttl.
		 */
		private Duration ttl = Duration.ofHours(1);

		/**
		 * Most entries the memory store keeps; the least useful are evicted first.
		 */
		private long maxEntries = 10_000;

		/**
		 * Most heap the memory store's entries may take, estimated from their text.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(64);

		/**
		 * Highest effective temperature of a cached request; more random requests are
		 * never cached.
		 */
		private double maxTemperature = 0.0;

		/**
		 * Temperature assumed for a request that sets none: the provider's default (1.0
		 * for OpenAI), not 0.
		 */
		private double defaultTemperature = 1.0;

		/**
		 * Rough size in characters of the chunks a cached answer is replayed in to a
		 * stream.
		 */
		private int streamChunkChars = 32;

		/**
		 * Position of the response cache advisor in the chat client's advisor chain.
		 */
		private int order = ResourceAdvisorOrder.RESPONSE_CACHE;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public ResourceStore getStore() {
			return this.store;
		}

		public void setStore(ResourceStore store) {
			this.store = store;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public long getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(long maxEntries) {
			this.maxEntries = maxEntries;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

		public double getMaxTemperature() {
			return this.maxTemperature;
		}

		public void setMaxTemperature(double maxTemperature) {
			this.maxTemperature = maxTemperature;
		}

		public double getDefaultTemperature() {
			return this.defaultTemperature;
		}

		public void setDefaultTemperature(double defaultTemperature) {
			this.defaultTemperature = defaultTemperature;
		}

		public int getStreamChunkChars() {
			return this.streamChunkChars;
		}

		public void setStreamChunkChars(int streamChunkChars) {
			this.streamChunkChars = streamChunkChars;
		}

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

	/**
	 * The semantic cache.
	 */
	public static class Semantic {

		/**
		 * Whether similar requests are answered from the semantic cache; needs an
		 * EmbeddingModel bean.
		 */
		private boolean enabled = false;

		/**
		 * Where embeddings are kept: memory (this instance) or vector-store (the
		 * application's VectorStore).
		 */
		private SemanticStore store = SemanticStore.MEMORY;

		/**
		 * Least cosine similarity between two requests for one to answer the other.
		 */
		private double similarityThreshold = 0.95;

		/**
		 * How long an entry is kept.
		 */
		private Duration ttl = Duration.ofHours(1);

		/**
		 * Most entries kept; the oldest are evicted first.
		 */
		private long maxEntries = 10_000;

		/**
		 * Largest prompt, in tokens, of a request the semantic cache looks up or stores.
		 */
		private int maxPromptTokens = 500;

		/**
		 * Whether to only look up and record would-be hits and their similarity, serving
		 * none: for tuning the threshold on real traffic.
		 */
		private boolean shadow = false;

		/**
		 * Model name under which embedding calls are recorded in the usage ledger when
		 * the embedding response names none.
		 */
		private String embeddingModelName = "embedding";

		/**
		 * Position of the semantic cache advisor in the chat client's advisor chain.
		 */
		private int order = ResourceAdvisorOrder.SEMANTIC_CACHE;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public SemanticStore getStore() {
			return this.store;
		}

		public void setStore(SemanticStore store) {
			this.store = store;
		}

		public double getSimilarityThreshold() {
			return this.similarityThreshold;
		}

		public void setSimilarityThreshold(double similarityThreshold) {
			this.similarityThreshold = similarityThreshold;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public long getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(long maxEntries) {
			this.maxEntries = maxEntries;
		}

		public int getMaxPromptTokens() {
			return this.maxPromptTokens;
		}

		public void setMaxPromptTokens(int maxPromptTokens) {
			this.maxPromptTokens = maxPromptTokens;
		}

		public boolean isShadow() {
			return this.shadow;
		}

		public void setShadow(boolean shadow) {
			this.shadow = shadow;
		}

		public String getEmbeddingModelName() {
			return this.embeddingModelName;
		}

		public void setEmbeddingModelName(String embeddingModelName) {
			this.embeddingModelName = embeddingModelName;
		}

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

	/**
	 * The tool-result cache.
	 */
	public static class Tool {

		/**
		 * Whether results of the tools listed in tools are cached.
		 */
		private boolean enabled = false;

		/**
		 * How long a tool result is kept when its tool sets no TTL of its own.
		 */
		private Duration ttl = Duration.ofMinutes(10);

		/**
		 * Most tool results kept in memory.
		 */
		private long maxEntries = 10_000;

		/**
		 * Most heap the tool results kept may take, estimated from their text; a larger
		 * result is passed on but not kept.
		 */
		private DataSize maxSize = DataSize.ofMegabytes(64);

		/**
		 * Tools whose results are cached, by name, each with its TTL (a duration such as
		 * 5m, or empty for the default ttl); tools not listed are never cached.
		 */
		private Map<String, String> tools = new LinkedHashMap<>();

		/**
		 * Position in the chat client's advisor chain of the advisor that carries the
		 * caller's scope into the tool context; a ToolCallAdvisor must come after it for
		 * its tools to be cached.
		 */
		private int order = ResourceAdvisorOrder.TOOL_SCOPE;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

		public long getMaxEntries() {
			return this.maxEntries;
		}

		public void setMaxEntries(long maxEntries) {
			this.maxEntries = maxEntries;
		}

		public DataSize getMaxSize() {
			return this.maxSize;
		}

		public void setMaxSize(DataSize maxSize) {
			this.maxSize = maxSize;
		}

		public Map<String, String> getTools() {
			return this.tools;
		}

		public void setTools(Map<String, String> tools) {
			this.tools = tools;
		}

		/**
		 * Return the listed tools with their TTLs parsed.
		 * @return TTL by tool name, {@code null} for a tool that uses the default ttl
		 * @throws IllegalArgumentException when a TTL is not a duration
		 */
		public Map<String, Duration> toolTtls() {
			// Strings, not Durations, in the map: the binder drops a map entry whose
			// empty value converts to a null Duration, which would silently un-list a
			// tool written as "name:" for the default TTL.
			Map<String, Duration> ttls = new LinkedHashMap<>();
			this.tools.forEach((name, ttl) -> ttls.put(name,
					StringUtils.hasText(ttl) ? DurationStyle.detectAndParse(ttl.trim()) : null));
			return ttls;
		}

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

}
