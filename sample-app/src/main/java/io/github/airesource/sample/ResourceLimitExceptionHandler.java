package io.github.airesource.sample;

import java.time.Duration;

import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.redis.StoreUnavailableException;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a call refused by a resource limit with 429 Too Many Requests (503 Service
 * Unavailable when the limit's store could not be reached), as an RFC 9457 problem detail
 * naming the limit and its scope, and with {@code Retry-After} when the limit knows when
 * capacity returns.
 */
@RestControllerAdvice
public class ResourceLimitExceptionHandler {

	@ExceptionHandler(ResourceLimitException.class)
	ResponseEntity<ProblemDetail> handleResourceLimit(ResourceLimitException ex) {
		ResponseEntity.BodyBuilder response = ResponseEntity.status(statusOf(ex));
		ex.retryAfter().ifPresent((wait) -> response.header(HttpHeaders.RETRY_AFTER, retryAfterSeconds(wait)));
		return response.body(problemOf(ex));
	}

	/**
	 * Describe a refused call as a problem detail.
	 * @param ex the refusal
	 * @return the problem detail
	 */
	static ProblemDetail problemOf(ResourceLimitException ex) {
		HttpStatus status = statusOf(ex);
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, ex.getMessage());
		problem.setTitle(
				(status == HttpStatus.SERVICE_UNAVAILABLE) ? "Resource limit unavailable" : "Resource limit reached");
		problem.setProperty("limit", ex.limitName());
		problem.setProperty("scope", ex.scope().value());
		return problem;
	}

	private static HttpStatus statusOf(ResourceLimitException ex) {
		return (ex instanceof StoreUnavailableException) ? HttpStatus.SERVICE_UNAVAILABLE
				: HttpStatus.TOO_MANY_REQUESTS;
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
