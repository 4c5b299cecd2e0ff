package io.github.airesource.benchmarks.gateway;

import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ComparisonWorkloadTests {

	private static final ObjectMapper JSON = new ObjectMapper();

	@Test
	void requestNIsTheSameForEveryPathAndNoTwoRequestsAreAlike() {
		assertThat(ComparisonWorkload.body(7)).isEqualTo(ComparisonWorkload.body(7));
		// The filler text repeats every 53 requests; the question's number keeps them
		// apart.
		assertThat(IntStream.range(0, 1000).mapToObj(ComparisonWorkload::body).distinct()).hasSize(1000);
		assertThat(ComparisonWorkload.body(7)).isNotEqualTo(ComparisonWorkload.body(7 + 53));
	}

	@Test
	void everyRequestIsASingleTurnPromptWithinTheSemanticCachesLimitAtTemperatureZero() throws Exception {
		Encoding encoding = Encodings.newDefaultEncodingRegistry().getEncoding(EncodingType.O200K_BASE);
		for (int n : new int[] { 0, 1, 52, 999_999 }) {
			JsonNode body = JSON.readTree(ComparisonWorkload.body(n));
			assertThat(body.path("temperature").asDouble(1)).isZero();
			assertThat(body.path("messages")).hasSize(2);
			assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
			assertThat(body.path("messages").get(1).path("role").asText()).isEqualTo("user");
			int tokens = 0;
			for (JsonNode message : body.path("messages")) {
				tokens += encoding.countTokens(message.path("content").asText());
			}
			// The semantic cache takes prompts of up to 500 tokens by default.
			assertThat(tokens).isBetween(200, 450);
		}
	}

	@Test
	void requestsComeFromSixteenUsersOfFourTenantsEachUserInOneTenant() {
		assertThat(IntStream.range(0, 64).mapToObj(ComparisonWorkload::user).distinct()).hasSize(16);
		assertThat(IntStream.range(0, 64).mapToObj(ComparisonWorkload::tenant).distinct()).hasSize(4);
		assertThat(IntStream.range(0, 64)
			.filter((n) -> ComparisonWorkload.user(n).equals("user-5"))
			.mapToObj(ComparisonWorkload::tenant)
			.distinct()).containsExactly("tenant-1");
	}

}
