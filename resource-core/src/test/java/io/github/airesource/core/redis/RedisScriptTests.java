package io.github.airesource.core.redis;

import java.util.concurrent.CompletableFuture;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;

class RedisScriptTests {

	private final RedisScript script = RedisScript.fromClassPath(RedisScriptTests.class, "test-script.lua");

	@SuppressWarnings("unchecked")
	private final RedisClusterAsyncCommands<byte[], byte[]> commands = mock(RedisClusterAsyncCommands.class);

	@Test
	void whenTheCallerGivesUpThenTheCommandItselfIsCancelledSoItIsNeverSentLater() {
		AsyncCommand<byte[], byte[], Long> evalsha = command(CommandType.EVALSHA);
		given(this.commands.<Long>evalsha(eq(this.script.digest()), eq(ScriptOutputType.INTEGER), any(byte[][].class),
				any(byte[][].class)))
			.willReturn(evalsha);

		CompletableFuture<Long> result = this.script.run(this.commands, ScriptOutputType.INTEGER, new byte[0][]);
		result.cancel(true);

		assertThat(evalsha.isCancelled()).isTrue();
	}

	@Test
	void whenRedisDoesNotKnowTheScriptThenItIsSentOnceAndAGiveUpCancelsThatCommand() {
		AsyncCommand<byte[], byte[], Long> evalsha = command(CommandType.EVALSHA);
		AsyncCommand<byte[], byte[], Long> eval = command(CommandType.EVAL);
		given(this.commands.<Long>evalsha(anyString(), any(ScriptOutputType.class), any(byte[][].class),
				any(byte[][].class)))
			.willReturn(evalsha);
		given(this.commands.<Long>eval(any(byte[].class), any(ScriptOutputType.class), any(byte[][].class),
				any(byte[][].class)))
			.willReturn(eval);

		CompletableFuture<Long> result = this.script.run(this.commands, ScriptOutputType.INTEGER, new byte[0][]);
		evalsha.completeExceptionally(new RedisNoScriptException("NOSCRIPT No matching script"));
		assertThat(result).isNotDone();
		result.cancel(true);

		assertThat(eval.isCancelled()).isTrue();
	}

	@Test
	void whenTheScriptAnswersThenTheResultIsItsAnswer() {
		AsyncCommand<byte[], byte[], Long> evalsha = command(CommandType.EVALSHA);
		given(this.commands.<Long>evalsha(anyString(), any(ScriptOutputType.class), any(byte[][].class),
				any(byte[][].class)))
			.willReturn(evalsha);

		CompletableFuture<Long> result = this.script.run(this.commands, ScriptOutputType.INTEGER, new byte[0][]);
		evalsha.complete(7L);

		assertThat(result).isCompletedWithValue(7L);
		assertThat(this.script.digest()).hasSize(40);
	}

	private static AsyncCommand<byte[], byte[], Long> command(CommandType type) {
		return new AsyncCommand<>(new Command<>(type, new IntegerOutput<>(ByteArrayCodec.INSTANCE)));
	}

}
