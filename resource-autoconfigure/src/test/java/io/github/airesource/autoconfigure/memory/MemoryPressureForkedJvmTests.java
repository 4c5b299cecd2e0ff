package io.github.airesource.autoconfigure.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The memory guard in a real JVM under pressure: a child JVM with a 64 MB heap
 * ({@link MemoryPressureChild}) fills its old generation past a low threshold (0.4), must
 * refuse calls and streams with {@code MemoryPressureException} and report
 * {@code OUT_OF_SERVICE}, then, once the memory is released and collected, accept calls
 * again and report UP. Once per collector: G1, Parallel, Serial, ZGC as Java 17 has it
 * (one heap pool), and generational ZGC on the Java 25 JDK when the machine has one.
 */
class MemoryPressureForkedJvmTests {

	private static final Path JAVA_25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

	static Stream<Arguments> collectors() {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		return Stream.of(Arguments.of("G1", java, "-XX:+UseG1GC"), Arguments.of("Parallel", java, "-XX:+UseParallelGC"),
				Arguments.of("Serial", java, "-XX:+UseSerialGC"), Arguments.of("ZGC", java, "-XX:+UseZGC"),
				Arguments.of("generational ZGC (Java 25)", JAVA_25.toString(), "-XX:+UseZGC"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("collectors")
	void whenTheOldGenerationIsOverTheThresholdThenCallsAreRefusedAndHealthIsOutOfServiceUntilItFallsBack(String name,
			String java, String collector) throws Exception {
		Assumptions.assumeTrue(Files.isExecutable(Path.of(java)), () -> java + " is not installed");
		Map<String, String> results = runChild(java, collector);
		assertThat(results).containsEntry("before.call", "pong").containsEntry("before.health", "UP");
		assertThat(results).containsEntry("pressure.flag", "true")
			.containsEntry("pressure.call", "MemoryPressureException:max-heap-usage")
			.containsEntry("pressure.stream", "MemoryPressureException:max-heap-usage")
			.containsEntry("pressure.health", "OUT_OF_SERVICE")
			.containsEntry("pressure.rejected", "2");
		assertThat(Double.parseDouble(results.get("pressure.fraction"))).isGreaterThanOrEqualTo(0.4);
		assertThat(results).containsEntry("recovered.flag", "true")
			.containsEntry("recovered.call", "pong")
			.containsEntry("recovered.stream", "pong")
			.containsEntry("recovered.health", "UP")
			.containsKey("done");
	}

	private Map<String, String> runChild(String java, String collector) throws IOException, InterruptedException {
		Path output = Files.createTempFile("memory-child", ".log");
		List<String> command = new ArrayList<>(List.of(java, "-Xmx64m", collector, "-cp",
				System.getProperty("java.class.path"), MemoryPressureChild.class.getName(), "0.4"));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
		try {
			boolean exited = process.waitFor(120, TimeUnit.SECONDS);
			String log = Files.readString(output, StandardCharsets.UTF_8);
			assertThat(exited).as("child finished within 120s:%n%s", log).isTrue();
			assertThat(process.exitValue()).as("child exit value:%n%s", log).isZero();
			Map<String, String> results = new LinkedHashMap<>();
			for (String line : log.split("\\R")) {
				int equals = line.indexOf('=');
				if (equals > 0 && !line.contains(" ")) {
					results.put(line.substring(0, equals), line.substring(equals + 1));
				}
				else if (line.equals("done")) {
					results.put("done", "");
				}
			}
			return results;
		}
		finally {
			process.destroyForcibly();
			Files.deleteIfExists(output);
		}
	}

}
