package io.github.airesource.sample;

import java.time.Duration;
import java.util.List;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.guard.CallTimeoutException;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.guard.ToolIterationLimitException;
import io.github.airesource.core.memory.MemoryPressureException;
import io.github.airesource.core.ratelimit.RateDimension;
import io.github.airesource.core.ratelimit.RateLimitExceededException;
import io.github.airesource.core.redis.StoreUnavailableException;
import io.github.airesource.core.scope.ScopeType;
import org.junit.jupiter.api.Test;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.ResourceAccessException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a call refused by a resource limit is answered over HTTP.
 */
class ResourceLimitExceptionHandlerTests {

	private final ResourceLimitExceptionHandler handler = new ResourceLimitExceptionHandler();

	@Test
	void whenALimitRefusesACallThenTheAnswerIs429WithAProblemDetailNamingTheLimit() {
		ResponseEntity<ProblemDetail> response = this.handler.handleResourceLimit(new ResourceLimitException(
				"Daily budget of user alice is used up", "per-user-daily", ScopeType.USER, Duration.ofMillis(2500)));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(response.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
		ProblemDetail problem = response.getBody();
		assertThat(problem.getStatus()).isEqualTo(429);
		assertThat(problem.getTitle()).isEqualTo("Resource limit reached");
		assertThat(problem.getDetail()).isEqualTo("Daily budget of user alice is used up");
		assertThat(problem.getProperties()).containsEntry("limit", "per-user-daily").containsEntry("scope", "user");
	}

	@Test
	void whenTheLimitDoesNotKnowWhenCapacityReturnsThenThereIsNoRetryAfter() {
		ResponseEntity<ProblemDetail> response = this.handler
			.handleResourceLimit(new ResourceLimitException("Too many calls", "global-rpm", ScopeType.GLOBAL, null));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(response.getHeaders().containsKey(HttpHeaders.RETRY_AFTER)).isFalse();
		assertThat(response.getBody().getProperties()).containsEntry("scope", "global");
	}

	@Test
	void whenTheLimitsStoreIsUnreachableThenTheAnswerIs503() {
		ResponseEntity<ProblemDetail> response = this.handler
			.handleResourceLimit(new StoreUnavailableException("The budget store did not answer", "per-user-daily",
					ScopeType.USER, null, new IllegalStateException("Redis down")));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(response.getBody().getStatus()).isEqualTo(503);
		assertThat(response.getBody().getTitle()).isEqualTo("Resource limit unavailable");
	}

	@Test
	void whenThePromptIsTooLargeThenTheAnswerIs413WithoutRetryAfter() {
		ResponseEntity<ProblemDetail> response = this.handler
			.handleResourceLimit(new PromptTooLargeException(5000, 2000));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.PAYLOAD_TOO_LARGE);
		assertThat(response.getHeaders().containsKey(HttpHeaders.RETRY_AFTER)).isFalse();
		assertThat(response.getBody().getTitle()).isEqualTo("Prompt too large");
		assertThat(response.getBody().getProperties()).containsEntry("limit", "max-prompt-tokens");
	}

	@Test
	void whenAConcurrencyOrRateLimitRefusesThenTheAnswerIs429() {
		ResponseEntity<ProblemDetail> rate = this.handler.handleResourceLimit(new RateLimitExceededException(
				"No capacity", "user-rpm", ScopeType.USER, "alice", RateDimension.REQUESTS, Duration.ofSeconds(12)));

		assertThat(rate.getStatusCode()).isEqualTo(HttpStatus.TOO_MANY_REQUESTS);
		assertThat(rate.getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("12");
	}

	@Test
	void whenTheCallTimesOutThenTheAnswerIs504AndARunawayToolLoopIs502() {
		ResponseEntity<ProblemDetail> timeout = this.handler
			.handleTimeout(new CallTimeoutException(Duration.ofSeconds(60)));
		ResponseEntity<ProblemDetail> tools = this.handler.handleToolLoop(new ToolIterationLimitException(5));

		assertThat(timeout.getStatusCode()).isEqualTo(HttpStatus.GATEWAY_TIMEOUT);
		assertThat(timeout.getBody().getTitle()).isEqualTo("Model call timed out");
		assertThat(tools.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
		assertThat(tools.getBody().getTitle()).isEqualTo("Model kept calling tools");
	}

	@Test
	void whenTheHeapIsUnderPressureThenTheAnswerIs503() {
		ResponseEntity<ProblemDetail> response = this.handler
			.handleResourceLimit(new MemoryPressureException(0.95, 0.90));

		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(response.getBody().getTitle()).isEqualTo("Resource limit unavailable");
		assertThat(response.getBody().getDetail()).contains("ai.resource.memory.max-heap-usage");
	}

	@Test
	void whenTheModelProviderFailsThenTheAnswerIs502WithoutTheProvidersMessage() {
		for (RuntimeException failure : List.of(new NonTransientAiException("HTTP 401 - Incorrect API key sk-abc"),
				new TransientAiException("HTTP 503 - Overloaded, sk-abc"),
				new ResourceAccessException("I/O error: Connection reset, sk-abc"))) {
			ResponseEntity<ProblemDetail> response = this.handler.handleProviderFailure(failure);

			assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
			assertThat(response.getBody().getTitle()).isEqualTo("Model provider failed");
			assertThat(response.getBody().getDetail()).doesNotContain("sk-abc");
		}
	}

}
