package io.github.airesource.core.redis;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.util.Assert;

/**
 * A Lua script run with {@code EVALSHA}, so that each call sends the script's digest, not
 * its text. When Redis does not know the script (the first call, or after a restart or
 * {@code SCRIPT FLUSH} emptied its script cache) the call is repeated once with
 * {@code EVAL}, which also caches it.
 *
 * <p>
 * Scripts are the library's way to make several commands one atomic step: every
 * check-and-reserve across limits, and every counter update with its TTL, is one script
 * touching keys of one hash slot ({@link RedisKeys.Group}). A script may run other
 * scripts as functions ({@link NestedScript}), to make their steps one.
 */
public final class RedisScript {

	private final String name;

	private final byte[] source;

	private final String digest;

	private RedisScript(String name, byte[] source) {
		this.name = name;
		this.source = source;
		this.digest = sha1Hex(source);
	}

	/**
	 * Load a script from the class path, next to a class.
	 * @param base the class whose package holds the script
	 * @param fileName the script's file name, such as {@code write-usage.lua}
	 * @return the script
	 */
	public static RedisScript fromClassPath(Class<?> base, String fileName) {
		return fromClassPath(base, fileName, new NestedScript[0]);
	}

	/**
	 * Load a script from the class path, next to a class, with the scripts it runs as
	 * functions declared before it.
	 * @param base the class whose package holds the script
	 * @param fileName the script's file name, such as {@code write-usage.lua}
	 * @param nested the scripts it runs, declared in this order
	 * @return the script
	 */
	public static RedisScript fromClassPath(Class<?> base, String fileName, NestedScript... nested) {
		StringBuilder source = new StringBuilder();
		for (NestedScript script : nested) {
			source.append(script.declaration());
		}
		source.append(read(base, fileName));
		return new RedisScript(fileName, source.toString().getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Read a Lua source from the class path.
	 * @param base the class whose package holds the file
	 * @param fileName the file name
	 * @return the source
	 */
	static String read(Class<?> base, String fileName) {
		try (InputStream in = base.getResourceAsStream(fileName)) {
			Assert.state(in != null, () -> "Lua script " + fileName + " not found next to " + base.getName());
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not read Lua script " + fileName, ex);
		}
	}

	/**
	 * Run the script.
	 * @param <T> the result type
	 * @param commands the connection's commands
	 * @param type the type of the script's result
	 * @param keys the keys the script touches, all of one hash slot
	 * @param args the arguments
	 * @return the result, completed when Redis answered
	 */
	public <T> CompletableFuture<T> run(RedisClusterAsyncCommands<byte[], byte[]> commands, ScriptOutputType type,
			byte[][] keys, byte[]... args) {
		RedisFuture<T> byDigest = commands.evalsha(this.digest, type, keys, args);
		AtomicReference<Future<T>> sent = new AtomicReference<>(byDigest);
		CompletableFuture<T> result = byDigest.toCompletableFuture().exceptionallyCompose((ex) -> {
			if (!isNoScript(ex)) {
				return CompletableFuture.failedFuture(ex);
			}
			RedisFuture<T> bySource = commands.eval(this.source, type, keys, args);
			sent.set(bySource);
			return bySource.toCompletableFuture();
		});
		// A caller that gives up (a timeout) cancels the command itself, so that Lettuce
		// never sends one it still holds, for example while reconnecting: a reservation
		// the
		// caller was told failed must not be applied later.
		result.whenComplete((value, ex) -> {
			if (result.isCancelled()) {
				sent.get().cancel(true);
			}
		});
		return result;
	}

	/**
	 * Return the SHA-1 digest Redis knows the script by.
	 * @return the digest in lower-case hex
	 */
	public String digest() {
		return this.digest;
	}

	private static boolean isNoScript(Throwable ex) {
		Throwable cause = (ex instanceof CompletionException && ex.getCause() != null) ? ex.getCause() : ex;
		return cause instanceof RedisNoScriptException
				|| (cause.getMessage() != null && cause.getMessage().startsWith("NOSCRIPT"));
	}

	private static String sha1Hex(byte[] source) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required on every Java platform", ex);
		}
	}

	@Override
	public String toString() {
		return this.name + " (" + this.digest + ")";
	}

}
