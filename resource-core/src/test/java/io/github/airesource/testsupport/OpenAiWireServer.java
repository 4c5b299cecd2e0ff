package io.github.airesource.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import okhttp3.Headers;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;

/**
 * A loopback HTTP server that speaks OpenAI's chat-completions wire format, for driving
 * the real {@code spring-ai-openai} client in tests: JSON answers, server-sent-event
 * streams (with the trailing {@code include_usage} chunk), cached and reasoning token
 * details, tool calls, errors such as 500 and 429 with {@code Retry-After}, and slow or
 * stalled streams. Answers are served in the order they were scripted.
 */
public final class OpenAiWireServer implements AutoCloseable {

	private static final ObjectMapper JSON = new ObjectMapper();

	private final MockWebServer server = new MockWebServer();

	private int ids;

	private final AtomicInteger inProgress = new AtomicInteger();

	private final AtomicInteger mostInProgress = new AtomicInteger();

	private OpenAiWireServer() {
	}

	/**
	 * Start a server on a free loopback port.
	 * @return the running server
	 */
	public static OpenAiWireServer start() {
		OpenAiWireServer wire = new OpenAiWireServer();
		try {
			wire.server.start(InetAddress.getLoopbackAddress(), 0);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not start the OpenAI wire server", ex);
		}
		return wire;
	}

	/**
	 * Return the base URL to configure as {@code spring.ai.openai.base-url}.
	 * @return the URL without a trailing slash
	 */
	public String baseUrl() {
		String url = this.server.url("/").toString();
		return url.substring(0, url.length() - 1);
	}

	/**
	 * Answer the next request with a JSON chat completion.
	 * @param completion the answer
	 * @return this server
	 */
	public OpenAiWireServer reply(OpenAiCompletion completion) {
		this.server.enqueue(response(completion, false));
		return this;
	}

	/**
	 * Answer the next request with a JSON chat completion after a pause, as a slow model.
	 * @param completion the answer
	 * @param delay how long to wait before sending the response
	 * @return this server
	 */
	public OpenAiWireServer replySlowly(OpenAiCompletion completion, Duration delay) {
		return reply(completion.delay(delay));
	}

	/**
	 * The response to a request for a completion: the error it scripts, or the answer as
	 * JSON or as a stream, held back by its delay.
	 */
	private MockResponse response(OpenAiCompletion completion, boolean stream) {
		MockResponse response;
		if (completion.status != 200) {
			response = errorResponse(completion.status, completion.errorMessage);
			if (completion.retryAfter != null) {
				response.setHeader("Retry-After", String.valueOf(completion.retryAfter.toSeconds()))
					.setHeader("x-ratelimit-remaining-requests", "0");
			}
		}
		else {
			synchronized (this) {
				response = stream ? streamResponse(completion) : completionResponse(completion);
			}
		}
		if (!completion.delay.isZero()) {
			response.setHeadersDelay(completion.delay.toMillis(), TimeUnit.MILLISECONDS);
		}
		return response;
	}

	private MockResponse completionResponse(OpenAiCompletion completion) {
		Map<String, Object> message = new LinkedHashMap<>();
		message.put("role", "assistant");
		message.put("content", completion.toolCalls.isEmpty() ? completion.text() : null);
		if (!completion.toolCalls.isEmpty()) {
			message.put("tool_calls",
					completion.toolCalls.stream()
						.map((call) -> Map.of("id", call.id(), "type", "function", "function",
								Map.of("name", call.name(), "arguments", call.arguments())))
						.toList());
		}
		Map<String, Object> body = envelope("chat.completion", completion.model, id(completion));
		body.put("choices", List.of(Map.of("index", 0, "message", message, "finish_reason",
				completion.finishReasonOr(completion.toolCalls.isEmpty() ? "stop" : "tool_calls"))));
		body.put("usage", completion.usageJson());
		return new MockResponse().setHeader("Content-Type", "application/json").setBody(json(body));
	}

	/**
	 * Answer the next request with a JSON chat completion and extra response headers,
	 * such as the provider's {@code x-ratelimit-*} headers.
	 * @param completion the answer
	 * @param headers the headers to add
	 * @return this server
	 */
	public OpenAiWireServer replyWithHeaders(OpenAiCompletion completion, Map<String, String> headers) {
		MockResponse response = response(completion, false);
		headers.forEach(response::setHeader);
		this.server.enqueue(response);
		return this;
	}

	/**
	 * Answer the next request with a stream of chunks, the way OpenAI streams: a role
	 * chunk, the text chunks, a finish chunk, then (when usage is reported) a chunk
	 * without choices that carries the usage, then {@code [DONE]}.
	 * @param completion the answer
	 * @return this server
	 */
	public OpenAiWireServer stream(OpenAiCompletion completion) {
		this.server.enqueue(response(completion, true));
		return this;
	}

	/**
	 * Answer every request, from now on and in any order, with the same completion: as
	 * JSON or as a stream, as each request asks. For concurrency tests, where the order
	 * in which requests arrive is not known.
	 * @param completion the answer
	 * @return this server
	 */
	public OpenAiWireServer answerEveryRequest(OpenAiCompletion completion) {
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				boolean stream;
				try {
					stream = JSON.readTree(request.getBody().clone().readUtf8()).path("stream").asBoolean();
				}
				catch (IOException ex) {
					return new MockResponse().setResponseCode(400);
				}
				return response(completion, stream);
			}
		});
		return this;
	}

	/**
	 * Answer every request, from now on and in any order, with the completion the
	 * function picks for the request's JSON body: as JSON or as a stream, as each request
	 * asks, or the error the completion scripts. The function is called on the server's
	 * threads, several at once.
	 * @param answers picks the answer of a request
	 * @return this server
	 */
	public OpenAiWireServer answerEveryRequest(Function<JsonNode, OpenAiCompletion> answers) {
		return answerEveryRequest((body, headers) -> answers.apply(body));
	}

	/**
	 * Answer every request, from now on and in any order, with the completion the
	 * function picks for the request's JSON body and HTTP headers (such as headers a test
	 * sent with {@code OpenAiChatOptions.httpHeaders} to tell its calls apart): as JSON
	 * or as a stream, as each request asks, or the error the completion scripts. The
	 * function is called on the server's threads, several at once.
	 * @param answers picks the answer of a request
	 * @return this server
	 */
	public OpenAiWireServer answerEveryRequest(BiFunction<JsonNode, Headers, OpenAiCompletion> answers) {
		return answerEveryRequestWhenOpen(answers, new CountDownLatch(0));
	}

	/**
	 * Answer every request, from now on and in any order, with the same completion, but
	 * hold each one until the gate opens: a model as slow as the test wants, whose
	 * concurrent requests {@link #requestsInProgress()} counts.
	 * @param completion the answer
	 * @param gate opened (counted down) by the test to let the answers go
	 * @return this server
	 */
	public OpenAiWireServer answerEveryRequestWhenOpen(OpenAiCompletion completion, CountDownLatch gate) {
		return answerEveryRequestWhenOpen((body, headers) -> completion, gate);
	}

	private OpenAiWireServer answerEveryRequestWhenOpen(BiFunction<JsonNode, Headers, OpenAiCompletion> answers,
			CountDownLatch gate) {
		this.server.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
				JsonNode body;
				try {
					body = JSON.readTree(request.getBody().clone().readUtf8());
				}
				catch (IOException ex) {
					return new MockResponse().setResponseCode(400);
				}
				int now = OpenAiWireServer.this.inProgress.incrementAndGet();
				OpenAiWireServer.this.mostInProgress.accumulateAndGet(now, Math::max);
				try {
					if (!gate.await(60, TimeUnit.SECONDS)) {
						return new MockResponse().setResponseCode(504);
					}
				}
				finally {
					OpenAiWireServer.this.inProgress.decrementAndGet();
				}
				return response(answers.apply(body, request.getHeaders()), body.path("stream").asBoolean());
			}
		});
		return this;
	}

	/**
	 * Return how many requests the server holds now (received, not yet answered), when it
	 * answers with {@link #answerEveryRequestWhenOpen}.
	 * @return the count
	 */
	public int requestsInProgress() {
		return this.inProgress.get();
	}

	/**
	 * Return the most requests the server held at once, when it answers with
	 * {@link #answerEveryRequestWhenOpen}.
	 * @return the count
	 */
	public int mostRequestsInProgress() {
		return this.mostInProgress.get();
	}

	private MockResponse streamResponse(OpenAiCompletion completion) {
		List<String> events = new ArrayList<>();
		String model = completion.model;
		String id = id(completion);
		events.add(chunk(model, id, Map.of("role", "assistant", "content", ""), null));
		for (String text : completion.chunks) {
			events.add(chunk(model, id, Map.of("content", text), null));
		}
		for (int i = 0; i < completion.toolCalls.size(); i++) {
			OpenAiCompletion.ToolCall call = completion.toolCalls.get(i);
			events.add(chunk(model, id, Map.of("tool_calls", List.of(Map.of("index", i, "id", call.id(), "type",
					"function", "function", Map.of("name", call.name(), "arguments", call.arguments())))), null));
		}
		events.add(chunk(model, id, Map.of(),
				completion.finishReasonOr(completion.toolCalls.isEmpty() ? "stop" : "tool_calls")));
		if (completion.usageInStream && completion.usageJson() != null) {
			Map<String, Object> usageChunk = envelope("chat.completion.chunk", model, id);
			usageChunk.put("choices", List.of());
			usageChunk.put("usage", completion.usageJson());
			events.add(json(usageChunk));
		}
		events.add("[DONE]");
		if (completion.stallAfterChunks >= 0) {
			events = events.subList(0, Math.min(events.size(), completion.stallAfterChunks + 1));
		}
		StringBuilder body = new StringBuilder();
		events.forEach((event) -> body.append("data: ").append(event).append("\n\n"));
		MockResponse response = new MockResponse().setHeader("Content-Type", "text/event-stream")
			.setBody(body.toString());
		if (completion.stallAfterChunks >= 0) {
			// Promise more bytes than are sent and keep the socket open: the client reads
			// the
			// events that arrived and then waits, as for a slow model, until it cancels.
			int length = body.toString().getBytes(StandardCharsets.UTF_8).length;
			response.setHeader("Content-Length", String.valueOf(length + 1_000_000))
				.setSocketPolicy(
						completion.disconnectAfterStall ? SocketPolicy.DISCONNECT_AT_END : SocketPolicy.KEEP_OPEN);
		}
		else if (!completion.chunkDelay.isZero()) {
			int perEvent = Math.max(1, body.length() / events.size());
			response.throttleBody(perEvent, completion.chunkDelay.toMillis(), TimeUnit.MILLISECONDS);
		}
		return response;
	}

	/**
	 * Answer the next request with an HTTP error in OpenAI's error format.
	 * @param status the HTTP status
	 * @param message the error message
	 * @return this server
	 */
	public OpenAiWireServer fail(int status, String message) {
		return reply(OpenAiCompletion.error(status, message));
	}

	private static MockResponse errorResponse(int status, String message) {
		return new MockResponse().setResponseCode(status)
			.setHeader("Content-Type", "application/json")
			.setBody(json(Map.of("error",
					Map.of("message", message, "type", (status == 429) ? "requests" : "server_error"))));
	}

	/**
	 * Answer the next request with exactly this status, content type and body, for
	 * answers a provider should never give: a body that is not JSON, JSON without
	 * {@code choices} or {@code usage}, an HTML error page of a proxy.
	 * @param status the HTTP status
	 * @param contentType the {@code Content-Type} header
	 * @param body the body, sent as it is
	 * @return this server
	 */
	public OpenAiWireServer replyRaw(int status, String contentType, String body) {
		this.server
			.enqueue(new MockResponse().setResponseCode(status).setHeader("Content-Type", contentType).setBody(body));
		return this;
	}

	/**
	 * Answer the next request with a stream of server-sent events whose data are sent as
	 * they are, one event each: valid chunks, garbage, or no {@code [DONE]} at all.
	 * @param data the data of each event, in order
	 * @return this server
	 */
	public OpenAiWireServer streamRaw(String... data) {
		StringBuilder body = new StringBuilder();
		for (String event : data) {
			body.append("data: ").append(event).append("\n\n");
		}
		this.server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream").setBody(body.toString()));
		return this;
	}

	/**
	 * Answer the next request with the start of a stream and drop the connection after
	 * these bytes, as a provider or proxy failing in the middle of an event does.
	 * @param body the bytes sent before the connection drops, such as one whole event and
	 * half of the next
	 * @return this server
	 */
	public OpenAiWireServer streamCutAfter(String body) {
		int length = body.getBytes(StandardCharsets.UTF_8).length;
		this.server.enqueue(new MockResponse().setHeader("Content-Type", "text/event-stream")
			.setHeader("Content-Length", String.valueOf(length + 1_000_000))
			.setBody(body)
			.setSocketPolicy(SocketPolicy.DISCONNECT_AT_END));
		return this;
	}

	/**
	 * Return the data of one stream chunk as OpenAI writes it, carrying text.
	 * @param model the model the chunk names
	 * @param text the text
	 * @return the chunk's JSON
	 */
	public String textChunk(String model, String text) {
		return chunk(model, "chatcmpl-chunk", Map.of("content", text), null);
	}

	/**
	 * Answer the next request with 429 Too Many Requests and a {@code Retry-After}
	 * header.
	 * @param retryAfter the wait the provider asks for
	 * @return this server
	 */
	public OpenAiWireServer rateLimited(Duration retryAfter) {
		return reply(OpenAiCompletion.rateLimited(retryAfter));
	}

	/**
	 * Return the next request the server received, as JSON.
	 * @return the request body
	 */
	public JsonNode takeRequest() {
		try {
			RecordedRequest request = this.server.takeRequest(10, TimeUnit.SECONDS);
			if (request == null) {
				throw new AssertionError("No request reached the OpenAI wire server within 10 seconds");
			}
			return JSON.readTree(request.getBody().readUtf8());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Return how many requests the server received.
	 * @return the count
	 */
	public int requestCount() {
		return this.server.getRequestCount();
	}

	@Override
	public void close() {
		try {
			this.server.shutdown();
		}
		catch (IOException ex) {
			// the port is released either way
		}
	}

	private String chunk(String model, String id, Map<String, Object> delta, String finishReason) {
		Map<String, Object> choice = new LinkedHashMap<>();
		choice.put("index", 0);
		choice.put("delta", delta);
		choice.put("finish_reason", finishReason);
		Map<String, Object> body = envelope("chat.completion.chunk", model, id);
		body.put("choices", List.of(choice));
		body.put("usage", null);
		return json(body);
	}

	/** The completion's own id, or the next generated one; called holding the lock. */
	private String id(OpenAiCompletion completion) {
		return (completion.id != null) ? completion.id : "chatcmpl-" + (++this.ids);
	}

	private static Map<String, Object> envelope(String object, String model, String id) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", id);
		body.put("object", object);
		body.put("created", 1_700_000_000L);
		body.put("model", model);
		body.put("system_fingerprint", "fp_test");
		return body;
	}

	private static String json(Object value) {
		try {
			return JSON.writeValueAsString(value);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
