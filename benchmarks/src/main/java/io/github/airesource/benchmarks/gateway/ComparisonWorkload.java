package io.github.airesource.benchmarks.gateway;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.airesource.benchmarks.BenchmarkTexts;

/**
 * The requests of the gateway comparison: single-turn chat completions of about 1.5 KB (a
 * system message and a question, about 300 tokens), temperature 0, at most 64 output
 * tokens, from 16 users of 4 tenants; so the starter's response cache and its semantic
 * cache (which takes single-turn prompts of up to 500 tokens) look every request up.
 * Request {@code n} is the same for every path; its question starts with {@code n}, so no
 * two requests are alike and every cache lookup misses.
 */
final class ComparisonWorkload {

	static final int USERS = 16;

	static final int TENANTS = 4;

	private static final ObjectMapper JSON = new ObjectMapper();

	private static final String SYSTEM = BenchmarkTexts.text(300, 1);

	private ComparisonWorkload() {
	}

	/**
	 * Return request {@code n}'s JSON body.
	 * @param n the request's number
	 * @return the body
	 */
	static String body(int n) {
		List<Map<String, String>> messages = List.of(Map.of("role", "system", "content", SYSTEM),
				Map.of("role", "user", "content", "Question " + n + ": " + BenchmarkTexts.text(1200, n)));
		try {
			return JSON.writeValueAsString(Map.of("model", "gpt-4o-mini", "temperature", 0, "max_tokens", 64, "user",
					user(n), "messages", messages));
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Return request {@code n}'s user.
	 * @param n the request's number
	 * @return the user id
	 */
	static String user(int n) {
		return "user-" + Math.floorMod(n, USERS);
	}

	/**
	 * Return request {@code n}'s tenant, a function of its user.
	 * @param n the request's number
	 * @return the tenant id
	 */
	static String tenant(int n) {
		return "tenant-" + (Math.floorMod(n, USERS) % TENANTS);
	}

}
