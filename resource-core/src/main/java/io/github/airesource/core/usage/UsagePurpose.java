package io.github.airesource.core.usage;

import java.util.Locale;

/**
 * Why a model call was made. Calls the library makes on its own behalf (embedding
 * requests for the semantic cache, summaries of trimmed history) are recorded apart from
 * the application's chat calls, so that what the caches save and what they spend can be
 * netted.
 */
public enum UsagePurpose {

	/** The application's own chat call. */
	CHAT,

	/** An embedding request made by the semantic cache. */
	EMBEDDING,

	/** A summary of trimmed chat history. */
	SUMMARY;

	/**
	 * Return the key of the ledger line that records calls of a model made for this
	 * purpose: the model name for chat calls, {@code purpose:model} for the others, such
	 * as {@code summary:gpt-4o-mini}.
	 * @param model the model
	 * @return the ledger key
	 */
	public String ledgerKey(String model) {
		return (this == CHAT) ? model : value() + ":" + model;
	}

	/**
	 * Return the lower-case name, such as {@code embedding}.
	 * @return the value
	 */
	public String value() {
		return name().toLowerCase(Locale.ROOT);
	}

}
