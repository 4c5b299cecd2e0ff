package io.github.airesource.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The soak's summary: figures in sections and the checks with their verdicts, as one
 * Markdown table, printed and kept in a file.
 */
final class SoakSummary {

	private final List<String[]> rows = new ArrayList<>();

	private final List<String> failures = new ArrayList<>();

	/**
	 * Start a section of the table.
	 * @param title the section's title
	 */
	void section(String title) {
		this.rows.add(new String[] { "**" + title + "**", "" });
	}

	/**
	 * Add a figure.
	 * @param what what it is
	 * @param value its value
	 */
	void figure(String what, Object value) {
		this.rows.add(new String[] { what, String.valueOf(value) });
	}

	/**
	 * Add a check and its verdict.
	 * @param what what is checked
	 * @param passed whether it holds
	 * @param detail the figures behind the verdict
	 */
	void check(String what, boolean passed, String detail) {
		this.rows.add(new String[] { (passed ? "PASS " : "FAIL ") + what, detail });
		if (!passed) {
			this.failures.add(what + ": " + detail);
		}
	}

	/**
	 * Return the checks that failed.
	 * @return what failed, with its figures
	 */
	List<String> failures() {
		return List.copyOf(this.failures);
	}

	/**
	 * Return the table as Markdown.
	 * @param title the heading above it
	 * @return the text
	 */
	String render(String title) {
		StringBuilder text = new StringBuilder("# ").append(title).append("\n\n| | |\n|---|---|\n");
		for (String[] row : this.rows) {
			text.append("| ").append(cell(row[0])).append(" | ").append(cell(row[1])).append(" |\n");
		}
		return text.toString();
	}

	/**
	 * Write the table to a file, creating its directory.
	 * @param file the file
	 * @param title the heading above the table
	 * @throws IOException if it cannot be written
	 */
	void write(Path file, String title) throws IOException {
		Files.createDirectories(file.getParent());
		Files.writeString(file, render(title), StandardCharsets.UTF_8);
	}

	private static String cell(String text) {
		return text.replace("|", "\\|").replace("\n", " ");
	}

}
