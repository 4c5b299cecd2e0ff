package io.github.airesource.autoconfigure;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.airesource.actuate.budget.BudgetsEndpoint;
import io.github.airesource.actuate.limits.LimitsEndpoint;
import io.github.airesource.actuate.usage.UsageDescriptor;
import io.github.airesource.actuate.usage.UsageEndpoint;
import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.budget.BudgetExceededException;
import io.github.airesource.core.scope.CallScope;
import io.github.airesource.testsupport.OpenAiCompletion;
import io.github.airesource.testsupport.OpenAiWireServer;
import io.github.airesource.testsupport.RedisTestSupport;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.ChatClientResponse;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.openai.OpenAiChatOptions;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.util.UriComponentsBuilder;

import static io.github.airesource.autoconfigure.EndToEndCalls.longConversation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * Scope ids an application should not trust (a user or tenant id taken from a header, a
 * token claim or a URL) through every place the starter keeps state on Redis: the usage
 * ledger, budgets, rate limits, the response cache and history cuts and summaries, and
 * the Actuator endpoints with such ids in their path. Ids of 10 kB, with control
 * characters, Redis key syntax, braces, glob characters, the escape character of the key
 * encoding, non-ASCII and lone surrogates; and pairs of ids that would make the same key
 * under naive concatenation. One application over HTTP, the real OpenAI client against a
 * loopback server, a real Redis.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = { "spring.ai.openai.api-key=test-key",
		"spring.ai.openai.chat.options.model=gpt-4o-mini", "spring.ai.openai.chat.options.stream-usage=true",
		"spring.ai.retry.max-attempts=1",
		"management.endpoints.web.exposure.include=aiusage,aibudgets,ailimits,aicaches",
		"ai.resource.usage.store=redis", "ai.resource.budget.enabled=true", "ai.resource.budget.store=redis",
		"ai.resource.budget.default-output-reservation=10", "ai.resource.budget.limits.per-user-daily.scope=user",
		"ai.resource.budget.limits.per-user-daily.max-tokens=1000000",
		"ai.resource.budget.limits.user-gpt-4o.scope=user", "ai.resource.budget.limits.user-gpt-4o.max-tokens=100",
		"ai.resource.budget.limits.user-gpt-4o.models=gpt-4o", "ai.resource.budget.limits.tenant-gpt-4o.scope=tenant",
		"ai.resource.budget.limits.tenant-gpt-4o.max-tokens=100",
		"ai.resource.budget.limits.tenant-gpt-4o.models=gpt-4o", "ai.resource.rate-limit.enabled=true",
		"ai.resource.rate-limit.store=redis", "ai.resource.rate-limit.limits.user-rpd.scope=user",
		"ai.resource.rate-limit.limits.user-rpd.requests=50", "ai.resource.rate-limit.limits.user-rpd.period=30d",
		"ai.resource.cache.response.enabled=true", "ai.resource.cache.response.store=redis",
		"ai.resource.cache.per-user=true", "ai.resource.history.enabled=true", "ai.resource.history.max-tokens=300",
		"ai.resource.history.summarize.enabled=true", "ai.resource.history.summarize.model=gpt-4.1-nano" })
class HostileScopeIdsEndToEndTests {

	private static final String SUMMARY_MODEL = "gpt-4.1-nano";

	/**
	 * Each a scope id of its own; every one must be counted, charged and limited apart.
	 */
	private static final List<String> HOSTILE = List.of("x".repeat(10_000), "x".repeat(9_999) + "y", "alice:m:2946240",
			"alice%3Am%3A2946240", "{acme}", "}{", "*", "user:*", "[a-z]?", "%41", "%", "#", "line\nbreak\r\n",
			"tab\tnul\u0000esc\u001b[31m", "DEL *", "key with spaces", "ünïcødé 🙂", "\uD800lone", "../../etc/passwd");

	private static final OpenAiWireServer SERVER = OpenAiWireServer.start();

	private static final List<JsonNode> REQUESTS = new CopyOnWriteArrayList<>();

	private static final AtomicInteger ANSWERS = new AtomicInteger();

	private static final AtomicInteger SUMMARIES = new AtomicInteger();

	private static String prefix;

	@Autowired
	private ChatClient.Builder chatClientBuilder;

	@Autowired
	private UsageEndpoint usage;

	@Autowired
	private BudgetsEndpoint budgets;

	@Autowired
	private LimitsEndpoint limits;

	@Autowired
	private TestRestTemplate http;

	@Autowired
	private ObjectMapper json;

	@BeforeAll
	static void requireRedis() {
		RedisTestSupport.url();
		prefix = RedisTestSupport.uniquePrefix();
		SERVER.answerEveryRequest((request) -> {
			REQUESTS.add(request);
			String model = request.path("model").asText();
			return SUMMARY_MODEL.equals(model)
					? OpenAiCompletion.text("SUMMARY " + SUMMARIES.incrementAndGet()).model(model).usage(300, 20)
					: OpenAiCompletion.text("answer #" + ANSWERS.incrementAndGet()).model(model).usage(40, 5);
		});
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", SERVER::baseUrl);
		registry.add("spring.data.redis.url", RedisTestSupport::url);
		registry.add("ai.resource.redis.key-prefix", () -> prefix);
	}

	@AfterAll
	static void cleanUp() {
		SERVER.close();
		RedisTestSupport.deleteKeys(prefix);
	}

	@BeforeEach
	void forgetRequests() {
		REQUESTS.clear();
	}

	@Test
	void whenUsersHaveHostileIdsThenEachIsCountedChargedAndLimitedUnderItsOwnIdAndEveryKeyIsSafeWithATtl() {
		for (String id : HOSTILE) {
			assertThat(ask(id, "acme", "How are you, " + HOSTILE.indexOf(id) + "?")).startsWith("answer #");
		}

		for (String id : HOSTILE) {
			await().untilAsserted(() -> assertThat(this.usage.scope("user", id)).as(printable(id))
				.isNotNull()
				.satisfies((summary) -> assertThat(summary.total().calls()).isEqualTo(1)));
			UsageDescriptor.TotalsDescriptor total = this.usage.scope("user", id).total();
			assertThat(total.totalTokens()).isEqualTo(45);
			assertThat(this.budgets.key("per-user-daily", id).usedTokens()).as(printable(id)).isEqualTo(45);
			assertThat(this.limits.key("user-rpd", id).state()).singleElement()
				.satisfies((state) -> assertThat(state.remaining().doubleValue()).as(printable(id))
					.isCloseTo(49, within(0.1)));
		}
		List<RedisTestSupport.KeyTtl> keys = RedisTestSupport.keysWithTtl(prefix);
		assertThat(keys).isNotEmpty().allSatisfy((key) -> {
			assertThat(key.ttlMillis()).as(key.key()).isPositive();
			String rest = key.key().substring(prefix.length());
			// Printable ASCII without spaces, one hash tag, and short whatever the id.
			assertThat(rest).as(key.key()).matches("[\\x21-\\x7E]+").hasSizeLessThan(300);
			assertThat(rest.chars().filter((c) -> c == '{').count()).as(key.key()).isEqualTo(1);
			assertThat(rest.chars().filter((c) -> c == '}').count()).as(key.key()).isEqualTo(1);
		});
	}

	@Test
	void whenOneTenantOrUserSpendsItsBudgetThenThoseWhoseIdsLookAlikeKeepTheirs() {
		// A budget of 100 tokens for calls to gpt-4o: two calls of 45 fit, a third does
		// not.
		ask("spender", "globex", "Hello?", "gpt-4o");
		ask("spender", "globex", "Hello again?", "gpt-4o");
		assertThatThrownBy(() -> ask("other-user", "globex", "Hello?", "gpt-4o"))
			.isInstanceOfSatisfying(BudgetExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo("tenant-gpt-4o");
				assertThat(ex.key()).isEqualTo("globex");
			});
		assertThatThrownBy(() -> ask("spender", "initech", "Hello?", "gpt-4o"))
			.isInstanceOfSatisfying(BudgetExceededException.class, (ex) -> {
				assertThat(ex.limitName()).isEqualTo("user-gpt-4o");
				assertThat(ex.key()).isEqualTo("spender");
			});

		List<String> lookAlikes = List.of("globex:", "globex%", "%67lobex", "{globex}", "globex*", "globex\n",
				"globex\u0000", "globex ", "GLOBEX", "globex".repeat(2_000));
		for (int i = 0; i < lookAlikes.size(); i++) {
			String tenant = lookAlikes.get(i);
			String user = tenant.replace("globex", "spender");
			assertThat(ask(user, tenant, "Hello?", "gpt-4o")).as(printable(tenant)).startsWith("answer #");
			assertThat(this.budgets.key("tenant-gpt-4o", tenant).usedTokens()).as(printable(tenant)).isEqualTo(45);
			assertThat(this.budgets.key("user-gpt-4o", user).usedTokens()).as(printable(user)).isEqualTo(45);
		}
		assertThat(this.budgets.key("tenant-gpt-4o", "globex").usedTokens()).isEqualTo(90);
		assertThat(this.budgets.key("user-gpt-4o", "spender").usedTokens()).isEqualTo(90);
	}

	@Test
	void whenTwoCallersWhoseIdsWouldCollideUnderConcatenationAskTheSameThenNeitherIsServedTheOthersAnswer() {
		// (tenant, user) pairs that one naive key would not tell apart:
		// "<tenant>:<user>",
		// an escape that leaves '%' as it is, braces dropped for Redis Cluster, ids cut
		// to a length.
		List<List<String[]>> pairs = List.of(List.of(pair("t:u", "v"), pair("t", "u:v")),
				List.of(pair("t%3Au", "v"), pair("t:u", "v")), List.of(pair("{t}", "u"), pair("t", "u")),
				List.of(pair("t".repeat(10_000), "u"), pair("t".repeat(10_001), "u")));
		for (List<String[]> pair : pairs) {
			String[] first = pair.get(0);
			String[] second = pair.get(1);
			String question = "What is the capital of France? " + pairs.indexOf(pair);

			String firstAnswer = ask(first[1], first[0], question);
			String secondAnswer = ask(second[1], second[0], question);
			int modelCalls = REQUESTS.size();

			assertThat(secondAnswer).as(printable(second[0])).isNotEqualTo(firstAnswer);
			assertThat(ask(first[1], first[0], question)).isEqualTo(firstAnswer);
			assertThat(ask(second[1], second[0], question)).isEqualTo(secondAnswer);
			assertThat(REQUESTS).as("the repeats are cache hits").hasSize(modelCalls);
		}
	}

	@Test
	void whenTwoConversationsWhoseIdsWouldCollideUnderConcatenationAreTrimmedThenNeitherUsesTheOthersCutOrSummary() {
		// (tenant, conversation) pairs that a key "<tenant>:<conversation>" would not
		// tell apart; both send the same long conversation.
		String[] first = pair("h:a", "b");
		String[] second = pair("h", "a:b");

		converse(first);
		assertThat(REQUESTS).extracting((request) -> request.path("model").asText())
			.containsExactly(SUMMARY_MODEL, "gpt-4o-mini");
		String firstSummary = summaryIn(REQUESTS.get(1));
		REQUESTS.clear();

		converse(first);
		assertThat(REQUESTS).as("the cut and its summary are kept").hasSize(1);
		assertThat(summaryIn(REQUESTS.get(0))).isEqualTo(firstSummary);
		REQUESTS.clear();

		converse(second);
		assertThat(REQUESTS).as("a cut of its own, summarized anew")
			.extracting((request) -> request.path("model").asText())
			.containsExactly(SUMMARY_MODEL, "gpt-4o-mini");
		assertThat(summaryIn(REQUESTS.get(1))).isNotEqualTo(firstSummary);
	}

	@Test
	void whenHostileIdsAreInTheEndpointPathThenEachEndpointAnswersForExactlyThatId() throws Exception {
		List<String> ids = List.of("path:a:b", "path{x}", "path*", "path%41", "path with spaces", "päth 🙂",
				"path\nnewline", "path#fragment", "path?query=1", "path/../slash");
		for (String id : ids) {
			ask(id, "acme", "Good morning, " + ids.indexOf(id) + "?");
		}

		for (String id : ids) {
			await().untilAsserted(() -> assertThat(this.usage.scope("user", id)).isNotNull());
			ResponseEntity<String> usage = get("aiusage", "user", id);
			if (id.contains("/")) {
				// Tomcat refuses an encoded slash in a path
				// (server.tomcat.encoded-slash).
				assertThat(usage.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
				continue;
			}
			assertThat(usage.getStatusCode()).as(printable(id)).isEqualTo(HttpStatus.OK);
			assertThat(this.json.readTree(usage.getBody()).at("/total/calls").asLong()).isEqualTo(1);
			JsonNode budget = this.json.readTree(get("aibudgets", "per-user-daily", id).getBody());
			assertThat(budget.path("key").asText()).isEqualTo(id);
			assertThat(budget.path("usedTokens").asLong()).isEqualTo(45);
			JsonNode limit = this.json.readTree(get("ailimits", "user-rpd", id).getBody());
			assertThat(limit.path("key").asText()).isEqualTo(id);
			assertThat(limit.at("/state/0/remaining").asDouble()).isCloseTo(49, within(0.1));
		}
		assertThat(get("aiusage", "user", "path:a").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
		assertThat(get("aiusage", "user", "x".repeat(10_000)).getStatusCode())
			.as("longer than Tomcat's 8 KB request header limit")
			.isEqualTo(HttpStatus.BAD_REQUEST);
	}

	@Test
	void whenAGrantThroughTheEndpointIsNegativeThenTheAnswerIs400AndTheKeyIsUnchanged() {
		ask("granted:user", "acme", "Good evening?");

		ResponseEntity<String> refused = this.http.postForEntity(UriComponentsBuilder.fromPath("/actuator")
			.pathSegment("aibudgets", "per-user-daily", "granted:user")
			.build()
			.encode()
			.toUri(), Map.of("extraTokens", -1000), String.class);

		assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(this.budgets.key("per-user-daily", "granted:user").extraTokens()).isZero();
		assertThat(this.budgets.key("per-user-daily", "granted:user").usedTokens()).isEqualTo(45);
	}

	@Test
	void whenAnIdIsEmptyOrBlankThenTheCallCountsAsAnonymousNeverAsAnotherId() {
		long before = anonymousCalls();

		ask("", "", "Who am I?");
		ask("   ", "\t", "Who am I, really?");

		await().untilAsserted(() -> assertThat(anonymousCalls()).isEqualTo(before + 2));
		assertThat(this.usage.scope("user", "")).isNull();
		assertThat(this.usage.scope("user", "   ")).isNull();
	}

	private long anonymousCalls() {
		UsageDescriptor.SummaryDescriptor anonymous = this.usage.scope("user", CallScope.ANONYMOUS);
		return (anonymous != null) ? anonymous.total().calls() : 0;
	}

	private void converse(String[] tenantAndConversation) {
		this.chatClientBuilder.build()
			.prompt()
			.messages(longConversation())
			.user("And on Monday?")
			.advisors((a) -> a.param(ResourceContextKeys.TENANT, tenantAndConversation[0])
				.param(ChatMemory.CONVERSATION_ID, tenantAndConversation[1])
				.param(ResourceContextKeys.USER, "traveller")
				.param("ai.resource.cache.bypass", true))
			.call()
			.content();
	}

	private static String summaryIn(JsonNode request) {
		JsonNode summary = request.path("messages").get(1);
		assertThat(summary.path("role").asText()).isEqualTo("system");
		return summary.path("content").asText();
	}

	private ResponseEntity<String> get(String endpoint, String selector, String id) {
		// Each a path segment of its own: '/' is encoded too.
		URI uri = UriComponentsBuilder.fromPath("/actuator")
			.pathSegment(endpoint, selector, id)
			.build()
			.encode()
			.toUri();
		return this.http.getForEntity(uri, String.class);
	}

	private String ask(String user, String tenant, String question) {
		return ask(user, tenant, question, "gpt-4o-mini");
	}

	private String ask(String user, String tenant, String question, String model) {
		ChatClientResponse response = this.chatClientBuilder.build()
			.prompt()
			.user(question)
			// Temperature 0, so that the response cache keeps the answers.
			.options(OpenAiChatOptions.builder().model(model).temperature(0.0).build())
			.advisors((a) -> a.param(ResourceContextKeys.USER, user).param(ResourceContextKeys.TENANT, tenant))
			.call()
			.chatClientResponse();
		return response.chatResponse().getResult().getOutput().getText();
	}

	private static String[] pair(String tenant, String other) {
		return new String[] { tenant, other };
	}

	/** An id as an assertion message can show it: escaped and cut short. */
	private static String printable(String id) {
		String shown = (id.length() > 40) ? id.substring(0, 40) + "... (" + id.length() + " chars)" : id;
		return shown.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t").replace("\u0000", "\\0");
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
