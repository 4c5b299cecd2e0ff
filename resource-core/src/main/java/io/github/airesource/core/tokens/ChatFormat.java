package io.github.airesource.core.tokens;

import com.knuddels.jtokkit.api.EncodingType;

/**
 * The fixed token overheads of OpenAI's chat format, as published with the API-reported
 * counts in OpenAI's cookbook "How to count tokens with tiktoken" (sections 6 and 7).
 *
 * @param tokensPerMessage tokens around every message ({@code <|start|>role ... <|end|>})
 * @param tokensPerName extra tokens when a message carries a {@code name}
 * @param replyPriming tokens that prime the reply ({@code <|start|>assistant<|message|>})
 * @param functionInit tokens at the start of every tool definition
 * @param propertiesInit tokens at the start of a tool's parameter list
 * @param propertyKey tokens per tool parameter
 * @param enumInit tokens (negative) when a parameter has an enum
 * @param enumItem tokens per enum value
 * @param functionsEnd tokens after all tool definitions
 */
record ChatFormat(int tokensPerMessage, int tokensPerName, int replyPriming, int functionInit, int propertiesInit,
		int propertyKey, int enumInit, int enumItem, int functionsEnd) {

	/** Overheads of the gpt-4o family and later ({@code o200k_base}). */
	static final ChatFormat O200K = new ChatFormat(3, 1, 3, 7, 3, 3, -3, 3, 12);

	/** Overheads of gpt-4 and gpt-3.5-turbo ({@code cl100k_base}). */
	static final ChatFormat CL100K = new ChatFormat(3, 1, 3, 10, 3, 3, -3, 3, 12);

	/** Estimated overhead of one assistant tool call beyond its name and arguments. */
	static final int TOOL_CALL_OVERHEAD = 3;

	static ChatFormat of(EncodingType encoding) {
		return (encoding == EncodingType.O200K_BASE) ? O200K : CL100K;
	}

}
