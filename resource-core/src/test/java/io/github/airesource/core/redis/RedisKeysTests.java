package io.github.airesource.core.redis;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class RedisKeysTests {

	private static final List<String> HOSTILE_IDS = List.of("alice", "alice:m:2946240", "alice:total", "alice:",
			":alice", "{alice}", "}{", "alice}", "{", "}", "a{b}c", "%41lice", "%", "#",
			"#E3B0C44298FC1C149AFBF4C8996FB924", "", " ", "alice ", "tab\there", "new\nline", "nul\u0000", "\u007f",
			"élise", "ｅlise", "😀", "\ud83d", "\ude00", "\ude00\ud83d", "x".repeat(100), "x".repeat(101),
			"x".repeat(10_000), "x".repeat(10_001), ":".repeat(40), "llama3:8b", "ollama/llama3:8b", "gpt-4.1",
			"a.b_c-d", "A", "a", "user:alice", "anonymous");

	private final RedisKeys keys = new RedisKeys("airesource:");

	@Test
	void whenIdsAreHostileThenEveryIdHasItsOwnKey() {
		Set<String> seen = new HashSet<>();
		for (String id : HOSTILE_IDS) {
			String key = this.keys.group("usage", "user", id).key("m", "2946240");
			assertThat(seen.add(key)).as("key of %s collides: %s", id, key).isTrue();
		}
	}

	@Test
	void whenAUserIsNamedLikeAnotherUsersBucketThenTheKeysDiffer() {
		String alicesBucket = this.keys.group("usage", "user", "alice").key("m", "2946240");
		String impostorTotal = this.keys.group("usage", "user", "alice:m:2946240").key("total");

		assertThat(alicesBucket).isEqualTo("airesource:usage:{user:alice}:m:2946240");
		assertThat(impostorTotal).isEqualTo("airesource:usage:{user:alice%3Am%3A2946240}:total");
		assertThat(impostorTotal).doesNotStartWith("airesource:usage:{user:alice}");
	}

	@Test
	void whenIdsAreHostileThenEncodedSegmentsHaveNoSeparatorBraceOrControlCharacter() {
		for (String id : HOSTILE_IDS) {
			String encoded = RedisKeys.encode(id);
			assertThat(encoded).as(id).doesNotContain(":", "{", "}", " ").isNotEmpty().hasSizeLessThanOrEqualTo(100);
			assertThat(encoded.chars()).as(id).allMatch((c) -> c > 0x20 && c < 0x7f);
		}
	}

	@Test
	void whenIdIsSafeThenItIsKeptAsIs() {
		assertThat(RedisKeys.encode("alice")).isEqualTo("alice");
		assertThat(RedisKeys.encode("gpt-4.1-mini_2025")).isEqualTo("gpt-4.1-mini_2025");
		assertThat(RedisKeys.encode("llama3:8b")).isEqualTo("llama3%3A8b");
		assertThat(RedisKeys.encode("élise")).isEqualTo("%C3%A9lise");
		assertThat(RedisKeys.encode("")).isEqualTo("#");
		assertThat(RedisKeys.encode("\ud83d")).isEqualTo("%uD83D");
	}

	@Test
	void whenIdIsVeryLongThenItIsHashedApartFromEveryShortId() {
		String hashed = RedisKeys.encode("x".repeat(10_000));

		assertThat(hashed).startsWith("#").hasSize(33);
		assertThat(RedisKeys.encode("x".repeat(10_001))).isNotEqualTo(hashed).hasSize(33);
		assertThat(RedisKeys.encode("x".repeat(100))).isEqualTo("x".repeat(100));
		// 34 characters that each take three when encoded: hashed although short in
		// chars.
		assertThat(RedisKeys.encode(":".repeat(34))).startsWith("#");
	}

	@Test
	void whenKeysShareAGroupThenTheyShareOneClusterSlot() {
		for (String id : HOSTILE_IDS) {
			RedisKeys.Group group = this.keys.group("usage", "user", id);
			int slot = slotOf(group.key("total"));
			assertThat(slotOf(group.key("m", "1"))).isEqualTo(slot);
			assertThat(slotOf(group.key("d", "123456"))).isEqualTo(slot);
			assertThat(slotOf(group.key("applied"))).isEqualTo(slot);
		}
	}

	@Test
	void whenAdmissionKeysAreBuiltThenBudgetAndRateLimitKeysShareOneSlot() {
		int budget = slotOf(this.keys.group("budget", RedisKeys.ADMISSION_TAG).key("per-user-daily", "user", "alice"));
		int rate = slotOf(this.keys.group("rate", RedisKeys.ADMISSION_TAG).key("tenant-rpm", "tenant", "{acme}"));

		assertThat(budget).isEqualTo(rate);
	}

	@Test
	void whenDimensionsDifferThenTheirTagsDiffer() {
		assertThat(this.keys.group("usage", "user", "alice").base())
			.isNotEqualTo(this.keys.group("usage", "tenant", "alice").base())
			.isNotEqualTo(this.keys.group("usage", "user", "alice:x").base());
	}

	@Test
	void whenPrefixHasBracesOrIsEmptyThenItIsRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("app{1}:"));
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys("app}:"));
		assertThatIllegalArgumentException().isThrownBy(() -> new RedisKeys(""));
	}

	private static int slotOf(String key) {
		return SlotHash.getSlot(key.getBytes(StandardCharsets.UTF_8));
	}

}
