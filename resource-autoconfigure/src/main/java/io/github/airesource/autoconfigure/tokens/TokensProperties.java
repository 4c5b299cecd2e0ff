package io.github.airesource.autoconfigure.tokens;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.tokens.TokenCounter;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Token counting.
 */
@ConfigurationProperties(TokensProperties.PREFIX)
public class TokensProperties implements InitializingBean {

	/** The prefix of the token counting properties. */
	public static final String PREFIX = "ai.resource.tokens";

	/**
	 * Heap bound of the memo of counted messages, all encodings together; each message
	 * costs about 150 bytes plus its text, and 0 disables the memo.
	 */
	private DataSize memoSize = DataSize.ofMegabytes(64);

	public DataSize getMemoSize() {
		return this.memoSize;
	}

	public void setMemoSize(DataSize memoSize) {
		this.memoSize = memoSize;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.memoSize == null || this.memoSize.isNegative()) {
			throw new InvalidResourcePropertyException(PREFIX + ".memo-size", this.memoSize,
					"the memo's size cannot be negative",
					"Set " + PREFIX + ".memo-size to a size such as 64MB, or to 0 to count every message anew.");
		}
	}

	/**
	 * Build the token counter these properties describe.
	 * @return the counter
	 */
	public TokenCounter toTokenCounter() {
		return TokenCounter.builder().memoSize(this.memoSize.toBytes()).build();
	}

}
