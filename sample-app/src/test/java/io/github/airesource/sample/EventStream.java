package io.github.airesource.sample;

import java.util.ArrayList;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.lang.Nullable;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Reads a whole {@code text/event-stream} response the way the HTML standard tells a
 * browser to, rather than through Spring's reader, which skips {@code data:} lines that
 * are empty and so loses line breaks a browser keeps.
 *
 * @param events the events in the order received
 */
record EventStream(List<Event> events) {

	/**
	 * Request a stream and read it to its end.
	 * @param spec the request
	 * @return the events
	 */
	static EventStream read(WebTestClient.RequestHeadersSpec<?> spec) {
		String body = spec.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		return parse((body != null) ? body : "");
	}

	static EventStream parse(String body) {
		List<Event> events = new ArrayList<>();
		String name = null;
		StringBuilder data = null;
		for (String line : body.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1)) {
			if (line.isEmpty()) {
				if (data != null) {
					String text = data.toString();
					events.add(new Event(name, text.endsWith("\n") ? text.substring(0, text.length() - 1) : text));
				}
				name = null;
				data = null;
			}
			else if (line.startsWith("event:")) {
				name = valueOf(line, "event:");
			}
			else if (line.startsWith("data:")) {
				data = (data != null) ? data : new StringBuilder();
				data.append(valueOf(line, "data:")).append('\n');
			}
		}
		return new EventStream(events);
	}

	private static String valueOf(String line, String field) {
		String value = line.substring(field.length());
		return value.startsWith(" ") ? value.substring(1) : value;
	}

	/**
	 * Return the data of the events with a name, joined.
	 * @param name the event name
	 * @return the joined data
	 */
	String joined(String name) {
		StringBuilder joined = new StringBuilder();
		named(name).forEach((event) -> joined.append(event.data()));
		return joined.toString();
	}

	List<Event> named(String name) {
		return this.events.stream().filter((event) -> name.equals(event.name())).toList();
	}

	Event last() {
		return this.events.get(this.events.size() - 1);
	}

	/**
	 * One event.
	 *
	 * @param name the event name, {@code null} for unnamed events
	 * @param data the data, lines joined with line feeds
	 */
	record Event(@Nullable String name, String data) {
	}

}
