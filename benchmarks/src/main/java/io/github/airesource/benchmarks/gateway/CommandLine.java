package io.github.airesource.benchmarks.gateway;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The {@code --name=value} options of the gateway comparison's programs.
 */
final class CommandLine {

	private final Map<String, String> values;

	private CommandLine(Map<String, String> values) {
		this.values = values;
	}

	static CommandLine parse(String... args) {
		Map<String, String> values = new LinkedHashMap<>();
		for (String arg : args) {
			int equals = arg.indexOf('=');
			if (!arg.startsWith("--") || equals < 3) {
				throw new IllegalArgumentException("Options are written --name=value, not " + arg);
			}
			values.put(arg.substring(2, equals), arg.substring(equals + 1));
		}
		return new CommandLine(values);
	}

	String value(String name, String defaultValue) {
		return this.values.getOrDefault(name, defaultValue);
	}

	int intValue(String name, int defaultValue) {
		String value = this.values.get(name);
		return (value != null) ? Integer.parseInt(value) : defaultValue;
	}

	List<Integer> intValues(String name, String defaultValue) {
		return Stream.of(value(name, defaultValue).split(",")).map(String::trim).map(Integer::valueOf).toList();
	}

}
