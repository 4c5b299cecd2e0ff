package io.github.airesource.benchmarks.gateway.front;

import java.time.Clock;
import java.util.Map;
import java.util.function.Consumer;

import io.github.airesource.benchmarks.gateway.front.ChatCompletionsWire.ChatCompletion;
import io.github.airesource.benchmarks.gateway.front.ChatCompletionsWire.ChatCompletionRequest;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's {@code POST /v1/chat/completions} in front of a {@link ChatClient} built from
 * the auto-configured builder, so that every advisor the starter enables sees the call.
 * The request's {@code user} is the starter's user, the {@value #TENANT_HEADER} header
 * its tenant. A call a limit refuses is a 429 in OpenAI's error format, with
 * {@code Retry-After} when the limit says when to retry.
 */
@RestController
public class ChatCompletionsController {

	/** The header that names the caller's tenant. */
	public static final String TENANT_HEADER = "X-Tenant";

	private final ChatClient chatClient;

	private final Clock clock;

	public ChatCompletionsController(ChatClient.Builder chatClientBuilder) {
		this.chatClient = chatClientBuilder.build();
		this.clock = Clock.systemUTC();
	}

	/**
	 * Answer a chat completion request.
	 * @param request the request
	 * @param tenant the caller's tenant, or {@code null}
	 * @return the completion
	 */
	@PostMapping(path = "/v1/chat/completions", produces = MediaType.APPLICATION_JSON_VALUE)
	public ChatCompletion complete(@RequestBody ChatCompletionRequest request,
			@RequestHeader(name = TENANT_HEADER, required = false) @Nullable String tenant) {
		if (Boolean.TRUE.equals(request.stream())) {
			throw new IllegalArgumentException("This front answers with JSON only; send stream: false");
		}
		ChatClientResponse response = this.chatClient.prompt()
			.messages(ChatCompletionsWire.messagesOf(request))
			.options(ChatCompletionsWire.optionsOf(request))
			.advisors(identity(request.user(), tenant))
			.call()
			.chatClientResponse();
		if (response.chatResponse() == null) {
			throw new IllegalStateException("The chat client returned no response");
		}
		return ChatCompletionsWire.completionOf(response.chatResponse(), request.model(), this.clock.millis() / 1000);
	}

	/**
	 * Absent values are left out, as advisor parameters take no nulls; the starter then
	 * counts the call under its anonymous user or tenant.
	 */
	private static Consumer<ChatClient.AdvisorSpec> identity(@Nullable String user, @Nullable String tenant) {
		return (advisors) -> {
			if (StringUtils.hasText(user)) {
				advisors.param(ResourceContextKeys.USER, user);
			}
			if (StringUtils.hasText(tenant)) {
				advisors.param(ResourceContextKeys.TENANT, tenant);
			}
		};
	}

	@ExceptionHandler
	ResponseEntity<Map<String, Object>> refused(ResourceLimitException ex) {
		ResponseEntity.BodyBuilder response = ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS);
		ex.retryAfter()
			.ifPresent((wait) -> response.header(HttpHeaders.RETRY_AFTER,
					String.valueOf(Math.max(1, (wait.toMillis() + 999) / 1000))));
		return response.body(error(ex.getMessage(), "rate_limit_exceeded"));
	}

	@ExceptionHandler
	ResponseEntity<Map<String, Object>> badRequest(IllegalArgumentException ex) {
		return ResponseEntity.badRequest().body(error(ex.getMessage(), "invalid_request_error"));
	}

	private static Map<String, Object> error(@Nullable String message, String type) {
		return Map.of("error", Map.of("message", String.valueOf(message), "type", type));
	}

}
