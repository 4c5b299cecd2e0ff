package io.github.airesource.core.cache.semantic;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.cache.CacheControls;
import io.github.airesource.core.cache.CachePartition;
import io.github.airesource.core.cache.CacheResult;
import io.github.airesource.core.cache.CacheStatistics;
import io.github.airesource.core.cache.CachedResponse;
import io.github.airesource.core.cache.RequestFingerprint;
import io.github.airesource.core.cache.StreamedAnswer;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticCandidate;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticEntry;
import io.github.airesource.core.cache.semantic.SemanticCacheStore.SemanticQuery;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.support.ResponseContexts;
import io.github.airesource.core.tokens.RequestTokens;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.TokenUsage;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsagePurpose;
import io.github.airesource.core.usage.UsageRecorder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.MessageType;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.ai.embedding.EmbeddingModel;
import org.springframework.ai.embedding.EmbeddingOptions;
import org.springframework.ai.embedding.EmbeddingRequest;
import org.springframework.ai.embedding.EmbeddingResponse;
import org.springframework.ai.model.tool.ToolCallingChatOptions;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Answers a request with the cached answer of a similar earlier request: the semantic
 * cache. It sits at {@link ResourceAdvisorOrder#SEMANTIC_CACHE}, after the exact-match
 * response cache (so it only sees exact misses) and before the budget, rate-limit and
 * concurrency advisors, so a hit returns before them and costs no budget, rate-limit
 * capacity or permit.
 *
 * <p>
 * <b>Eligible calls.</b> Only short single-turn requests: at most one system message and
 * exactly one user message (no history, no tool messages, no media), no tools, and a
 * prompt of at most {@code maxPromptTokens} (counted once per call, shared with the other
 * advisors). Other calls pass through untouched. A caller can skip the cache with
 * {@value ResourceContextKeys#CACHE_BYPASS}, or skip the lookup but store the fresh
 * answer with {@value ResourceContextKeys#CACHE_REFRESH}.
 *
 * <p>
 * <b>Partition.</b> A hard filter, never text mixed into the embedding: the
 * {@link RequestFingerprint#partitionKey partition key} over the model, every option, the
 * system prompt, tools, the structured-output format, the tenant, the user when the cache
 * is per user, and the caller's namespace. Only the user message's text is embedded.
 *
 * <p>
 * <b>Hit.</b> The best candidates of the partition, most similar first, are tried: a
 * candidate answers when its cosine similarity is at least the threshold (the configured
 * one, raised by {@value ResourceContextKeys#CACHE_THRESHOLD}, never lowered) and the
 * {@link RequestAgreement} guard finds that both requests' numbers, quoted strings,
 * negations, polarity words and named entities agree. The best candidate's similarity of
 * every lookup goes into the statistics' histogram. A hit is recorded in the usage ledger
 * as {@link CallOutcome#CACHE_HIT} with the original call's usage (saved, not spent), and
 * the response context holds {@code hit-semantic} under
 * {@value ResourceContextKeys#CACHE}. In shadow mode a would-be hit is counted with its
 * similarity and not served.
 *
 * <p>
 * <b>Cost.</b> Each embedding call is recorded in the ledger on its own line, under the
 * embedding model's name, with {@link CallOutcome#SUCCESS}, so the savings reported are
 * net of what the cache spends. An embedding that fails makes the call a miss (counted as
 * a failure), never an error.
 *
 * <p>
 * <b>Store.</b> After a miss, the answer is stored when {@link CachedResponse#of} accepts
 * it (no errors, empty answers, tool calls, truncated or filtered answers). A stream is
 * passed through as it arrives and stored only when it completes; a cancelled or failed
 * stream is never stored. A stream hit is replayed as several chunks with the original
 * usage on the last.
 */
public final class SemanticCacheAdvisor implements ResourceAdvisor {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.SEMANTIC_CACHE;

	/** The default least cosine similarity of a hit. */
	public static final double DEFAULT_SIMILARITY_THRESHOLD = 0.95;

	/** The default largest prompt, in tokens, of an eligible request. */
	public static final int DEFAULT_MAX_PROMPT_TOKENS = 500;

	/** The model name recorded for embeddings whose response names none. */
	public static final String DEFAULT_EMBEDDING_MODEL_NAME = "embedding";

	/**
	 * Candidates tried per lookup: a closer one the guard refuses may hide a good one.
	 */
	private static final int CANDIDATES = 4;

	private static final Log logger = LogFactory.getLog(SemanticCacheAdvisor.class);

	private final SemanticCacheStore store;

	private final EmbeddingModel embeddingModel;

	private final double similarityThreshold;

	private final Duration ttl;

	private final int maxPromptTokens;

	private final boolean shadow;

	private final boolean perUser;

	private final int streamChunkChars;

	private final String embeddingModelName;

	private final TokenCounter tokenCounter;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final Clock clock;

	private final int order;

	private final RequestFingerprint fingerprint = new RequestFingerprint();

	private SemanticCacheAdvisor(Builder builder) {
		this.store = builder.store;
		this.embeddingModel = builder.embeddingModel;
		this.similarityThreshold = builder.similarityThreshold;
		this.ttl = builder.ttl;
		this.maxPromptTokens = builder.maxPromptTokens;
		this.shadow = builder.shadow;
		this.perUser = builder.perUser;
		this.streamChunkChars = builder.streamChunkChars;
		this.embeddingModelName = builder.embeddingModelName;
		this.tokenCounter = (builder.tokenCounter != null) ? builder.tokenCounter : TokenCounter.create();
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.clock = builder.clock;
		this.order = builder.order;
	}

	/**
	 * Start building an advisor.
	 * @param store where entries are kept
	 * @param embeddingModel the application's embedding model
	 * @return the builder
	 */
	public static Builder builder(SemanticCacheStore store, EmbeddingModel embeddingModel) {
		return new Builder(store, embeddingModel);
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		long start = System.nanoTime();
		Lookup lookup = prepare(request);
		if (lookup == null) {
			return chain.nextCall(request);
		}
		if (lookup.controls.bypass()) {
			statistics().recordBypass();
			return ResponseContexts.with(chain.nextCall(request), ResourceContextKeys.CACHE,
					CacheResult.BYPASS.value());
		}
		CachedResponse hit = find(lookup);
		if (hit != null) {
			UsageRecord record = recordHit(hit, start, lookup.scope);
			ChatClientResponse.Builder response = ChatClientResponse.builder()
				.chatResponse(hit.toChatResponse())
				.context(request.context())
				.context(ResourceContextKeys.CACHE, CacheResult.HIT_SEMANTIC.value());
			if (record != null) {
				response.context(ResourceContextKeys.USAGE, record);
			}
			return response.build();
		}
		ChatClientResponse response = chain.nextCall(request);
		store(lookup, response.chatResponse(), usageOf(response));
		return ResponseContexts.with(response, ResourceContextKeys.CACHE, CacheResult.MISS.value());
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		Flux<ChatClientResponse> stream = Flux.defer(() -> {
			long start = System.nanoTime();
			Lookup lookup = prepare(request);
			if (lookup == null) {
				return chain.nextStream(request);
			}
			if (lookup.controls.bypass()) {
				statistics().recordBypass();
				return chain.nextStream(request)
					.map((response) -> ResponseContexts.with(response, ResourceContextKeys.CACHE,
							CacheResult.BYPASS.value()));
			}
			CachedResponse hit = find(lookup);
			if (hit != null) {
				return Flux.fromIterable(replay(request, hit, recordHit(hit, start, lookup.scope)));
			}
			StreamedAnswer capture = new StreamedAnswer();
			return chain.nextStream(request)
				.doOnNext(capture::observe)
				.map((response) -> ResponseContexts.with(response, ResourceContextKeys.CACHE, CacheResult.MISS.value()))
				.doOnComplete(() -> storeStream(lookup, capture));
		});
		// Embedding and searching block: never on an event loop (WebFlux, Netty).
		return Schedulers.isInNonBlockingThread() ? stream.subscribeOn(Schedulers.boundedElastic()) : stream;
	}

	/**
	 * Return the store this advisor reads and writes.
	 * @return the store
	 */
	public SemanticCacheStore store() {
		return this.store;
	}

	/**
	 * Return the configured least similarity of a hit.
	 * @return the threshold
	 */
	public double similarityThreshold() {
		return this.similarityThreshold;
	}

	/**
	 * Return whether the advisor only records would-be hits.
	 * @return whether in shadow mode
	 */
	public boolean shadow() {
		return this.shadow;
	}

	private CacheStatistics statistics() {
		return this.store.statistics();
	}

	@Nullable
	private Lookup prepare(ChatClientRequest request) {
		String text = singleTurnText(request);
		if (text == null) {
			return null;
		}
		CacheControls controls = CacheControls.of(request.context());
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		if (controls.bypass()) {
			return new Lookup(controls, scope, "", text, 0);
		}
		String model = RequestModels.modelOf(request, this.defaultModel);
		if (RequestTokens.of(request, this.tokenCounter, model).total() > this.maxPromptTokens) {
			return null;
		}
		CachePartition partition = CachePartition.of(scope, this.perUser, controls.namespace());
		String key = this.fingerprint.partitionKey(request.prompt(), request.context(), model, partition);
		if (key == null) {
			return null;
		}
		return new Lookup(controls, scope, key, text, controls.thresholdAtLeast(this.similarityThreshold));
	}

	/**
	 * Return the user message's text when the request is single-turn without tools: at
	 * most one system message, exactly one user message without media, nothing else.
	 */
	@Nullable
	private static String singleTurnText(ChatClientRequest request) {
		String text = null;
		int systems = 0;
		for (Message message : request.prompt().getInstructions()) {
			MessageType type = message.getMessageType();
			if (type == MessageType.SYSTEM && ++systems == 1) {
				continue;
			}
			if (type != MessageType.USER || text != null) {
				return null;
			}
			if (message instanceof UserMessage user && !user.getMedia().isEmpty()) {
				return null;
			}
			text = message.getText();
		}
		if (!StringUtils.hasText(text)) {
			return null;
		}
		ChatOptions options = request.prompt().getOptions();
		if (options instanceof ToolCallingChatOptions tools
				&& (!tools.getToolCallbacks().isEmpty() || !tools.getToolNames().isEmpty())) {
			return null;
		}
		return text;
	}

	/**
	 * Embed the request and search its partition; return the answer to serve, or
	 * {@code null} for a miss (and in shadow mode).
	 */
	@Nullable
	private CachedResponse find(Lookup lookup) {
		if (!this.store.embedsItself()) {
			lookup.vector = embed(lookup.text, lookup.scope);
			if (lookup.vector == null) {
				statistics().recordFailure();
				statistics().recordMiss();
				return null;
			}
		}
		if (lookup.controls.refresh()) {
			return null;
		}
		List<SemanticCandidate> candidates;
		try {
			if (this.store.embedsItself()) {
				recordEstimatedEmbedding(lookup.text, lookup.scope);
			}
			candidates = this.store.nearest(new SemanticQuery(lookup.partition, lookup.text, lookup.vector), CANDIDATES,
					lookup.threshold);
		}
		catch (RuntimeException ex) {
			logger.debug("Semantic cache lookup failed; the call is a miss", ex);
			statistics().recordFailure();
			statistics().recordMiss();
			return null;
		}
		if (!candidates.isEmpty()) {
			statistics().recordSimilarity(candidates.get(0).similarity());
		}
		for (SemanticCandidate candidate : candidates) {
			if (candidate.similarity() < lookup.threshold) {
				break;
			}
			if (RequestAgreement.agree(lookup.text, candidate.text())) {
				if (this.shadow) {
					statistics().recordShadowHit();
					statistics().recordMiss();
					return null;
				}
				statistics().recordHit(candidate.response());
				return candidate.response();
			}
		}
		statistics().recordMiss();
		return null;
	}

	/**
	 * Embed a text with the application's model and record the call in the ledger.
	 * @return the normalized vector, or {@code null} when the model failed
	 */
	@Nullable
	private float[] embed(String text, CallScope scope) {
		long start = System.nanoTime();
		EmbeddingResponse response;
		try {
			response = this.embeddingModel
				.call(new EmbeddingRequest(List.of(text), EmbeddingOptions.builder().build()));
		}
		catch (RuntimeException ex) {
			logger.debug("Embedding the request failed; the semantic cache treats the call as a miss", ex);
			return null;
		}
		if (response == null || response.getResult() == null || response.getResult().getOutput() == null
				|| response.getResult().getOutput().length == 0) {
			return null;
		}
		if (this.recorder != null) {
			String model = this.embeddingModelName;
			int tokens = 0;
			if (response.getMetadata() != null) {
				if (StringUtils.hasText(response.getMetadata().getModel())) {
					model = response.getMetadata().getModel();
				}
				if (response.getMetadata().getUsage() != null
						&& response.getMetadata().getUsage().getPromptTokens() != null) {
					tokens = response.getMetadata().getUsage().getPromptTokens();
				}
			}
			boolean estimated = tokens <= 0;
			if (estimated) {
				tokens = this.tokenCounter.countText(text, model);
			}
			this.recorder.record(new TokenUsage(model, tokens, 0, 0, 0, estimated),
					Duration.ofNanos(System.nanoTime() - start), CallOutcome.SUCCESS, scope, UsagePurpose.EMBEDDING);
		}
		return normalized(response.getResult().getOutput());
	}

	/**
	 * Record an embedding a store made with its own model, which reports no usage to us:
	 * estimated from the text.
	 */
	private void recordEstimatedEmbedding(String text, CallScope scope) {
		if (this.recorder != null) {
			this.recorder.record(new TokenUsage(this.embeddingModelName,
					this.tokenCounter.countText(text, this.embeddingModelName), 0, 0, 0, true), Duration.ZERO,
					CallOutcome.SUCCESS, scope, UsagePurpose.EMBEDDING);
		}
	}

	static float[] normalized(float[] vector) {
		double sum = 0;
		for (float value : vector) {
			sum += value * value;
		}
		if (sum == 0 || Math.abs(sum - 1.0) < 1e-6) {
			return vector;
		}
		float scale = (float) (1.0 / Math.sqrt(sum));
		float[] unit = new float[vector.length];
		for (int i = 0; i < vector.length; i++) {
			unit[i] = vector[i] * scale;
		}
		return unit;
	}

	@Nullable
	private UsageRecord recordHit(CachedResponse hit, long start, CallScope scope) {
		if (this.recorder == null) {
			return null;
		}
		return this.recorder.record(hit.usage(), Duration.ofNanos(System.nanoTime() - start), CallOutcome.CACHE_HIT,
				scope);
	}

	private List<ChatClientResponse> replay(ChatClientRequest request, CachedResponse hit,
			@Nullable UsageRecord record) {
		List<ChatResponse> chunks = hit.toChunks(this.streamChunkChars);
		List<ChatClientResponse> responses = new ArrayList<>(chunks.size());
		for (int i = 0; i < chunks.size(); i++) {
			ChatClientResponse.Builder response = ChatClientResponse.builder()
				.chatResponse(chunks.get(i))
				.context(request.context())
				.context(ResourceContextKeys.CACHE, CacheResult.HIT_SEMANTIC.value());
			if (record != null && i == chunks.size() - 1) {
				response.context(ResourceContextKeys.USAGE, record);
			}
			responses.add(response.build());
		}
		return responses;
	}

	@Nullable
	private static UsageRecord usageOf(ChatClientResponse response) {
		return (response.context().get(ResourceContextKeys.USAGE) instanceof UsageRecord record) ? record : null;
	}

	private void store(Lookup lookup, @Nullable ChatResponse response, @Nullable UsageRecord usage) {
		if (lookup.vector == null && !this.store.embedsItself()) {
			// The embedding failed: nothing to store the answer under.
			return;
		}
		CachedResponse cached = CachedResponse.of(response, usage, this.clock.millis());
		if (cached == null) {
			return;
		}
		try {
			if (this.store.embedsItself()) {
				recordEstimatedEmbedding(lookup.text, lookup.scope);
			}
			this.store.put(new SemanticEntry(lookup.partition, lookup.scope.tenant(), lookup.text, lookup.vector,
					cached, lookup.controls.ttlOr(this.ttl)));
		}
		catch (RuntimeException ex) {
			logger.debug("Storing in the semantic cache failed", ex);
			statistics().recordFailure();
		}
	}

	private void storeStream(Lookup lookup, StreamedAnswer capture) {
		if (!capture.completed()) {
			return;
		}
		ChatResponse response = capture.aggregate();
		UsageRecord usage = capture.usageRecord();
		if (this.store.embedsItself() || Schedulers.isInNonBlockingThread()) {
			// A vector store embeds and writes over the network: not on the stream's
			// thread, which may be an event loop.
			Schedulers.boundedElastic().schedule(() -> store(lookup, response, usage));
		}
		else {
			store(lookup, response, usage);
		}
	}

	@Override
	public String getName() {
		return "ai.resource.semantic-cache";
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * One eligible call: its controls, scope, partition key, text and threshold, and the
	 * vector once embedded.
	 */
	private static final class Lookup {

		final CacheControls controls;

		final CallScope scope;

		final String partition;

		final String text;

		final double threshold;

		@Nullable
		float[] vector;

		Lookup(CacheControls controls, CallScope scope, String partition, String text, double threshold) {
			this.controls = controls;
			this.scope = scope;
			this.partition = partition;
			this.text = text;
			this.threshold = threshold;
		}

	}

	/**
	 * Builder for {@link SemanticCacheAdvisor}.
	 */
	public static final class Builder {

		private final SemanticCacheStore store;

		private final EmbeddingModel embeddingModel;

		private double similarityThreshold = DEFAULT_SIMILARITY_THRESHOLD;

		private Duration ttl = Duration.ofHours(1);

		private int maxPromptTokens = DEFAULT_MAX_PROMPT_TOKENS;

		private boolean shadow;

		private boolean perUser;

		private int streamChunkChars = 32;

		private String embeddingModelName = DEFAULT_EMBEDDING_MODEL_NAME;

		@Nullable
		private TokenCounter tokenCounter;

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private Clock clock = Clock.systemUTC();

		private int order = DEFAULT_ORDER;

		private Builder(SemanticCacheStore store, EmbeddingModel embeddingModel) {
			Assert.notNull(store, "store must not be null");
			Assert.notNull(embeddingModel, "embeddingModel must not be null");
			this.store = store;
			this.embeddingModel = embeddingModel;
		}

		/**
		 * Set the least cosine similarity of a hit.
		 * @param similarityThreshold above 0, at most 1
		 * @return this builder
		 */
		public Builder similarityThreshold(double similarityThreshold) {
			Assert.isTrue(similarityThreshold > 0 && similarityThreshold <= 1,
					"similarityThreshold must be above 0 and at most 1");
			this.similarityThreshold = similarityThreshold;
			return this;
		}

		/**
		 * Set how long entries are kept unless a call sets its own TTL.
		 * @param ttl a positive duration
		 * @return this builder
		 */
		public Builder ttl(Duration ttl) {
			Assert.isTrue(ttl != null && !ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
			this.ttl = ttl;
			return this;
		}

		/**
		 * Set the largest prompt, in tokens, of an eligible request.
		 * @param maxPromptTokens at least 1
		 * @return this builder
		 */
		public Builder maxPromptTokens(int maxPromptTokens) {
			Assert.isTrue(maxPromptTokens > 0, "maxPromptTokens must be positive");
			this.maxPromptTokens = maxPromptTokens;
			return this;
		}

		/**
		 * Set whether to only look up and record would-be hits, serving none.
		 * @param shadow whether in shadow mode
		 * @return this builder
		 */
		public Builder shadow(boolean shadow) {
			this.shadow = shadow;
			return this;
		}

		/**
		 * Set whether entries are kept per user rather than shared by a tenant's users.
		 * @param perUser whether per user
		 * @return this builder
		 */
		public Builder perUser(boolean perUser) {
			this.perUser = perUser;
			return this;
		}

		/**
		 * Set the rough size in characters of the chunks a hit is replayed in to a
		 * stream.
		 * @param streamChunkChars at least 1
		 * @return this builder
		 */
		public Builder streamChunkChars(int streamChunkChars) {
			Assert.isTrue(streamChunkChars > 0, "streamChunkChars must be positive");
			this.streamChunkChars = streamChunkChars;
			return this;
		}

		/**
		 * Set the model name recorded for embeddings whose response names none.
		 * @param embeddingModelName the name
		 * @return this builder
		 */
		public Builder embeddingModelName(String embeddingModelName) {
			Assert.hasText(embeddingModelName, "embeddingModelName must not be empty");
			this.embeddingModelName = embeddingModelName;
			return this;
		}

		/**
		 * Set the counter of prompts; share the application's so a prompt is counted
		 * once.
		 * @param tokenCounter the counter
		 * @return this builder
		 */
		public Builder tokenCounter(TokenCounter tokenCounter) {
			this.tokenCounter = tokenCounter;
			return this;
		}

		/**
		 * Set how calls are attributed to tenants and users.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
			return this;
		}

		/**
		 * Set the recorder of hits and embedding calls.
		 * @param recorder the recorder, may be {@code null}
		 * @return this builder
		 */
		public Builder recorder(@Nullable UsageRecorder recorder) {
			this.recorder = recorder;
			return this;
		}

		/**
		 * Set the model of calls whose options name none.
		 * @param defaultModel supplies the model name, may supply {@code null}
		 * @return this builder
		 */
		public Builder defaultModel(Supplier<String> defaultModel) {
			Assert.notNull(defaultModel, "defaultModel must not be null");
			this.defaultModel = defaultModel;
			return this;
		}

		/**
		 * Set the clock that stamps entries.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			Assert.notNull(clock, "clock must not be null");
			this.clock = clock;
			return this;
		}

		/**
		 * Set the position in the advisor chain.
		 * @param order the order
		 * @return this builder
		 */
		public Builder order(int order) {
			this.order = order;
			return this;
		}

		public SemanticCacheAdvisor build() {
			return new SemanticCacheAdvisor(this);
		}

	}

}
