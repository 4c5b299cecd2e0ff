package io.github.airesource.autoconfigure;

import io.github.airesource.core.scope.ScopeCaptureAdvisor;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Top-level settings of AI Resource.
 */
@ConfigurationProperties(ResourceProperties.PREFIX)
public class ResourceProperties {

	/** The prefix of every AI Resource property. */
	public static final String PREFIX = "ai.resource";

	/**
	 * Whether AI Resource adds its advisors to chat clients at all.
	 */
	private boolean enabled = true;

	private final Scope scope = new Scope();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Scope getScope() {
		return this.scope;
	}

	/**
	 * Capture of who each call is made for.
	 */
	public static class Scope {

		/**
		 * Position of the scope capture advisor in the chat client's advisor chain; keep
		 * it before every advisor that moves calls to another thread, such as chat
		 * memory.
		 */
		private int order = ScopeCaptureAdvisor.DEFAULT_ORDER;

		public int getOrder() {
			return this.order;
		}

		public void setOrder(int order) {
			this.order = order;
		}

	}

}
