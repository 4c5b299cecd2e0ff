package io.github.airesource.soak;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import okhttp3.Headers;

import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.tokens.TokenCounter;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.prompt.Prompt;

/**
 * The model provider of the soak: an {@link OpenAiWireServer} on loopback that answers
 * like a provider having a bad day, and bills like one.
 *
 * <p>
 * Faults, on a schedule of the requests it receives rather than by chance (a short soak
 * on a slow machine still gets its share of each): now and then a 429 with
 * {@code Retry-After} (at most one per model every few seconds, as a provider's
 * rate-limit episodes), a 500, a slow answer (well within the callers' timeout); and
 * answers slower than the timeout for the prompts that ask for an essay, and streams that
 * stall after their first chunk for the prompts that ask for that. Every answer echoes
 * the tenant tag of its prompt, so that a caller can tell an answer meant for another
 * tenant.
 *
 * <p>
 * Billing: every answer it sends carries usage, and that usage is written in its
 * {@link #requests() book} with the call id the caller sent as a header: the prompt
 * counted as the chain counts it (the provider's and the library's counts agree, as
 * OpenAI's and tiktoken's do), part of it cached for conversations, and completion tokens
 * within the request's {@code max_tokens}. Errors bill nothing. History summaries (model
 * {@link #SUMMARY_MODEL}) are booked as summaries, without a call id; embeddings of the
 * semantic cache are booked by {@link WordBagEmbeddingModel}.
 */
final class LoopbackProvider implements AutoCloseable {

	/** The header the callers send their call id in. */
	static final String CALL_HEADER = "X-Soak-Call";

	/** The model the history summarizer asks. */
	static final String SUMMARY_MODEL = "gpt-4.1-nano";

	/** A prompt with this marker is answered slower than the callers' timeout. */
	static final String ESSAY = "[essay]";

	/** A stream prompt with this marker stalls after its first chunk. */
	static final String STALL = "[stall]";

	private static final Pattern TENANT = Pattern.compile("\\(([a-z]+)\\)");

	/** Every this many requests, one asks for a 429 (if its model's last is long ago). */
	private static final int RATE_LIMITED_EVERY = 20;

	/** Every this many requests, one fails with 500. */
	private static final int FAILING_EVERY = 25;

	/** Every this many requests, one is slow (within the timeout). */
	private static final int SLOW_EVERY = 10;

	/** Least time between two 429 episodes of one model. */
	private static final long RATE_LIMIT_EPISODE_MILLIS = 3_000;

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final TokenCounter tokens = TokenCounter.create();

	private final PricingCatalog prices;

	private final Duration essayDelay;

	private final Queue<ModelRequest> book = new ConcurrentLinkedQueue<>();

	private final Map<String, Long> lastRateLimited = new ConcurrentHashMap<>();

	private final AtomicLong ids = new AtomicLong();

	private final AtomicLong received = new AtomicLong();

	/**
	 * Start the provider.
	 * @param prices the prices the provider bills at
	 * @param essayDelay how long an essay takes: longer than the callers' timeout
	 */
	LoopbackProvider(PricingCatalog prices, Duration essayDelay) {
		this.prices = prices;
		this.essayDelay = essayDelay;
		this.server.answerEveryRequest(this::answer);
	}

	String baseUrl() {
		return this.server.baseUrl();
	}

	/**
	 * Return every request that reached the provider, with what it billed for it.
	 * @return the requests, in no particular order
	 */
	List<ModelRequest> requests() {
		return new ArrayList<>(this.book);
	}

	/**
	 * Drop the book.
	 */
	void forget() {
		this.book.clear();
	}

	/**
	 * Book an embedding request, billed by its prompt tokens.
	 * @param text the embedded text
	 * @param model the embedding model
	 * @return the tokens billed
	 */
	int bookEmbedding(String text, String model) {
		int prompt = this.tokens.countText(text, model);
		this.book.add(new ModelRequest(null, tenantOf(text), model, Purpose.EMBEDDING, false,
				System.currentTimeMillis(), 200, prompt, 0, 0, cost(model, prompt, 0, 0), null));
		return prompt;
	}

	private OpenAiCompletion answer(JsonNode body, Headers headers) {
		long received = System.currentTimeMillis();
		String model = body.path("model").asText();
		boolean stream = body.path("stream").asBoolean();
		// Routing never sends a chat call to the summary model.
		Purpose purpose = model.equals(SUMMARY_MODEL) ? Purpose.SUMMARY : Purpose.CHAT;
		String callId = (purpose == Purpose.CHAT) ? headers.get(CALL_HEADER) : null;
		List<Message> messages = messages(body.path("messages"));
		String text = allText(messages);
		String tenant = tenantOf(text);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long number = this.received.incrementAndGet();
		if (number % RATE_LIMITED_EVERY == 13 && startsRateLimitEpisode(model, received)) {
			this.book.add(ModelRequest.refused(callId, tenant, model, purpose, stream, received, 429));
			return OpenAiCompletion.rateLimited(Duration.ofSeconds(1));
		}
		if (number % FAILING_EVERY == 7) {
			this.book.add(ModelRequest.refused(callId, tenant, model, purpose, stream, received, 500));
			return OpenAiCompletion.error(500, "The server had an error while processing your request.");
		}
		String answer = Long.toString(this.ids.incrementAndGet());
		String id = "soak-" + answer;
		OpenAiCompletion completion = OpenAiCompletion.text("(" + tenant + ") ", "Answer ", answer, " for you", ".")
			.id(id)
			.model(model);
		String question = lastUserText(messages);
		boolean essay = purpose == Purpose.CHAT && question.contains(ESSAY);
		if (essay && stream) {
			// Five chunk pauses add up to more than the timeout.
			completion.chunkDelay(this.essayDelay.dividedBy(5));
		}
		else if (essay) {
			completion.delay(this.essayDelay);
		}
		else if (stream && purpose == Purpose.CHAT && question.contains(STALL)) {
			completion.stallAfter(1);
		}
		else if (number % SLOW_EVERY == 3) {
			completion.delay(Duration.ofMillis(50 + random.nextInt(250)));
		}
		int prompt = this.tokens.countPrompt(new Prompt(messages), model).total();
		int cached = (messages.size() >= 4) ? prompt / 2 : 0;
		int maxTokens = body.path("max_tokens").asInt(body.path("max_completion_tokens").asInt(Integer.MAX_VALUE));
		int completionTokens = Math.min(maxTokens, 24 + random.nextInt(40));
		completion.usage(prompt, completionTokens).cachedTokens(cached);
		this.book.add(new ModelRequest(callId, tenant, model, purpose, stream, received, 200, prompt, cached,
				completionTokens, cost(model, prompt, cached, completionTokens), id));
		return completion;
	}

	private boolean startsRateLimitEpisode(String model, long now) {
		boolean[] started = new boolean[1];
		this.lastRateLimited.compute(model, (key, last) -> {
			if (last == null || now - last >= RATE_LIMIT_EPISODE_MILLIS) {
				started[0] = true;
				return now;
			}
			return last;
		});
		return started[0];
	}

	private BigDecimal cost(String model, int prompt, int cached, int completion) {
		BigDecimal cost = this.prices.cost(model, prompt, cached, completion);
		return (cost != null) ? cost : BigDecimal.ZERO;
	}

	private static List<Message> messages(JsonNode json) {
		List<Message> messages = new ArrayList<>();
		for (JsonNode message : json) {
			String content = message.path("content").asText("");
			switch (message.path("role").asText()) {
				case "system" -> messages.add(new SystemMessage(content));
				case "assistant" -> messages.add(new AssistantMessage(content));
				default -> messages.add(new UserMessage(content));
			}
		}
		return messages;
	}

	private static String allText(List<Message> messages) {
		StringBuilder text = new StringBuilder();
		messages.forEach((message) -> text.append(message.getText()).append('\n'));
		return text.toString();
	}

	private static String lastUserText(List<Message> messages) {
		for (int i = messages.size() - 1; i >= 0; i--) {
			if (messages.get(i) instanceof UserMessage user) {
				return user.getText();
			}
		}
		return "";
	}

	/**
	 * Return the tenant a text is tagged with: the first {@code (tenant)} in it.
	 * @param text the text
	 * @return the tenant, or {@code untagged}
	 */
	static String tenantOf(String text) {
		Matcher matcher = TENANT.matcher(text);
		return matcher.find() ? matcher.group(1) : "untagged";
	}

	@Override
	public void close() {
		this.server.close();
	}

	/**
	 * Why a request reached the provider.
	 */
	enum Purpose {

		/** A caller's chat call. */
		CHAT,

		/** A history summary the library asked for. */
		SUMMARY,

		/** An embedding the semantic cache asked for. */
		EMBEDDING

	}

	/**
	 * One request the provider received, and what it billed for it.
	 *
	 * @param callId the caller's call id, {@code null} for requests the library made on
	 * its own
	 * @param tenant the tenant tag of the prompt
	 * @param model the model asked for
	 * @param purpose why the request was made
	 * @param stream whether it asked for a stream
	 * @param receivedAt when it arrived, epoch milliseconds
	 * @param status the HTTP status of the answer
	 * @param promptTokens prompt tokens billed, cached included
	 * @param cachedTokens cached prompt tokens billed
	 * @param completionTokens completion tokens billed
	 * @param cost USD billed
	 * @param responseId the id of the answer, {@code null} for errors
	 */
	record ModelRequest(String callId, String tenant, String model, Purpose purpose, boolean stream, long receivedAt,
			int status, int promptTokens, int cachedTokens, int completionTokens, BigDecimal cost, String responseId) {

		static ModelRequest refused(String callId, String tenant, String model, Purpose purpose, boolean stream,
				long receivedAt, int status) {
			return new ModelRequest(callId, tenant, model, purpose, stream, receivedAt, status, 0, 0, 0,
					BigDecimal.ZERO, null);
		}

		boolean billed() {
			return this.status == 200;
		}

	}

}
