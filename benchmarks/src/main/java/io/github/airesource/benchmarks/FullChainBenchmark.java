package io.github.airesource.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.tokens.TokenCounter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;

/**
 * The whole chain as the starter wires it (issue 11), every feature on, against the bare
 * {@link ChatClient} on the same no-op model, every call with a 2 KB question never seen
 * before (so the exact cache misses, the semantic cache misses and the question's count
 * is cold).
 *
 * <ul>
 * <li>{@code bare}: a client without advisors, given the system prompt, a fixed
 * 20-message history and the question: the baseline.</li>
 * <li>{@code bareWithChatMemory}: the same client with Spring AI's
 * {@link MessageChatMemoryAdvisor} over the auto-configured {@link ChatMemory} (a window
 * of 20 messages), 16 conversations in turn: what the application's own memory
 * costs.</li>
 * <li>{@code fullChain}: the client from the application context's
 * {@link ChatClient.Builder} (every {@code ai.resource.*} advisor, see
 * {@link FullChainApplication#properties}) with the same memory advisor: history trimming
 * over the 20-message conversation (over its 2,000-token limit), routing, prompt guard,
 * response cache miss and store, budget, rate limits, bulkhead, usage, timeout. The
 * semantic cache looks up single-turn requests only, so here it passes the call on.</li>
 * <li>{@code singleTurnBare} and {@code singleTurnFullChain}: system prompt and question
 * only, so the semantic cache embeds the question (hash-based model), searches its
 * partition (at most 1,000 entries, {@code max-entries}), misses and stores the
 * answer.</li>
 * <li>{@code passThroughChain}: {@code bareWithChatMemory} with thirteen advisors that
 * only pass the call on, at the orders of the starter's thirteen
 * ({@link PassThroughAdvisor#STARTER_ORDERS}): what Spring AI's advisor chain costs for
 * as many advisors as {@code fullChain} has, with none of them doing anything.</li>
 * <li>{@code countFreshText}: the application's {@link TokenCounter} counting a 2 KB text
 * never seen before through its memo: the one count per call that the 10 µs target leaves
 * out.</li>
 * </ul>
 * {@code store=redis} runs the same with every store that can live in Redis there (usage,
 * budget, rate limit, response cache, history), at {@code REDIS_URL} or 127.0.0.1:6379.
 * Sample time, so the report has the mean and the percentiles.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = { "-Xms1g", "-Xmx1g" })
@Warmup(iterations = 4, time = 2)
@Measurement(iterations = 5, time = 2)
public class FullChainBenchmark {

	/** How many conversations the calls take turns in. */
	static final int CONVERSATIONS = 16;

	/** A 500-character system prompt, the same on every call. */
	static final String SYSTEM = BenchmarkTexts.text(500, 1);

	/** The body of every question; a number in front makes each one new. */
	private static final String QUESTION_BODY = BenchmarkTexts.text(1520, 2);

	@Param({ "memory", "redis" })
	public String store;

	private AnnotationConfigApplicationContext context;

	private String keyPrefix;

	private ChatClient bare;

	private ChatClient bareWithChatMemory;

	private ChatClient fullChain;

	private ChatClient passThroughChain;

	private ChatClient singleTurnFullChain;

	private TokenCounter counter;

	private ChatOptions options;

	private List<Message> history;

	private String run;

	private long calls;

	@Setup(Level.Trial)
	public void setUp() {
		this.run = UUID.randomUUID().toString().substring(0, 8);
		this.keyPrefix = "redis".equals(this.store) ? "bench-fullchain-" + this.run + ":" : null;
		this.context = FullChainApplication.start(FullChainApplication.properties(this.keyPrefix));
		ChatModel model = this.context.getBean(ChatModel.class);
		MessageChatMemoryAdvisor memory = MessageChatMemoryAdvisor.builder(this.context.getBean(ChatMemory.class))
			.build();
		this.bare = ChatClient.builder(model).build();
		this.bareWithChatMemory = ChatClient.builder(model).defaultAdvisors(memory).build();
		this.fullChain = this.context.getBean(ChatClient.Builder.class).defaultAdvisors(memory).build();
		this.passThroughChain = ChatClient.builder(model)
			.defaultAdvisors(memory)
			.defaultAdvisors(PassThroughAdvisor.starterOrders())
			.build();
		this.singleTurnFullChain = this.context.getBean(ChatClient.Builder.class).build();
		// Temperature 0, as an application that wants its answers cached asks.
		this.options = ChatOptions.builder().model(FullChainApplication.MODEL).temperature(0.0).build();
		this.history = fixedHistory();
		this.counter = TokenCounter.create();
	}

	@TearDown(Level.Trial)
	public void tearDown() {
		this.context.close();
		if (this.keyPrefix != null) {
			BenchmarkRedis.deleteKeys(this.keyPrefix);
		}
	}

	/**
	 * Return a question never asked before: about 2 KB with the system prompt.
	 * @param call the call's number
	 * @param run the run's id, so that no run finds another's answers in Redis
	 * @return the question
	 */
	static String question(long call, String run) {
		return new StringBuilder(QUESTION_BODY.length() + 32).append("Question ")
			.append(call)
			.append(" of ")
			.append(run)
			.append(": ")
			.append(QUESTION_BODY)
			.toString();
	}

	/**
	 * Return 20 messages like those the chat memory holds once warm: ten questions and
	 * the model's ten answers.
	 * @return the history
	 */
	static List<Message> fixedHistory() {
		List<Message> messages = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			messages.add(new UserMessage(question(-1 - i, "history")));
			messages.add(new AssistantMessage("Your order ships today."));
		}
		return messages;
	}

	@Benchmark
	public ChatResponse bare() {
		return call(this.bare, this.history, true);
	}

	@Benchmark
	public ChatResponse bareWithChatMemory() {
		return call(this.bareWithChatMemory, List.of(), true);
	}

	@Benchmark
	public ChatResponse fullChain() {
		return call(this.fullChain, List.of(), true);
	}

	@Benchmark
	public ChatResponse passThroughChain() {
		return call(this.passThroughChain, List.of(), true);
	}

	@Benchmark
	public ChatResponse singleTurnBare() {
		return call(this.bare, List.of(), false);
	}

	@Benchmark
	public ChatResponse singleTurnFullChain() {
		return call(this.singleTurnFullChain, List.of(), false);
	}

	@Benchmark
	public int countFreshText() {
		return this.counter.countText(question(this.calls++, this.run), FullChainApplication.MODEL);
	}

	/**
	 * Ask a new question, after the given history, in one of the conversations or in
	 * none.
	 */
	private ChatResponse call(ChatClient client, List<Message> history, boolean inConversation) {
		long call = this.calls++;
		String conversation = inConversation ? "c-" + (call % CONVERSATIONS) : null;
		return client.prompt()
			.options(this.options)
			.system(SYSTEM)
			.messages(history)
			.user(question(call, this.run))
			.advisors((a) -> {
				a.param(ResourceContextKeys.USER, "alice").param(ResourceContextKeys.TENANT, "acme");
				if (conversation != null) {
					a.param(ChatMemory.CONVERSATION_ID, conversation);
				}
			})
			.call()
			.chatResponse();
	}

}
