package io.github.airesource.autoconfigure;

import java.util.List;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.core.scope.ScopeResolver;
import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.TestChatMemory;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Who calls are attributed to, as an application gets it from the starter: its own
 * {@link ScopeResolver} bean, Spring AI's chat memory in the chain, the real OpenAI
 * client over HTTP to a loopback server, the {@code aiusage} endpoint and the meters.
 */
class ScopeEndToEndTests {

	/** Thread-bound caller identity, as Spring Security's context holder keeps it. */
	private static final ThreadLocal<String> CURRENT_USER = new ThreadLocal<>();

	private final OpenAiWireServer server = OpenAiWireServer.start();

	private final ApplicationContextRunner runner = ResourceAutoConfigurations.withOpenAi(this.server.baseUrl());

	@AfterEach
	void cleanUp() {
		CURRENT_USER.remove();
		this.server.close();
	}

	@Test
	void whenStreamPassesThroughChatMemoryThenTheApplicationsResolverSeesTheCallersThread() {
		this.server.stream(OpenAiCompletion.text("Par", "is.").usage(20, 2));

		this.runner.withUserConfiguration(ThreadBoundResolver.class).run((context) -> {
			CURRENT_USER.set("alice");

			List<String> content = TestChatMemory.streamContent(clientWithChatMemory(context), "Capital of France?");

			assertThat(content).containsExactly("Par", "is.");
			UsageDescriptor report = context.getBean(UsageEndpoint.class).usage(null);
			assertThat(report.scopes().get("user").top()).extracting(UsageDescriptor.ScopeDescriptor::id)
				.containsExactly("alice");
			assertThat(report.scopes().get("tenant").top()).extracting(UsageDescriptor.ScopeDescriptor::id)
				.containsExactly("acme");
		});
	}

	@Test
	void whenResolverThrowsThenTheCallSucceedsAsAnonymousAndTheFailureMeterCountsIt() {
		this.server.reply(OpenAiCompletion.text("Paris.").usage(20, 2));

		this.runner.withUserConfiguration(FailingResolver.class).run((context) -> {
			String answer = clientWithChatMemory(context).prompt()
				.user("Capital of France?")
				.advisors((a) -> a.param(ResourceContextKeys.USER, "alice"))
				.call()
				.content();

			assertThat(answer).isEqualTo("Paris.");
			UsageEndpoint endpoint = context.getBean(UsageEndpoint.class);
			assertThat(endpoint.scope("user", CallScope.ANONYMOUS).total().calls()).isEqualTo(1);
			FunctionCounter failures = context.getBean(MeterRegistry.class)
				.get("ai.resource.scope.failures")
				.functionCounter();
			assertThat(failures.count()).isEqualTo(1);
			assertThat(failures.getId().getTags()).isEmpty();
		});
	}

	private static ChatClient clientWithChatMemory(ApplicationContext context) {
		return TestChatMemory.addTo(context.getBean(ChatClient.Builder.class)).build();
	}

	@Configuration(proxyBeanMethods = false)
	static class ThreadBoundResolver {

		@Bean
		ScopeResolver threadBoundScopeResolver() {
			return (request) -> CallScope.of("acme", CURRENT_USER.get(),
					request.context().get(ResourceContextKeys.CONVERSATION));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class FailingResolver {

		@Bean
		ScopeResolver failingScopeResolver() {
			return (request) -> {
				throw new IllegalStateException("No authentication in the security context");
			};
		}

	}

}
