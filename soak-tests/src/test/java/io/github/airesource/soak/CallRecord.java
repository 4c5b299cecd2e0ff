package io.github.airesource.soak;

import io.github.airesource.core.usage.UsageRecord;

/**
 * What one caller saw of one call.
 *
 * @param callId the id sent to the provider in {@link LoopbackProvider#CALL_HEADER}
 * @param instance the instance called, 0 or 1
 * @param tenant the tenant
 * @param user the user
 * @param stream whether it was a stream
 * @param kind what was asked
 * @param start when the call began, epoch milliseconds
 * @param end when it ended
 * @param outcome how it ended
 * @param responseId the provider's id of the answer received, or {@code null}
 * @param usage the usage record in the response context, or {@code null}
 * @param error the error, for outcomes not foreseen, or {@code null}
 */
record CallRecord(String callId, int instance, String tenant, String user, boolean stream, Ask kind, long start,
		long end, Outcome outcome, String responseId, UsageRecord usage, String error) {

	/**
	 * Whether the call began at or after a moment and ended at or before another.
	 * @param from the first moment, epoch milliseconds
	 * @param to the last moment
	 * @return whether the call lies within
	 */
	boolean within(long from, long to) {
		return this.start >= from && this.end <= to;
	}

	/**
	 * What a call asked.
	 */
	enum Ask {

		/** One of a few questions every user of a tenant asks, worded one of two ways. */
		POOLED,

		/** A question nobody asked before. */
		UNIQUE,

		/** The next turn of a conversation whose history the caller sends. */
		CONVERSATION,

		/** A question for the premium tier, which routing sends to another model. */
		PREMIUM,

		/** A prompt larger than the guard allows. */
		OVERSIZED,

		/** A question the model answers slower than the timeout. */
		ESSAY,

		/** A stream the model stalls after its first chunk. */
		STALL

	}

	/**
	 * How a call ended.
	 */
	enum Outcome {

		/** The model's answer, received in full. */
		ANSWERED(false),

		/** An answer from the response cache. */
		CACHE_EXACT(false),

		/** An answer from the semantic cache. */
		CACHE_SEMANTIC(false),

		/** The caller disposed of the stream midway. */
		CANCELLED(false),

		/** {@code CallTimeoutException}. */
		TIMEOUT(false),

		/** {@code BudgetExceededException}. */
		BUDGET(true),

		/** {@code RateLimitExceededException} of a configured limit. */
		RATE_LIMIT(true),

		/** {@code RateLimitExceededException} of the provider's hold after a 429. */
		PROVIDER_HOLD(true),

		/** {@code ConcurrencyLimitExceededException}. */
		CONCURRENCY(true),

		/** {@code StoreUnavailableException}: Redis down, fail-closed. */
		STORE_UNAVAILABLE(true),

		/** {@code PromptTooLargeException}. */
		PROMPT_TOO_LARGE(true),

		/** {@code MemoryPressureException}. */
		MEMORY(true),

		/** The provider's 429, passed on. */
		MODEL_429(false),

		/** The provider's 500, passed on. */
		MODEL_500(false),

		/** An answer that carries another tenant's tag. */
		WRONG_TENANT(false),

		/** Anything else: a defect. */
		UNEXPECTED(false);

		private final boolean refusal;

		Outcome(boolean refusal) {
			this.refusal = refusal;
		}

		/**
		 * Whether the library refused the call.
		 * @return whether it is a refusal
		 */
		boolean refusal() {
			return this.refusal;
		}

	}

}
