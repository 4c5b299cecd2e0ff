package io.github.airesource.core.cache;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.github.airesource.core.HeldResources;
import io.github.airesource.core.ResourceAdvisor;
import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.CallScopes;
import io.github.airesource.core.scope.ScopeResolution;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.core.support.RequestModels;
import io.github.airesource.core.support.ResponseContexts;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.ProviderUsage;
import io.github.airesource.core.usage.TokenUsage;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.ai.chat.client.ChatClientRequest;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.api.CallAdvisorChain;
import org.springframework.ai.chat.client.advisor.api.StreamAdvisorChain;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.lang.Nullable;
import org.springframework.util.Assert;

/**
 * Answers repeated requests from the exact-match response cache.
 *
 * <p>
 * <strong>Key.</strong> A request's key is {@link RequestFingerprint#exactKey}: a SHA-256
 * over the model, every option, all messages, the tool definitions, the structured-output
 * format and the {@link CachePartition} (tenant always, user when {@code perUser}, and
 * the caller's namespace). Tenants never share entries.
 *
 * <p>
 * <strong>What is cached.</strong> Only calls whose effective temperature (the request's,
 * else {@code defaultTemperature}, the provider's default: 1.0 for OpenAI) is at most
 * {@code maxTemperature}; other calls, calls with {@code ai.resource.cache.bypass=true}
 * and calls whose options cannot be keyed safely pass through as {@code bypass}. Never
 * stored: errors, empty answers, answers cut by length or a content filter, tool calls
 * still to execute ({@link CachedResponse#of}), answers another cache served
 * ({@code hit-semantic}), and streams that failed, were cancelled or ended without a
 * finish reason. {@code ai.resource.cache.refresh=true} skips the lookup and replaces the
 * entry; {@code ai.resource.cache.ttl} sets the entry's TTL.
 *
 * <p>
 * <strong>Hits</strong> return before the budget, rate-limit and concurrency advisors,
 * which sit inside this one: a hit costs no budget, no rate-limit capacity and no permit.
 * It is recorded once with the {@link UsageRecorder} as {@link CallOutcome#CACHE_HIT},
 * with the original call's tokens, which the ledger counts as saved. A stream hit is
 * replayed as several chunks ({@link CachedResponse#toChunks}), the last with the finish
 * reason and the original usage.
 *
 * <p>
 * <strong>Streams.</strong> A miss streams through to the caller as the model answers;
 * the answer is assembled on the side and stored when the stream completes.
 *
 * <p>
 * <strong>Single-flight.</strong> Concurrent identical misses on one instance make one
 * model call. The first is the leader and calls the model; the others wait for its answer
 * and are served it as hits (recorded as such: they did not call the model). Streams and
 * blocking calls share flights: a stream waiting on a leader replays its answer when it
 * is complete (it gets its first chunk later than a call of its own would, and saves the
 * call), and a stream leader's answer serves blocking waiters. When the leader fails,
 * every waiter gets its error and nothing is stored; when it is refused by a limit of its
 * own ({@link ResourceLimitException}, such as its user's budget), or its answer may not
 * be cached, or its stream was cancelled, the waiters make calls of their own, since that
 * outcome was the leader's, not the request's.
 *
 * <p>
 * Every response carries {@value ResourceContextKeys#CACHE} in its context: {@code miss},
 * {@code hit-exact} or {@code bypass} ({@link CacheResult#value()}); an inner cache's
 * value (the semantic cache's) is kept. Store failures (Redis down) are misses, counted
 * by the store, never errors for the caller. Works with or without the usage, budget and
 * rate-limit advisors.
 */
public final class ResponseCacheAdvisor implements ResourceAdvisor, HeldResources {

	/** The default position in the advisor chain. */
	public static final int DEFAULT_ORDER = ResourceAdvisorOrder.RESPONSE_CACHE;

	/** The default TTL of an entry. */
	public static final Duration DEFAULT_TTL = Duration.ofHours(1);

	/** The default rough size, in characters, of the chunks a hit is replayed in. */
	public static final int DEFAULT_STREAM_CHUNK_CHARS = 32;

	private static final Log logger = LogFactory.getLog(ResponseCacheAdvisor.class);

	private static final String MISS = CacheResult.MISS.value();

	private static final String HIT = CacheResult.HIT_EXACT.value();

	private static final String BYPASS = CacheResult.BYPASS.value();

	private final ResponseCacheStore store;

	private final CacheStatistics statistics;

	private final RequestFingerprint fingerprint;

	private final ScopeResolution scopeResolution;

	@Nullable
	private final UsageRecorder recorder;

	private final Supplier<String> defaultModel;

	private final boolean perUser;

	private final Duration ttl;

	private final double maxTemperature;

	private final double defaultTemperature;

	private final int streamChunkChars;

	private final Clock clock;

	private final int order;

	private final SingleFlight<String, CachedResponse> flights = new SingleFlight<>();

	private ResponseCacheAdvisor(Builder builder) {
		this.store = builder.store;
		this.statistics = builder.store.statistics();
		this.fingerprint = builder.fingerprint;
		this.scopeResolution = builder.scopeResolution;
		this.recorder = builder.recorder;
		this.defaultModel = builder.defaultModel;
		this.perUser = builder.perUser;
		this.ttl = builder.ttl;
		this.maxTemperature = builder.maxTemperature;
		this.defaultTemperature = builder.defaultTemperature;
		this.streamChunkChars = builder.streamChunkChars;
		this.clock = builder.clock;
		this.order = builder.order;
	}

	public static Builder builder(ResponseCacheStore store) {
		return new Builder(store);
	}

	/**
	 * Return the store the answers are kept in.
	 * @return the store
	 */
	public ResponseCacheStore store() {
		return this.store;
	}

	@Override
	public ChatClientResponse adviseCall(ChatClientRequest request, CallAdvisorChain chain) {
		long start = System.nanoTime();
		Lookup lookup = lookup(request);
		if (lookup == null) {
			this.statistics.recordBypass();
			return mark(chain.nextCall(request), BYPASS);
		}
		if (lookup.refresh) {
			return callAndStore(request, chain, lookup);
		}
		long landings = this.flights.landings();
		CachedResponse cached = get(lookup);
		if (cached != null) {
			return hit(request, lookup, cached, start);
		}
		SingleFlight.Flight<String, CachedResponse> flight = this.flights.join(lookup.key);
		if (!flight.leader()) {
			CachedResponse shared;
			try {
				shared = flight.await();
			}
			catch (ResourceLimitException ex) {
				shared = null;
			}
			return (shared != null) ? hit(request, lookup, shared, start) : callAndStore(request, chain, lookup);
		}
		ChatClientResponse response;
		CachedResponse stored;
		try {
			// A flight of the same key may have stored the answer after this caller
			// looked (it frees its key only after storing); only then look again, which
			// on Redis is a round trip.
			CachedResponse again = lookAgainIfLanded(lookup, landings);
			if (again != null) {
				flight.complete(again);
				return hit(request, lookup, again, start);
			}
			this.statistics.recordMiss();
			response = chain.nextCall(request);
			stored = store(lookup, response.chatResponse(), usageOf(response, lookup), cacheResultOf(response));
		}
		catch (RuntimeException | Error ex) {
			flight.fail(ex);
			throw ex;
		}
		flight.complete(stored);
		return mark(response, MISS);
	}

	@Override
	public Flux<ChatClientResponse> adviseStream(ChatClientRequest request, StreamAdvisorChain chain) {
		Flux<ChatClientResponse> stream = Flux.defer(() -> {
			long start = System.nanoTime();
			Lookup lookup = lookup(request);
			if (lookup == null) {
				this.statistics.recordBypass();
				return chain.nextStream(request).map((response) -> mark(response, BYPASS));
			}
			if (lookup.refresh) {
				this.statistics.recordMiss();
				return streamThrough(request, chain, lookup, null);
			}
			long landings = this.flights.landings();
			CachedResponse cached = get(lookup);
			if (cached != null) {
				return replay(request, lookup, cached, start);
			}
			SingleFlight.Flight<String, CachedResponse> flight = this.flights.join(lookup.key);
			if (!flight.leader()) {
				// Not the leader's future itself: a waiter that cancels must not cancel
				// it for the others.
				return Mono.fromFuture(flight.future(), true)
					.onErrorResume(ResourceLimitException.class, (ex) -> Mono.empty())
					.flatMapMany((shared) -> replay(request, lookup, shared, start))
					.switchIfEmpty(Flux.defer(() -> {
						this.statistics.recordMiss();
						return streamThrough(request, chain, lookup, null);
					}));
			}
			// As for calls: a flight that ended since may have stored the answer.
			CachedResponse again = lookAgainIfLanded(lookup, landings);
			if (again != null) {
				flight.complete(again);
				return replay(request, lookup, again, start);
			}
			this.statistics.recordMiss();
			return streamThrough(request, chain, lookup, flight);
		});
		// Looking up and storing may wait for Redis: never on an event loop.
		return Schedulers.isInNonBlockingThread() ? stream.subscribeOn(Schedulers.boundedElastic()) : stream;
	}

	private ChatClientResponse callAndStore(ChatClientRequest request, CallAdvisorChain chain, Lookup lookup) {
		this.statistics.recordMiss();
		ChatClientResponse response = chain.nextCall(request);
		store(lookup, response.chatResponse(), usageOf(response, lookup), cacheResultOf(response));
		return mark(response, MISS);
	}

	private Flux<ChatClientResponse> streamThrough(ChatClientRequest request, StreamAdvisorChain chain, Lookup lookup,
			@Nullable SingleFlight.Flight<String, CachedResponse> flight) {
		StreamedAnswer capture = new StreamedAnswer();
		Flux<ChatClientResponse> stream = Flux.defer(() -> chain.nextStream(request)).map((response) -> {
			capture.observe(response);
			return mark(response, MISS);
		});
		if (flight == null) {
			return stream.doOnComplete(() -> storeCompleted(lookup, capture, null));
		}
		return stream.doOnComplete(() -> storeCompleted(lookup, capture, flight))
			.doOnError(flight::fail)
			// Cancelled by its caller, not failed: the waiters make calls of their own.
			.doOnCancel(() -> flight.complete(null));
	}

	private void storeCompleted(Lookup lookup, StreamedAnswer capture,
			@Nullable SingleFlight.Flight<String, CachedResponse> flight) {
		Runnable storing = () -> {
			CachedResponse stored = null;
			try {
				stored = capture.completed()
						? store(lookup, capture.aggregate(), usageOf(capture, lookup), capture.cacheResult()) : null;
			}
			finally {
				if (flight != null) {
					flight.complete(stored);
				}
			}
		};
		if (Schedulers.isInNonBlockingThread()) {
			// A stream completes on the model client's event loop; storing may wait for
			// Redis.
			Schedulers.boundedElastic().schedule(storing);
		}
		else {
			storing.run();
		}
	}

	/**
	 * Store an answer if it may be cached.
	 * @return the stored entry, {@code null} when the answer may not be cached
	 */
	@Nullable
	private CachedResponse store(Lookup lookup, @Nullable ChatResponse response, @Nullable UsageRecord usage,
			@Nullable Object innerCacheResult) {
		if (innerCacheResult != null && CacheResult.HIT_SEMANTIC.value().equals(innerCacheResult.toString())) {
			// Another request's answer: storing it here would serve it as an exact hit.
			return null;
		}
		CachedResponse cached = CachedResponse.of(response, usage, this.clock.millis());
		if (cached == null) {
			return null;
		}
		try {
			this.store.put(lookup.tenant, lookup.key, cached, lookup.ttl);
		}
		catch (RuntimeException ex) {
			// A store of the application's that throws: the answer was served, the
			// cache
			// only lost an entry.
			this.statistics.recordFailure();
			logger.debug("Response cache store failed to store an entry", ex);
		}
		return cached;
	}

	/**
	 * Look a new leader's key up again when a flight ended since its first lookup, else
	 * return {@code null} without asking the store.
	 */
	@Nullable
	private CachedResponse lookAgainIfLanded(Lookup lookup, long landings) {
		return (this.flights.landings() != landings) ? get(lookup) : null;
	}

	@Nullable
	private CachedResponse get(Lookup lookup) {
		try {
			return this.store.get(lookup.tenant, lookup.key);
		}
		catch (RuntimeException ex) {
			this.statistics.recordFailure();
			logger.debug("Response cache store failed to look up an entry", ex);
			return null;
		}
	}

	private ChatClientResponse hit(ChatClientRequest request, Lookup lookup, CachedResponse cached, long start) {
		recordHit(lookup, cached, start);
		return ChatClientResponse.builder()
			.chatResponse(cached.toChatResponse())
			.context(request.context())
			.context(ResourceContextKeys.CACHE, HIT)
			.build();
	}

	private Flux<ChatClientResponse> replay(ChatClientRequest request, Lookup lookup, CachedResponse cached,
			long start) {
		recordHit(lookup, cached, start);
		List<ChatResponse> chunks = cached.toChunks(this.streamChunkChars);
		return Flux.fromIterable(chunks)
			.map((chunk) -> ChatClientResponse.builder()
				.chatResponse(chunk)
				.context(request.context())
				.context(ResourceContextKeys.CACHE, HIT)
				.build());
	}

	private void recordHit(Lookup lookup, CachedResponse cached, long start) {
		this.statistics.recordHit(cached);
		if (this.recorder != null) {
			this.recorder.record(cached.usage(), Duration.ofNanos(System.nanoTime() - start), CallOutcome.CACHE_HIT,
					lookup.scope);
		}
	}

	/**
	 * Return how the cache treats a request: {@code null} to bypass it, else its key.
	 */
	@Nullable
	private Lookup lookup(ChatClientRequest request) {
		CacheControls controls = CacheControls.of(request.context());
		if (controls.bypass()) {
			return null;
		}
		ChatOptions options = request.prompt().getOptions();
		Double requested = (options != null) ? options.getTemperature() : null;
		double temperature = (requested != null) ? requested : this.defaultTemperature;
		if (temperature > this.maxTemperature) {
			return null;
		}
		String model = RequestModels.modelOf(request, this.defaultModel);
		CallScope scope = CallScopes.of(request, this.scopeResolution);
		CachePartition partition = CachePartition.of(scope, this.perUser, controls.namespace());
		String key = this.fingerprint.exactKey(request.prompt(), request.context(), model, partition);
		if (key == null) {
			return null;
		}
		return new Lookup(key, partition.tenant(), scope, model, controls.refresh(), controls.ttlOr(this.ttl));
	}

	/**
	 * The usage of a call for its cache entry: the usage advisor's record, else the
	 * provider's figures, priced when a recorder is there to price them.
	 */
	@Nullable
	private UsageRecord usageOf(ChatClientResponse response, Lookup lookup) {
		if (response.context().get(ResourceContextKeys.USAGE) instanceof UsageRecord record) {
			return record;
		}
		ChatResponse chatResponse = response.chatResponse();
		String reported = ProviderUsage.modelOf(chatResponse);
		return recordOf(ProviderUsage.of(chatResponse, (reported != null) ? reported : lookup.model));
	}

	@Nullable
	private UsageRecord recordOf(@Nullable TokenUsage usage) {
		if (usage == null) {
			return null;
		}
		BigDecimal cost = (this.recorder != null)
				? this.recorder.pricing()
					.cost(usage.model(), usage.promptTokens(), usage.cachedPromptTokens(), usage.completionTokens())
				: null;
		return new UsageRecord(usage.model(), usage.promptTokens(), usage.cachedPromptTokens(),
				usage.completionTokens(), usage.reasoningTokens(), cost, usage.estimated(), Duration.ZERO,
				CallOutcome.SUCCESS);
	}

	/**
	 * Return the usage of a streamed answer: the usage advisor's record when it ran, else
	 * the provider's last reported figures, priced.
	 */
	@Nullable
	private UsageRecord usageOf(StreamedAnswer answer, Lookup lookup) {
		if (answer.usageRecord() != null) {
			return answer.usageRecord();
		}
		String reported = ProviderUsage.modelOf(answer.lastWithUsage());
		String usedModel = (reported != null) ? reported : (answer.model() != null) ? answer.model() : lookup.model;
		return recordOf(ProviderUsage.of(answer.lastWithUsage(), usedModel));
	}

	@Nullable
	private static Object cacheResultOf(ChatClientResponse response) {
		return response.context().get(ResourceContextKeys.CACHE);
	}

	/**
	 * Put this cache's result in a response's context, unless an inner cache (the
	 * semantic cache) put its own.
	 */
	private static ChatClientResponse mark(ChatClientResponse response, String result) {
		if (response.context().get(ResourceContextKeys.CACHE) != null) {
			return response;
		}
		return ResponseContexts.with(response, ResourceContextKeys.CACHE, result);
	}

	@Override
	public String getName() {
		return "ai.resource.cache.response";
	}

	@Override
	public Map<String, Long> held() {
		return Map.of("cache.response.loads", (long) this.flights.inFlight());
	}

	@Override
	public int getOrder() {
		return this.order;
	}

	/**
	 * A request the cache keeps: its key, whose partition it is in, and how to store it.
	 */
	private record Lookup(String key, String tenant, CallScope scope, String model, boolean refresh, Duration ttl) {
	}

	/**
	 * Builder for {@link ResponseCacheAdvisor}.
	 */
	public static final class Builder {

		private final ResponseCacheStore store;

		private RequestFingerprint fingerprint = new RequestFingerprint();

		private ScopeResolution scopeResolution = new ScopeResolution(ScopeResolver.fromAdvisorParams());

		@Nullable
		private UsageRecorder recorder;

		private Supplier<String> defaultModel = () -> null;

		private boolean perUser;

		private Duration ttl = DEFAULT_TTL;

		private double maxTemperature = 0.0;

		private double defaultTemperature = 1.0;

		private int streamChunkChars = DEFAULT_STREAM_CHUNK_CHARS;

		private Clock clock = Clock.systemUTC();

		private int order = DEFAULT_ORDER;

		private Builder(ResponseCacheStore store) {
			Assert.notNull(store, "store must not be null");
			this.store = store;
		}

		/**
		 * Set the key function; share one with the other caches so canonical tool schemas
		 * are memoized once.
		 * @param fingerprint the fingerprint
		 * @return this builder
		 */
		public Builder fingerprint(RequestFingerprint fingerprint) {
			Assert.notNull(fingerprint, "fingerprint must not be null");
			this.fingerprint = fingerprint;
			return this;
		}

		/**
		 * Set how calls are attributed to tenants and users, whose partitions they use.
		 * @param scopeResolution the resolution
		 * @return this builder
		 */
		public Builder scopeResolution(ScopeResolution scopeResolution) {
			Assert.notNull(scopeResolution, "scopeResolution must not be null");
			this.scopeResolution = scopeResolution;
			return this;
		}

		/**
		 * Set the recorder that records hits in the ledger and prices the usage of stored
		 * answers when no usage advisor did.
		 * @param recorder the recorder, may be {@code null}
		 * @return this builder
		 */
		public Builder recorder(@Nullable UsageRecorder recorder) {
			this.recorder = recorder;
			return this;
		}

		/**
		 * Set the model of calls whose options name none, such as the chat model's
		 * default.
		 * @param defaultModel supplies the model name, may supply {@code null}
		 * @return this builder
		 */
		public Builder defaultModel(Supplier<String> defaultModel) {
			Assert.notNull(defaultModel, "defaultModel must not be null");
			this.defaultModel = defaultModel;
			return this;
		}

		/**
		 * Set whether entries are kept per user rather than shared by a tenant's users.
		 * @param perUser whether to partition by user
		 * @return this builder
		 */
		public Builder perUser(boolean perUser) {
			this.perUser = perUser;
			return this;
		}

		/**
		 * Set how long an entry is kept unless a call sets its own TTL.
		 * @param ttl the TTL, positive
		 * @return this builder
		 */
		public Builder ttl(Duration ttl) {
			Assert.isTrue(ttl != null && !ttl.isNegative() && !ttl.isZero(), "ttl must be positive");
			this.ttl = ttl;
			return this;
		}

		/**
		 * Set the highest effective temperature of a cached call.
		 * @param maxTemperature the temperature, 0 for deterministic calls only
		 * @return this builder
		 */
		public Builder maxTemperature(double maxTemperature) {
			Assert.isTrue(maxTemperature >= 0, "maxTemperature must not be negative");
			this.maxTemperature = maxTemperature;
			return this;
		}

		/**
		 * Set the temperature assumed for a call that sets none: the provider's default
		 * (1.0 for OpenAI).
		 * @param defaultTemperature the temperature
		 * @return this builder
		 */
		public Builder defaultTemperature(double defaultTemperature) {
			Assert.isTrue(defaultTemperature >= 0, "defaultTemperature must not be negative");
			this.defaultTemperature = defaultTemperature;
			return this;
		}

		/**
		 * Set the rough size of the chunks a hit is replayed in to a stream.
		 * @param streamChunkChars characters per chunk, at least 1
		 * @return this builder
		 */
		public Builder streamChunkChars(int streamChunkChars) {
			Assert.isTrue(streamChunkChars >= 1, "streamChunkChars must be at least 1");
			this.streamChunkChars = streamChunkChars;
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

		public ResponseCacheAdvisor build() {
			return new ResponseCacheAdvisor(this);
		}

	}

}
