package io.github.airesource.sample;

import java.time.Duration;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.guard.CallTimeoutException;
import io.github.airesource.core.guard.PromptTooLargeException;
import io.github.airesource.core.guard.ToolIterationLimitException;
import io.github.airesource.core.memory.MemoryPressureException;
import io.github.airesource.core.redis.StoreUnavailableException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.ai.retry.NonTransientAiException;
import org.springframework.ai.retry.TransientAiException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.client.RestClientException;
import org.springframework.web.reactive.function.client.WebClientException;

/**
 * Answers a call refused by a resource limit with 429 Too Many Requests (503 Service
 * Unavailable when the limit's store could not be reached or the heap is under pressure,
 * 413 Content Too Large for a prompt over the guard's size), as an RFC 9457 problem
 * detail naming the limit and its scope, and with {@code Retry-After} when the limit
 * knows when capacity returns. A call that ran out of time is a 504 Gateway Timeout, a
 * model that kept asking for tools a 502 Bad Gateway, and so is a model provider that
 * failed (an HTTP error, an answer that is not a chat completion, a connection that
 * broke): its error is logged, never repeated to the caller, since a provider's message
 * can quote the request or a part of the API key.
 */
@RestControllerAdvice
public class ResourceLimitExceptionHandler {

	private static final Log logger = LogFactory.getLog(ResourceLimitExceptionHandler.class);

	@ExceptionHandler(ResourceLimitException.class)
	ResponseEntity<ProblemDetail> handleResourceLimit(ResourceLimitException ex) {
		ResponseEntity.BodyBuilder response = ResponseEntity.status(statusOf(ex));
		ex.retryAfter().ifPresent((wait) -> response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds(wait)));
		return response.body(problemOf(ex));
	}

	@ExceptionHandler(CallTimeoutException.class)
	ResponseEntity<ProblemDetail> handleTimeout(CallTimeoutException ex) {
		return ResponseEntity.status(HttpStatus.GATEWAY_TIMEOUT).body(problemOf(ex));
	}

	@ExceptionHandler(ToolIterationLimitException.class)
	ResponseEntity<ProblemDetail> handleToolLoop(ToolIterationLimitException ex) {
		return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(problemOf(ex));
	}

	@ExceptionHandler({ NonTransientAiException.class, TransientAiException.class, RestClientException.class,
			WebClientException.class })
	ResponseEntity<ProblemDetail> handleProviderFailure(RuntimeException ex) {
		return ResponseEntity.status(HttpStatus.BAD_GATEWAY).body(problemOf(ex));
	}

	/**
	 * Whether an exception says that the model provider failed: it answered an HTTP error
	 * or something that is not a chat completion, or the connection broke.
	 * @param ex the exception
	 * @return whether it is the provider's failure
	 */
	static boolean isProviderFailure(Throwable ex) {
		return ex instanceof NonTransientAiException || ex instanceof TransientAiException
				|| ex instanceof RestClientException || ex instanceof WebClientException;
	}

	/**
	 * Describe a call the model did not finish as a problem detail.
	 * @param ex the timeout, the runaway tool loop or the provider's failure
	 * @return the problem detail
	 */
	static ProblemDetail problemOf(RuntimeException ex) {
		if (ex instanceof ResourceLimitException limit) {
			return problemOf(limit);
		}
		if (isProviderFailure(ex)) {
			logger.warn("The model provider failed", ex);
			ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY,
					"The model provider could not answer; the error is in the application's log.");
			problem.setTitle("Model provider failed");
			return problem;
		}
		boolean timeout = ex instanceof CallTimeoutException;
		ProblemDetail problem = ProblemDetail
			.forStatusAndDetail(timeout ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY, ex.getMessage());
		problem.setTitle(timeout ? "Model call timed out" : "Model kept calling tools");
		return problem;
	}

	/**
	 * Describe a refused call as a problem detail.
	 * @param ex the refusal
	 * @return the problem detail
	 */
	static ProblemDetail problemOf(ResourceLimitException ex) {
		HttpStatus status = statusOf(ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
		problem.setTitle(switch (status) {
			case SERVICE_UNAVAILABLE -> "Resource limit unavailable";
			case PAYLOAD_TOO_LARGE -> "Prompt too large";
			default -> "Resource limit reached";
		});
		problem.setProperty("limit", ex.limitName());
		problem.setProperty("scope", ex.scope().value());
		return problem;
	}

	private static HttpStatus statusOf(ResourceLimitException ex) {
		if (ex instanceof StoreUnavailableException || ex instanceof MemoryPressureException) {
			return HttpStatus.SERVICE_UNAVAILABLE;
		}
		return (ex instanceof PromptTooLargeException) ? HttpStatus.PAYLOAD_TOO_LARGE : HttpStatus.TOO_MANY_REQUESTS;
	}

	/**
	 * Whole seconds, rounded up: {@code Retry-After} has no fractions, and rounding down
	 * would invite a retry that is refused again.
	 */
	private static String retryAfterSeconds(Duration wait) {
		long seconds = wait.getSeconds() + ((wait.getNano() > 0) ? 1 : 0);
		return String.valueOf(Math.max(0, seconds));
	}

}
