package io.github.airesource.sample;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.ResourceLimitException;
import io.github.airesource.core.guard.CallTimeoutException;
import io.github.airesource.core.guard.ToolIterationLimitException;
import io.github.airesource.core.usage.UsageRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.client.advisor.MessageChatMemoryAdvisor;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.model.Generation;
import org.springframework.ai.chat.prompt.ChatOptions;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * Chat over HTTP, as a JSON exchange ({@code POST /api/chat}) or as server-sent events
 * ({@code GET /api/chat/stream}). Conversations are remembered by Spring AI's chat
 * memory; the caller's user and tenant go to the starter as advisor parameters, and every
 * answer comes with the usage record the starter put in the response context.
 */
@RestController
@RequestMapping("/api/chat")
public class ChatController {

	/**
	 * The header of a stream that names its conversation, generated when none was given.
	 */
	public static final String CONVERSATION_ID_HEADER = "Conversation-Id";

	static final String SYSTEM_PROMPT = "You are a helpful assistant. Answer briefly and plainly.";

	private final ChatClient chatClient;

	public ChatController(ChatClient.Builder chatClientBuilder, ChatMemory chatMemory) {
		// The builder is the auto-configured one, so the starter's advisors are already
		// on it.
		// Temperature 0: plain answers, and the response cache keeps only requests at or
		// below its max-temperature (0.0 by default); an unset temperature means the
		// provider's default of 1.0, which is never cached.
		this.chatClient = chatClientBuilder.defaultSystem(SYSTEM_PROMPT)
			.defaultOptions(ChatOptions.builder().temperature(0.0).build())
			.defaultAdvisors(MessageChatMemoryAdvisor.builder(chatMemory).build())
			.build();
	}

	/**
	 * Answer a message.
	 * @param request the message and who sends it
	 * @return the answer with its usage and cost
	 */
	@PostMapping
	public ResponseEntity<ChatReply> chat(@RequestBody ChatRequest request) {
		String message = requireMessage(request.message());
		String conversationId = conversationIdOf(request.conversationId());
		ChatClientResponse response = this.chatClient.prompt()
			.user(message)
			.advisors(identity(conversationId, request.user(), request.tenant()))
			.advisors(priority(request.priority()))
			.call()
			.chatClientResponse();
		UsageRecord usage = usageOf(response);
		ChatReply reply = new ChatReply(textOf(response.chatResponse()), conversationId, usage,
				(usage != null) ? usage.cost() : null, cacheOf(response));
		return ResponseEntity.ok().headers(RateLimitHeaders.of(response)).body(reply);
	}

	/**
	 * Stream an answer as server-sent events: {@code token} events with the text as it
	 * arrives, then one {@code usage} event with the usage record. A resource limit that
	 * refuses the call, a timeout, a runaway tool loop or a failing model provider ends
	 * the stream with an {@code error} event holding a problem detail, since the status
	 * line has already been sent.
	 * @param message what the user says
	 * @param conversationId the conversation to continue, or {@code null} to start one
	 * @param user who is asking, or {@code null}
	 * @param tenant the user's tenant, or {@code null}
	 * @return the events, with the conversation id in the
	 * {@value #CONVERSATION_ID_HEADER} header
	 */
	@GetMapping(path = "/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	public ResponseEntity<Flux<ServerSentEvent<Object>>> stream(@RequestParam(required = false) String message,
			@RequestParam(required = false) String conversationId, @RequestParam(required = false) String user,
			@RequestParam(required = false) String tenant) {
		String text = requireMessage(message);
		String conversation = conversationIdOf(conversationId);
		Flux<ChatClientResponse> responses = this.chatClient.prompt()
			.user(text)
			.advisors(identity(conversation, user, tenant))
			.stream()
			.chatClientResponse();
		Flux<ServerSentEvent<Object>> events = Flux.defer(() -> {
			// The usage advisor puts the record on the last element only, once the stream
			// is over.
			AtomicReference<ChatClientResponse> last = new AtomicReference<>();
			return responses.doOnNext(last::set)
				.concatMap(ChatController::tokenEvent)
				.concatWith(Mono.fromSupplier(() -> cacheEvent(last.get())))
				.concatWith(Mono.fromSupplier(() -> usageEvent(last.get())))
				.onErrorResume(ChatController::answeredAsProblem, (ex) -> Mono
					.just(event("error", ResourceLimitExceptionHandler.problemOf((RuntimeException) ex))));
		});
		return ResponseEntity.ok().header(CONVERSATION_ID_HEADER, conversation).body(events);
	}

	private static boolean answeredAsProblem(Throwable ex) {
		return ex instanceof ResourceLimitException || ex instanceof CallTimeoutException
				|| ex instanceof ToolIterationLimitException || ResourceLimitExceptionHandler.isProviderFailure(ex);
	}

	private static String requireMessage(@Nullable String message) {
		if (!StringUtils.hasText(message)) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "The message must not be blank.");
		}
		return message;
	}

	private static String conversationIdOf(@Nullable String conversationId) {
		return StringUtils.hasText(conversationId) ? conversationId : UUID.randomUUID().toString();
	}

	/**
	 * Pass the caller's identity the way the starter reads it. Absent values are left out
	 * rather than passed as null, which advisor parameters do not accept; the starter
	 * then counts the call under the anonymous user or tenant.
	 */
	private static Consumer<ChatClient.AdvisorSpec> identity(String conversationId, @Nullable String user,
			@Nullable String tenant) {
		return (advisors) -> {
			advisors.param(ChatMemory.CONVERSATION_ID, conversationId);
			if (StringUtils.hasText(user)) {
				advisors.param(ResourceContextKeys.USER, user);
			}
			if (StringUtils.hasText(tenant)) {
				advisors.param(ResourceContextKeys.TENANT, tenant);
			}
		};
	}

	private static Consumer<ChatClient.AdvisorSpec> priority(@Nullable String priority) {
		return (advisors) -> {
			if (StringUtils.hasText(priority)) {
				advisors.param(ResourceContextKeys.PRIORITY, priority);
			}
		};
	}

	private static Mono<ServerSentEvent<Object>> tokenEvent(ChatClientResponse response) {
		String text = textOf(response.chatResponse());
		return text.isEmpty() ? Mono.empty() : Mono.just(event("token", SseText.protect(text)));
	}

	@Nullable
	private static ServerSentEvent<Object> cacheEvent(@Nullable ChatClientResponse last) {
		String cache = (last != null) ? cacheOf(last) : null;
		return (cache != null) ? event("cache", cache) : null;
	}

	@Nullable
	private static ServerSentEvent<Object> usageEvent(@Nullable ChatClientResponse last) {
		UsageRecord usage = (last != null) ? usageOf(last) : null;
		return (usage != null) ? event("usage", usage) : null;
	}

	private static ServerSentEvent<Object> event(String name, Object data) {
		return ServerSentEvent.builder(data).event(name).build();
	}

	@Nullable
	private static UsageRecord usageOf(ChatClientResponse response) {
		return (response.context().get(ResourceContextKeys.USAGE) instanceof UsageRecord usage) ? usage : null;
	}

	/**
	 * How the starter's response cache treated the call: {@code miss}, {@code hit-exact}
	 * or {@code bypass}; {@code null} when the cache is off.
	 */
	@Nullable
	private static String cacheOf(ChatClientResponse response) {
		Object cache = response.context().get(ResourceContextKeys.CACHE);
		return (cache != null) ? cache.toString() : null;
	}

	private static String textOf(@Nullable ChatResponse response) {
		Generation generation = (response != null) ? response.getResult() : null;
		String text = (generation != null && generation.getOutput() != null) ? generation.getOutput().getText() : null;
		return (text != null) ? text : "";
	}

}
