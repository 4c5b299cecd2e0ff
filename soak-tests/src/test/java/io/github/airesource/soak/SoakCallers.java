package io.github.airesource.soak;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.concurrency.ConcurrencyLimitExceededException;
import io.github.airesource.core.guard.CallTimeoutException;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.memory.MemoryPressureException;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.soak.CallRecord.Ask;
import io.github.airesource.soak.CallRecord.Outcome;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * The soak's load: {@link #CALLERS} platform threads calling the two instances at random
 * until a deadline, each as one user of one tenant. Callers of {@code acme} and
 * {@code globex} wait for their answers; callers of {@code mobile} dispose of three in
 * four of their streams midway and ask for essays and stalls, which end at the timeout.
 * Every caller mixes {@code call()} and {@code stream()}, questions its tenant asks again
 * and again (so the caches answer), questions nobody asked, conversations long enough to
 * be trimmed and summarized, premium questions that routing sends elsewhere, and now and
 * then a prompt too large for the guard.
 */
final class SoakCallers {

	/** Concurrent callers. */
	static final int CALLERS = 64;

	/** Tenants whose callers never cancel and ask nothing slower than the timeout. */
	static final List<String> PATIENT_TENANTS = List.of("acme", "globex");

	/** The tenant whose callers cancel streams and hit the timeout. */
	static final String MOBILE = "mobile";

	private static final int USERS_PER_TENANT = 8;

	private static final int TURNS_PER_CONVERSATION = 14;

	/** Turns a conversation starts with: more than the history may keep. */
	private static final int SEEDED_TURNS = 6;

	private static final List<String> QUESTIONS = List.of("What is the capital of France?",
			"How many moons does Mars have?", "Who wrote Don Quixote?", "What is the boiling point of water?",
			"How far is the Moon from the Earth?", "What is the largest ocean?", "Who painted the Mona Lisa?",
			"What is the speed of light?", "How many legs does a spider have?", "What is the tallest mountain?");

	private static final Pattern AI_STATUS = Pattern.compile("(?:HTTP )?(\\d{3}) - ");

	private static final String OVERSIZED = " lorem ipsum dolor sit amet".repeat(500);

	private final List<ChatClient> clients;

	private final Queue<CallRecord> records = new ConcurrentLinkedQueue<>();

	private final AtomicLong calls = new AtomicLong();

	SoakCallers(List<ChatClient> clients) {
		this.clients = clients;
	}

	/**
	 * Call until the deadline, on {@link #CALLERS} platform threads, and wait for every
	 * caller's last call to end.
	 * @param deadlineNanos when to stop starting calls, in {@link System#nanoTime()}
	 * @throws Exception if a caller fails outside a call
	 */
	void run(long deadlineNanos) throws Exception {
		TestThreads.onPlatformThreads(CALLERS, (executor) -> {
			List<Future<?>> callers = new ArrayList<>();
			for (int i = 0; i < CALLERS; i++) {
				Caller caller = new Caller(i);
				callers.add(executor.submit(() -> caller.run(deadlineNanos)));
			}
			for (Future<?> caller : callers) {
				// A caller's last call ends within the timeout and the waits before it.
				caller.get(deadlineNanos - System.nanoTime() + TimeUnit.MINUTES.toNanos(2), TimeUnit.NANOSECONDS);
			}
		});
	}

	/**
	 * Make a call and a stream on each instance as tenant {@code warmup}, so that
	 * connections, pools and caches exist before the load is measured. The calls are
	 * recorded with the others: the provider bills them too.
	 */
	void warmUp() {
		Caller caller = new Caller("warmup", "warmup-0", "warmup");
		for (int instance = 0; instance < this.clients.size(); instance++) {
			for (boolean stream : new boolean[] { false, true }) {
				this.records.add(caller.call(instance, stream, Ask.UNIQUE, false));
			}
		}
	}

	/**
	 * Return the calls made.
	 * @return the records
	 */
	List<CallRecord> records() {
		return new ArrayList<>(this.records);
	}

	/**
	 * Drop the records of the calls made.
	 */
	void forget() {
		this.records.clear();
	}

	/**
	 * Return the tenant of a caller.
	 * @param caller the caller's number
	 * @return the tenant
	 */
	static String tenantOf(int caller) {
		int share = CALLERS / 8;
		return (caller < 3 * share) ? "acme" : (caller < 6 * share) ? "globex" : MOBILE;
	}

	/**
	 * Return the users of a tenant.
	 * @param tenant the tenant
	 * @return the user ids
	 */
	static List<String> usersOf(String tenant) {
		List<String> users = new ArrayList<>();
		for (int i = 0; i < USERS_PER_TENANT; i++) {
			users.add(tenant + "-" + i);
		}
		return users;
	}

	/**
	 * One caller: a user of a tenant with a conversation of its own.
	 */
	private final class Caller {

		private final String tenant;

		private final String user;

		private final boolean mobile;

		private final List<Message> history = new ArrayList<>();

		private final String name;

		private int conversation;

		Caller(int index) {
			this(tenantOf(index), tenantOf(index) + "-" + (index % USERS_PER_TENANT), "caller-" + index);
		}

		Caller(String tenant, String user, String name) {
			this.tenant = tenant;
			this.user = user;
			this.mobile = MOBILE.equals(tenant);
			this.name = name;
		}

		void run(long deadlineNanos) {
			while (System.nanoTime() < deadlineNanos) {
				SoakCallers.this.records.add(callOnce());
			}
		}

		private CallRecord callOnce() {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			int instance = random.nextInt(SoakCallers.this.clients.size());
			boolean stream = random.nextBoolean();
			return call(instance, stream, pick(random, stream), this.mobile && stream && random.nextInt(4) > 0);
		}

		CallRecord call(int instance, boolean stream, Ask ask, boolean cancel) {
			ThreadLocalRandom random = ThreadLocalRandom.current();
			String callId = this.name + "-" + SoakCallers.this.calls.incrementAndGet();
			String text = prompt(ask, callId, random);
			boolean conversing = ask == Ask.CONVERSATION;
			if (conversing && (this.history.isEmpty() || this.history.size() >= 2 * TURNS_PER_CONVERSATION)) {
				startConversation();
			}
			ChatClient.ChatClientRequestSpec spec = SoakCallers.this.clients.get(instance)
				.prompt()
				.messages(conversing ? List.copyOf(this.history) : List.of())
				.user(text)
				.options(OpenAiChatOptions.builder()
					.temperature(0.0)
					.maxTokens(32 + random.nextInt(200))
					.httpHeaders(Map.of(LoopbackProvider.CALL_HEADER, callId))
					.build())
				.advisors((advisors) -> {
					advisors.param(ResourceContextKeys.USER, this.user)
						.param(ResourceContextKeys.TENANT, this.tenant)
						.param(ResourceContextKeys.PRIORITY, List.of("high", "normal", "low").get(random.nextInt(3)));
					if (conversing) {
						advisors.param(ResourceContextKeys.CONVERSATION,
								this.user + "-" + this.name + "-c" + this.conversation);
					}
					if (ask == Ask.PREMIUM) {
						advisors.param(ResourceContextKeys.TIER, "premium");
					}
				});
			long start = System.currentTimeMillis();
			Answer answer;
			try {
				answer = stream ? stream(spec, cancel) : call(spec);
			}
			catch (RuntimeException ex) {
				Outcome outcome = outcomeOf(ex);
				return new CallRecord(callId, instance, this.tenant, this.user, stream, ask, start,
						System.currentTimeMillis(), outcome, null, null,
						(outcome == Outcome.UNEXPECTED) ? describe(ex) : null);
			}
			long end = System.currentTimeMillis();
			if (conversing) {
				this.history.add(new UserMessage(text));
				this.history.add(new AssistantMessage((answer.text() != null) ? answer.text() : "(no answer)"));
			}
			Outcome outcome = answer.outcome(cancel);
			if (answer.text() != null && !answer.text().isEmpty()
					&& !answer.text().startsWith("(" + this.tenant + ")")) {
				outcome = Outcome.WRONG_TENANT;
			}
			return new CallRecord(callId, instance, this.tenant, this.user, stream, ask, start, end, outcome,
					answer.responseId(), answer.usage(), null);
		}

		/**
		 * Start a new conversation, with earlier turns already longer than the history
		 * may be: its first call is trimmed and summarized at once.
		 */
		private void startConversation() {
			this.history.clear();
			this.conversation++;
			for (int turn = 1; turn <= SEEDED_TURNS; turn++) {
				this.history.add(new UserMessage("(" + this.tenant + ") Turn " + turn + ": which town in Portugal "
						+ "should I visit on day " + turn + " of my trip, and how do I get there by train from the "
						+ "town of the day before, with a small backpack and no car?"));
				this.history.add(new AssistantMessage("(" + this.tenant + ") On day " + turn + " go to Tomar: take "
						+ "the regional train from Lisbon Santa Apolonia, change at Entroncamento, and walk ten minutes "
						+ "from the station to the Convent of Christ, a fine sight in the morning light."));
			}
		}

		private Ask pick(ThreadLocalRandom random, boolean stream) {
			double draw = random.nextDouble();
			if (this.mobile) {
				return (draw < 0.30) ? Ask.POOLED : (draw < 0.50) ? Ask.CONVERSATION
						: (draw < 0.80) ? Ask.UNIQUE : (draw < 0.90 || !stream) ? Ask.ESSAY : Ask.STALL;
			}
			return (draw < 0.50) ? Ask.POOLED : (draw < 0.75) ? Ask.CONVERSATION
					: (draw < 0.87) ? Ask.UNIQUE : (draw < 0.98) ? Ask.PREMIUM : Ask.OVERSIZED;
		}

		private String prompt(Ask ask, String callId, ThreadLocalRandom random) {
			String tag = "(" + this.tenant + ") ";
			String question = QUESTIONS.get(random.nextInt(QUESTIONS.size()));
			return switch (ask) {
				// The second wording has the same words: the semantic cache's, not the
				// response cache's.
				case POOLED ->
					tag + (random.nextBoolean() ? question : question.toLowerCase(Locale.ROOT).replace("?", " please"));
				case UNIQUE -> tag + "Question " + callId + ": " + question;
				case CONVERSATION -> tag + "Turn " + (this.history.size() / 2 + 1)
						+ ": and what should I see next on my trip through Portugal, given all you told me so far? "
						+ "I like old towns, tiled churches, river views and long lunches, I dislike crowds and "
						+ "queues, and I travel by train with a small backpack and a paper map.";
				case PREMIUM -> tag + "For our premium plan, in detail: " + question;
				case OVERSIZED -> tag + "Summarize this:" + OVERSIZED;
				case ESSAY -> tag + LoopbackProvider.ESSAY + " Write an essay, " + callId;
				case STALL -> tag + LoopbackProvider.STALL + " Tell me a story, " + callId;
			};
		}

		private Answer call(ChatClient.ChatClientRequestSpec spec) {
			ChatClientResponse response = spec.call().chatClientResponse();
			Answer answer = new Answer();
			answer.add(response);
			answer.completed = true;
			return answer;
		}

		private Answer stream(ChatClient.ChatClientRequestSpec spec, boolean cancel) {
			Flux<ChatClientResponse> responses = spec.stream().chatClientResponse();
			if (cancel) {
				// Disposed of after one to three elements, midway through the answer.
				responses = responses.take(1 + ThreadLocalRandom.current().nextInt(3));
			}
			Answer answer = new Answer();
			responses.doOnNext(answer::add).then().block(Duration.ofMinutes(1));
			answer.completed = !cancel;
			return answer;
		}

	}

	private static Outcome outcomeOf(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof BudgetExceededException) {
				return Outcome.BUDGET;
			}
			if (cause instanceof RateLimitExceededException limit) {
				return "provider".equals(limit.limitName()) ? Outcome.PROVIDER_HOLD : Outcome.RATE_LIMIT;
			}
			if (cause instanceof ConcurrencyLimitExceededException) {
				return Outcome.CONCURRENCY;
			}
			if (cause instanceof StoreUnavailableException) {
				return Outcome.STORE_UNAVAILABLE;
			}
			if (cause instanceof PromptTooLargeException) {
				return Outcome.PROMPT_TOO_LARGE;
			}
			if (cause instanceof MemoryPressureException) {
				return Outcome.MEMORY;
			}
			if (cause instanceof CallTimeoutException) {
				return Outcome.TIMEOUT;
			}
			int status = statusOf(cause);
			if (status == 429) {
				return Outcome.MODEL_429;
			}
			if (status == 500) {
				return Outcome.MODEL_500;
			}
		}
		return Outcome.UNEXPECTED;
	}

	/**
	 * The provider's HTTP status an exception carries: WebClient's for streams, Spring
	 * AI's message ({@code "HTTP 429 - {...}"}) for calls.
	 */
	private static int statusOf(Throwable ex) {
		if (ex instanceof WebClientResponseException response) {
			return response.getStatusCode().value();
		}
		Matcher status = (ex.getMessage() != null) ? AI_STATUS.matcher(ex.getMessage()) : null;
		return (status != null && status.lookingAt()) ? Integer.parseInt(status.group(1)) : 0;
	}

	private static String describe(Throwable ex) {
		StringBuilder description = new StringBuilder();
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			description.append((description.length() > 0) ? " <- " : "")
				.append(cause.getClass().getName())
				.append(": ")
				.append(cause.getMessage());
		}
		return description.toString();
	}

	/**
	 * What a call or stream returned: its text, the provider's id, the cache result and
	 * the usage record from the response context.
	 */
	private static final class Answer {

		private final StringBuilder text = new StringBuilder();

		private String responseId;

		private String cache;

		private UsageRecord usage;

		private boolean completed;

		void add(ChatClientResponse response) {
			ChatResponse chat = response.chatResponse();
			if (chat != null) {
				if (this.responseId == null && chat.getMetadata() != null && chat.getMetadata().getId() != null
						&& !chat.getMetadata().getId().isEmpty()) {
					this.responseId = chat.getMetadata().getId();
				}
				if (chat.getResult() != null && chat.getResult().getOutput() != null
						&& chat.getResult().getOutput().getText() != null) {
					this.text.append(chat.getResult().getOutput().getText());
				}
			}
			if (response.context().get(ResourceContextKeys.CACHE) != null) {
				this.cache = String.valueOf(response.context().get(ResourceContextKeys.CACHE));
			}
			if (response.context().get(ResourceContextKeys.USAGE) instanceof UsageRecord record) {
				this.usage = record;
			}
		}

		String text() {
			return this.text.toString();
		}

		String responseId() {
			return this.responseId;
		}

		UsageRecord usage() {
			return this.usage;
		}

		Outcome outcome(boolean cancelled) {
			if ("hit-exact".equals(this.cache)) {
				return Outcome.CACHE_EXACT;
			}
			if ("hit-semantic".equals(this.cache)) {
				return Outcome.CACHE_SEMANTIC;
			}
			return (cancelled || !this.completed) ? Outcome.CANCELLED : Outcome.ANSWERED;
		}

	}

}
