package io.github.airesource.sample;

/**
 * Prepares text for the {@code data} field of a server-sent event.
 *
 * <p>
 * The event-stream format lets a reader drop one space after {@code data:} on every line,
 * and Spring MVC writes the text straight after the colon. Model tokens mostly start with
 * a space ({@code " world"}), which readers would drop, so each line gets one space in
 * front that the reader removes again. Line breaks are left to Spring MVC, which starts a
 * new {@code data:} line for each.
 */
final class SseText {

	private SseText() {
	}

	/**
	 * Return the text with one space before each of its lines.
	 * @param text the text to send
	 * @return the text to put in the event
	 */
	static String protect(String text) {
		String lines = text.replace("\r\n", "\n").replace('\r', '\n');
		return " " + lines.replace("\n", "\n ");
	}

}
