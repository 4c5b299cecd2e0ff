package io.github.airesource.core.scope;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.airesource.core.ResourceAdvisorOrder;
import io.github.airesource.core.ResourceAdvisors;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.pricing.PricingCatalog;
import io.github.airesource.core.usage.CallOutcome;
import io.github.airesource.core.usage.UsageAdvisor;
import io.github.airesource.core.usage.UsageListener;
import io.github.airesource.core.usage.UsageRecord;
import io.github.airesource.core.usage.UsageRecorder;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiTestModels;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestChatMemory;
import io.github.airesource.testsupport.TestThreads;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who a call is attributed to, through a real {@link ChatClient} whose chain includes
 * Spring AI's chat memory (which moves streams to another thread before the resource
 * advisors run) and the real OpenAI client over HTTP to a loopback server.
 */
@ExtendWith(OutputCaptureExtension.class)
class ScopeCaptureAdvisorTests {

	/** Thread-bound caller identity, as a security context or request-scoped bean. */
	private static final ThreadLocal<String> CURRENT_USER = new ThreadLocal<>();

	private static final ScopeResolver THREAD_BOUND = (request) -> CallScope.of("acme", CURRENT_USER.get(),
			request.context().get(ResourceContextKeys.CONVERSATION));

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final List<Recorded> recorded = new CopyOnWriteArrayList<>();

	private final UsageRecorder recorder = new UsageRecorder(PricingCatalog.withDefaults(),
			List.<UsageListener>of((record, scope) -> this.recorded.add(new Recorded(record, scope))));

	@AfterEach
	void cleanUp() {
		CURRENT_USER.remove();
		this.server.close();
	}

	@Test
	void whenStreamPassesThroughChatMemoryThenItIsAttributedToTheCallersThreadBoundUser() {
		this.server.stream(OpenAiCompletion.text("Par", "is.").usage(20, 2));
		ChatClient client = clientWithChatMemory(new ScopeResolution(THREAD_BOUND));
		CURRENT_USER.set("alice");

		List<String> content = TestChatMemory.streamContent(client, "Capital of France?");

		assertThat(content).containsExactly("Par", "is.");
		assertThat(single().scope()).isEqualTo(new CallScope("acme", "alice", TestChatMemory.CONVERSATION));
		assertThat(single().record().outcome()).isEqualTo(CallOutcome.SUCCESS);
	}

	@Test
	void whenConcurrentStreamsRunOnPlatformThreadsThenEachIsAttributedToItsOwnThreadsUser() throws Exception {
		TestThreads.onPlatformThreads(4, this::streamConcurrentlyAsDifferentUsers);
	}

	@Test
	@EnabledForJreRange(min = JRE.JAVA_21)
	void whenConcurrentStreamsRunOnVirtualThreadsThenEachIsAttributedToItsOwnThreadsUser() throws Exception {
		TestThreads.onVirtualThreads(this::streamConcurrentlyAsDifferentUsers);
	}

	private void streamConcurrentlyAsDifferentUsers(ExecutorService executor) throws Exception {
		this.server.answerEveryRequest(OpenAiCompletion.text("Par", "is.").usage(20, 2));
		ChatClient client = clientWithChatMemory(new ScopeResolution(THREAD_BOUND));
		List<String> users = IntStream.range(0, 8).mapToObj((i) -> "user-" + i).toList();
		List<Future<List<String>>> streams = new ArrayList<>();
		for (String user : users) {
			streams.add(executor.submit(() -> {
				CURRENT_USER.set(user);
				try {
					return TestChatMemory.streamContent(client, "Capital of France?");
				}
				finally {
					CURRENT_USER.remove();
				}
			}));
		}
		for (Future<List<String>> stream : streams) {
			assertThat(stream.get(30, TimeUnit.SECONDS)).containsExactly("Par", "is.");
		}

		assertThat(this.recorded).extracting((recorded) -> recorded.scope().user())
			.containsExactlyInAnyOrderElementsOf(users);
	}

	@Test
	void whenCallPassesThroughChatMemoryThenItIsAttributedToTheCallersThreadBoundUser() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 2));
		ChatClient client = clientWithChatMemory(new ScopeResolution(THREAD_BOUND));
		CURRENT_USER.set("alice");

		client.prompt().user("Capital of France?").call().content();

		assertThat(single().scope()).isEqualTo(new CallScope("acme", "alice", TestChatMemory.CONVERSATION));
	}

	@Test
	void whenResolverThrowsThenTheCallSucceedsAsAnonymousAndTheFailureIsCounted(CapturedOutput output) {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 2));
		ScopeResolution resolution = new ScopeResolution(failing(new IllegalStateException("no principal")));

		String answer = clientWithChatMemory(resolution).prompt().user("Capital of France?").call().content();

		assertThat(answer).isEqualTo("Paris.");
		assertThat(single().scope()).isEqualTo(CallScope.NONE);
		assertThat(single().record().outcome()).isEqualTo(CallOutcome.SUCCESS);
		assertThat(resolution.failures()).isEqualTo(1);
		assertThat(output).contains("IllegalStateException").contains("no principal");
	}

	@Test
	void whenResolverThrowsDuringAStreamThenTheStreamSucceedsAsAnonymousAndTheFailureIsCounted() {
		this.server.stream(OpenAiCompletion.text("Par", "is.").usage(20, 2));
		ScopeResolution resolution = new ScopeResolution(failing(new IllegalStateException("no principal")));

		List<String> content = TestChatMemory.streamContent(clientWithChatMemory(resolution), "Capital of France?");

		assertThat(content).containsExactly("Par", "is.");
		assertThat(single().scope()).isEqualTo(CallScope.NONE);
		assertThat(resolution.failures()).isEqualTo(1);
	}

	@Test
	void whenTheSameFailureRepeatsThenItIsCountedEachTimeButWarnedOnce(CapturedOutput output) {
		ScopeResolution resolution = new ScopeResolution(failing(new IllegalStateException("no principal")));
		ChatClient client = clientWithChatMemory(resolution);
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 2))
			.reply(OpenAiCompletion.text("Rome.").usage(20, 2));

		client.prompt().user("Capital of France?").call().content();
		client.prompt().user("Capital of Italy?").call().content();

		assertThat(resolution.failures()).isEqualTo(2);
		assertThat(this.recorded).extracting(Recorded::scope).containsExactly(CallScope.NONE, CallScope.NONE);
		assertThat(warningsIn(output)).isEqualTo(1);
	}

	@Test
	void whenAnotherKindOfFailureFollowsThenItIsWarnedToo(CapturedOutput output) {
		List<RuntimeException> failures = List.of(new IllegalStateException("no principal"),
				new IllegalStateException("no principal"), new UnsupportedOperationException("no tenant"));
		Iterator<RuntimeException> next = failures.iterator();
		ScopeResolution resolution = new ScopeResolution((request) -> {
			throw next.next();
		});
		ChatClient client = clientWithChatMemory(resolution);
		this.server.reply(OpenAiCompletion.text("1").usage(20, 2))
			.reply(OpenAiCompletion.text("2").usage(20, 2))
			.reply(OpenAiCompletion.text("3").usage(20, 2));

		for (int i = 0; i < failures.size(); i++) {
			client.prompt().user("Count.").call().content();
		}

		assertThat(resolution.failures()).isEqualTo(3);
		assertThat(warningsIn(output)).isEqualTo(2);
		assertThat(output).contains("UnsupportedOperationException");
	}

	@Test
	void whenNoCaptureAdvisorThenTheUsageAdvisorResolvesAndStillNeverFailsTheCall() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 2));
		ScopeResolution resolution = new ScopeResolution(failing(new IllegalStateException("no principal")));
		UsageAdvisor usage = UsageAdvisor.builder(this.recorder).scopeResolution(resolution).build();

		String answer = ChatClient.builder(OpenAiTestModels.chatModel(this.server))
			.defaultAdvisors(usage)
			.build()
			.prompt()
			.user("Capital of France?")
			.call()
			.content();

		assertThat(answer).isEqualTo("Paris.");
		assertThat(single().scope()).isEqualTo(CallScope.NONE);
		assertThat(resolution.failures()).isEqualTo(1);
	}

	@Test
	void whenCapturedThenTheResolverRunsOncePerCall() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 2));
		AtomicInteger resolutions = new AtomicInteger();
		ScopeResolution resolution = new ScopeResolution((request) -> {
			resolutions.incrementAndGet();
			return THREAD_BOUND.resolve(request);
		});

		clientWithChatMemory(resolution).prompt().user("Capital of France?").call().content();

		assertThat(resolutions).hasValue(1);
	}

	@Test
	void whenOrderedThenTheCaptureRunsBeforeChatMemoryAndEveryOtherResourceAdvisor() {
		ScopeCaptureAdvisor capture = new ScopeCaptureAdvisor(new ScopeResolution(THREAD_BOUND));

		assertThat(capture.getOrder()).isEqualTo(ResourceAdvisorOrder.SCOPE_CAPTURE)
			.isLessThan(Advisor.DEFAULT_CHAT_MEMORY_PRECEDENCE_ORDER)
			.isLessThan(ResourceAdvisorOrder.MEMORY_GUARD);
	}

	/**
	 * A client as the starter builds it: chat memory, the scope capture advisor and the
	 * usage advisor, with one resolution shared by both.
	 */
	private ChatClient clientWithChatMemory(ScopeResolution resolution) {
		ResourceAdvisors advisors = new ResourceAdvisors(
				List.of(UsageAdvisor.builder(this.recorder).scopeResolution(resolution).build(),
						new ScopeCaptureAdvisor(resolution)));
		return TestChatMemory.addTo(advisors.applyTo(ChatClient.builder(OpenAiTestModels.chatModel(this.server))))
			.build();
	}

	private static ScopeResolver failing(RuntimeException failure) {
		return (request) -> {
			throw failure;
		};
	}

	private static long warningsIn(CapturedOutput output) {
		return output.getAll().lines().filter((line) -> line.contains("ScopeResolver failed")).count();
	}

	private Recorded single() {
		assertThat(this.recorded).hasSize(1);
		return this.recorded.get(0);
	}

	private record Recorded(UsageRecord record, CallScope scope) {
	}

}
