package io.github.airesource.autoconfigure.ratelimit;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.airesource.core.ratelimit.ProviderHolds;

import org.springframework.http.HttpHeaders;
import org.springframework.lang.Nullable;

/**
 * Reads a model provider's rate-limit answer from raw HTTP response headers: a 429 with
 * {@code Retry-After} (seconds or an HTTP date) or {@code retry-after-ms}, and OpenAI's
 * {@code x-ratelimit-remaining-requests/tokens} of 0 with
 * {@code x-ratelimit-reset-requests/tokens} (durations such as {@code 1s}, {@code 6m0s},
 * {@code 120ms}). Spring AI's error handler turns a 429 into an exception without its
 * headers, so this is the only place the {@code Retry-After} of a blocking call can be
 * seen.
 */
final class ProviderResponses {

	private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

	/** Used when a 429 says nothing of when to retry: one second, as OpenAI's SDKs. */
	static final Duration DEFAULT_429_HOLD = Duration.ofSeconds(1);

	private ProviderResponses() {
	}

	static void observe(ProviderHolds holds, int status, HttpHeaders headers, String model) {
		if (status == 429) {
			Duration retryAfter = retryAfter(headers, holds.clock().instant());
			Duration reset = exhaustedReset(headers);
			Duration hold = (retryAfter != null) ? retryAfter : (reset != null) ? reset : DEFAULT_429_HOLD;
			holds.hold(model, hold, "429 Too Many Requests, retry after " + hold);
			return;
		}
		Duration reset = exhaustedReset(headers);
		if (reset != null) {
			holds.hold(model, reset, "x-ratelimit-remaining: 0, reset in " + reset);
		}
	}

	@Nullable
	static Duration retryAfter(HttpHeaders headers, Instant now) {
		String millis = headers.getFirst("retry-after-ms");
		if (millis != null) {
			try {
				return Duration.ofMillis((long) Double.parseDouble(millis.trim()));
			}
			catch (NumberFormatException ex) {
				// fall through to Retry-After
			}
		}
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Duration.ofMillis((long) (Double.parseDouble(value.trim()) * 1000));
		}
		catch (NumberFormatException ex) {
			try {
				Instant at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
				return Duration.between(now, at);
			}
			catch (DateTimeParseException notADate) {
				return null;
			}
		}
	}

	/**
	 * Return the latest reset among the limits the headers say are used up.
	 */
	@Nullable
	static Duration exhaustedReset(HttpHeaders headers) {
		Duration requests = resetIfExhausted(headers, "requests");
		Duration tokens = resetIfExhausted(headers, "tokens");
		if (requests == null) {
			return tokens;
		}
		return (tokens != null && tokens.compareTo(requests) > 0) ? tokens : requests;
	}

	@Nullable
	private static Duration resetIfExhausted(HttpHeaders headers, String dimension) {
		String remaining = headers.getFirst("x-ratelimit-remaining-" + dimension);
		if (remaining == null || !remaining.trim().equals("0")) {
			return null;
		}
		String reset = headers.getFirst("x-ratelimit-reset-" + dimension);
		return (reset != null) ? duration(reset) : null;
	}

	@Nullable
	static Duration duration(String text) {
		Matcher matcher = DURATION_PART.matcher(text.trim());
		double millis = 0;
		boolean found = false;
		while (matcher.find()) {
			found = true;
			double amount = Double.parseDouble(matcher.group(1));
			millis += switch (matcher.group(2)) {
				case "ms" -> amount;
				case "s" -> amount * 1_000;
				case "m" -> amount * 60_000;
				case "h" -> amount * 3_600_000;
				default -> amount * 86_400_000;
			};
		}
		return found ? Duration.ofMillis((long) Math.ceil(millis)) : null;
	}

}
