package io.github.airesource.core.redis;

import java.util.regex.Pattern;

import org.springframework.util.Assert;

/**
 * A Lua script that another script runs as a function, with keys and arguments of its
 * own: the joint admission script runs the budget store's script and the rate-limit
 * store's script, unchanged, one after the other in one atomic step. Redis cannot call
 * one script from another, and copying their logic into the joint script would let the
 * copies drift apart; so the script is declared, when the outer script is loaded
 * ({@link RedisScript#fromClassPath(Class, String, NestedScript...)}), as
 * {@code local <name> = function(KEYS, ARGV) <script> end}, and the outer script calls
 * {@code <name>(keys, args)} to get the answer the script would have given.
 *
 * <p>
 * A nested script must be one that Redis could run alone: every variable {@code local},
 * its keys only from {@code KEYS}. Instances are immutable and thread-safe.
 */
public final class NestedScript {

	private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

	private final String name;

	private final String source;

	private NestedScript(String name, String source) {
		this.name = name;
		this.source = source;
	}

	/**
	 * Load a script to nest from the class path, next to a class.
	 * @param name the local function the script is declared as in the outer script; a Lua
	 * identifier
	 * @param base the class whose package holds the script
	 * @param fileName the script's file name, such as {@code budget.lua}
	 * @return the script to nest
	 */
	public static NestedScript fromClassPath(String name, Class<?> base, String fileName) {
		Assert.isTrue(name != null && NAME.matcher(name).matches(), () -> "not a Lua identifier: " + name);
		return new NestedScript(name, RedisScript.read(base, fileName));
	}

	/**
	 * Return the name of the function the script is declared as.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the script declared as a local function of the outer script.
	 * @return the Lua source
	 */
	String declaration() {
		return "local " + this.name + " = function(KEYS, ARGV)\n" + this.source + "\nend\n";
	}

	@Override
	public String toString() {
		return this.name;
	}

}
