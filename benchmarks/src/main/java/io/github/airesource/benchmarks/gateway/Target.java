package io.github.airesource.benchmarks.gateway;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.springframework.lang.Nullable;

/**
 * One path of the gateway comparison: where its chat completions go, the headers it needs
 * beside the common ones, and the process that serves it, whose CPU time is measured.
 *
 * @param name the name in the table
 * @param uri the chat-completions URI
 * @param headers the path's own headers
 * @param process the process that answers the path's requests (the model server, the
 * front or the gateway), or {@code null} when it is not known
 */
record Target(String name, URI uri, Map<String, String> headers, @Nullable ProcessHandle process) {

	/**
	 * Return the CPU time the path's process has used so far.
	 * @return the time in nanoseconds, or -1 when the process is not known
	 */
	long cpuNanos() {
		return (this.process != null) ? this.process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L) : -1;
	}

	/**
	 * Return this path served by the given process.
	 * @param pid the process id, or 0 when it is not known
	 * @return the target
	 */
	Target servedBy(long pid) {
		return new Target(this.name, this.uri, this.headers, (pid > 0) ? ProcessHandle.of(pid).orElse(null) : null);
	}

	/**
	 * The model server itself, path (a).
	 * @param serverBaseUrl the server's base URL (without {@code /v1})
	 * @return the target
	 */
	static Target direct(String serverBaseUrl) {
		return new Target("direct", URI.create(serverBaseUrl + LoopbackOpenAiServer.PATH), Map.of(), null);
	}

	/**
	 * The starter's OpenAI-compatible front, path (b).
	 * @param frontBaseUrl the front's base URL
	 * @return the target
	 */
	static Target starter(String frontBaseUrl) {
		return new Target("starter", URI.create(frontBaseUrl + LoopbackOpenAiServer.PATH), Map.of(), null);
	}

	/**
	 * The same front with every advisor of the starter off (its {@code no-advisors}
	 * profile) and the same connection pool: Spring MVC and Spring AI's client alone, so
	 * that what the starter's advisors add is the starter's latency minus this path's.
	 * @param frontBaseUrl the front's base URL
	 * @return the target
	 */
	static Target noAdvisors(String frontBaseUrl) {
		return new Target("no advisors", URI.create(frontBaseUrl + LoopbackOpenAiServer.PATH), Map.of(), null);
	}

	/**
	 * The Portkey gateway, path (c), routing to the model server as an OpenAI-compatible
	 * custom host.
	 * @param portkeyBaseUrl the gateway's base URL
	 * @param serverBaseUrl the model server's base URL (without {@code /v1})
	 * @return the target
	 */
	static Target portkey(String portkeyBaseUrl, String serverBaseUrl) {
		return new Target("Portkey", URI.create(portkeyBaseUrl + LoopbackOpenAiServer.PATH),
				Map.of("x-portkey-provider", "openai", "x-portkey-custom-host", serverBaseUrl + "/v1"), null);
	}

}
