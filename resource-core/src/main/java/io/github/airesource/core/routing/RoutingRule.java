package io.github.airesource.core.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.github.airesource.core.ResourceContextKeys;
import io.github.airesource.core.model.ModelNames;

import org.springframework.lang.Nullable;
import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * One routing rule: the conditions a call must meet, all of them, and the model it is
 * sent to when it does. A condition left unset matches every call.
 *
 * <ul>
 * <li>{@code minPromptTokens} / {@code maxPromptTokens}: the prompt's tokens (counted
 * once per call) are at least / at most the bound;</li>
 * <li>{@code tools}: the request carries tool definitions ({@code true}) or none
 * ({@code false});</li>
 * <li>{@code tenants} / {@code users}: the call's scope is one of these ids;</li>
 * <li>{@code params}: each advisor param equals the value ({@code tier} is a shortcut for
 * the param {@value ResourceContextKeys#TIER});</li>
 * <li>{@code models}: the model the call would go to is one of these (compared by family,
 * so {@code gpt-4o} matches {@code gpt-4o-2024-08-06}).</li>
 * </ul>
 */
public final class RoutingRule {

	private final String name;

	@Nullable
	private final Integer minPromptTokens;

	@Nullable
	private final Integer maxPromptTokens;

	@Nullable
	private final Boolean tools;

	private final Set<String> tenants;

	private final Set<String> users;

	private final Map<String, String> params;

	private final Set<String> models;

	private final String model;

	private RoutingRule(Builder builder) {
		this.name = builder.name;
		this.minPromptTokens = builder.minPromptTokens;
		this.maxPromptTokens = builder.maxPromptTokens;
		this.tools = builder.tools;
		this.tenants = Set.copyOf(builder.tenants);
		this.users = Set.copyOf(builder.users);
		this.params = Map.copyOf(builder.params);
		this.models = builder.models.stream()
			.map((model) -> ModelNames.family(ModelNames.normalize(model)))
			.collect(java.util.stream.Collectors.toUnmodifiableSet());
		this.model = builder.model;
	}

	/**
	 * Start a rule that sends matching calls to a model.
	 * @param model the target model
	 * @return the builder
	 */
	public static Builder to(String model) {
		return new Builder(model);
	}

	/**
	 * Return the rule's name, used in the routing decision and logs.
	 * @return the name
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Return the model that matching calls are sent to.
	 * @return the model
	 */
	public String model() {
		return this.model;
	}

	/**
	 * Whether the rule needs the prompt's token count.
	 * @return whether a token bound is set
	 */
	boolean needsTokens() {
		return this.minPromptTokens != null || this.maxPromptTokens != null;
	}

	/**
	 * Whether the rule needs the call's scope.
	 * @return whether tenants or users are set
	 */
	boolean needsScope() {
		return !this.tenants.isEmpty() || !this.users.isEmpty();
	}

	/**
	 * Whether a call meets every condition of the rule.
	 * @param call what is known of the call
	 * @return whether the rule applies
	 */
	boolean matches(RoutingCall call) {
		if (!this.models.isEmpty() && !this.models.contains(ModelNames.family(ModelNames.normalize(call.model())))) {
			return false;
		}
		if (this.tools != null && this.tools != call.hasTools()) {
			return false;
		}
		for (Map.Entry<String, String> param : this.params.entrySet()) {
			Object value = call.param(param.getKey());
			if (value == null || !param.getValue().equals(value.toString())) {
				return false;
			}
		}
		if (!this.tenants.isEmpty() && !this.tenants.contains(call.scope().tenant())) {
			return false;
		}
		if (!this.users.isEmpty() && !this.users.contains(call.scope().user())) {
			return false;
		}
		if (needsTokens()) {
			int tokens = call.promptTokens();
			if (this.minPromptTokens != null && tokens < this.minPromptTokens) {
				return false;
			}
			if (this.maxPromptTokens != null && tokens > this.maxPromptTokens) {
				return false;
			}
		}
		return true;
	}

	@Override
	public String toString() {
		return "RoutingRule[" + this.name + " -> " + this.model + "]";
	}

	/**
	 * Builder for {@link RoutingRule}.
	 */
	public static final class Builder {

		private final String model;

		private String name;

		@Nullable
		private Integer minPromptTokens;

		@Nullable
		private Integer maxPromptTokens;

		@Nullable
		private Boolean tools;

		private Set<String> tenants = Set.of();

		private Set<String> users = Set.of();

		private final Map<String, String> params = new LinkedHashMap<>();

		private Set<String> models = Set.of();

		private Builder(String model) {
			Assert.hasText(model, "model must not be empty");
			this.model = model;
			this.name = "to " + model;
		}

		/**
		 * Set the rule's name.
		 * @param name the name
		 * @return this builder
		 */
		public Builder name(String name) {
			Assert.hasText(name, "name must not be empty");
			this.name = name;
			return this;
		}

		/**
		 * Match prompts of at least this many tokens.
		 * @param minPromptTokens the bound, or {@code null} for none
		 * @return this builder
		 */
		public Builder minPromptTokens(@Nullable Integer minPromptTokens) {
			Assert.isTrue(minPromptTokens == null || minPromptTokens >= 0, "minPromptTokens must not be negative");
			this.minPromptTokens = minPromptTokens;
			return this;
		}

		/**
		 * Match prompts of at most this many tokens.
		 * @param maxPromptTokens the bound, or {@code null} for none
		 * @return this builder
		 */
		public Builder maxPromptTokens(@Nullable Integer maxPromptTokens) {
			Assert.isTrue(maxPromptTokens == null || maxPromptTokens >= 0, "maxPromptTokens must not be negative");
			this.maxPromptTokens = maxPromptTokens;
			return this;
		}

		/**
		 * Match requests with tool definitions ({@code true}) or without ({@code false}).
		 * @param tools whether tools must be present, or {@code null} for either
		 * @return this builder
		 */
		public Builder tools(@Nullable Boolean tools) {
			this.tools = tools;
			return this;
		}

		/**
		 * Match calls of these tenants.
		 * @param tenants the tenant ids, empty for any
		 * @return this builder
		 */
		public Builder tenants(List<String> tenants) {
			this.tenants = Set.copyOf(tenants);
			return this;
		}

		/**
		 * Match calls of these users.
		 * @param users the user ids, empty for any
		 * @return this builder
		 */
		public Builder users(List<String> users) {
			this.users = Set.copyOf(users);
			return this;
		}

		/**
		 * Match calls whose advisor param {@value ResourceContextKeys#TIER} equals a
		 * value.
		 * @param tier the tier, or {@code null} for any
		 * @return this builder
		 */
		public Builder tier(@Nullable String tier) {
			if (StringUtils.hasText(tier)) {
				this.params.put(ResourceContextKeys.TIER, tier);
			}
			return this;
		}

		/**
		 * Match calls whose advisor param equals a value (compared as text).
		 * @param name the advisor param
		 * @param value the value
		 * @return this builder
		 */
		public Builder param(String name, String value) {
			Assert.hasText(name, "name must not be empty");
			Assert.notNull(value, "value must not be null");
			this.params.put(name, value);
			return this;
		}

		/**
		 * Match calls that would go to one of these models.
		 * @param models the models, empty for any
		 * @return this builder
		 */
		public Builder models(List<String> models) {
			this.models = Set.copyOf(Objects.requireNonNull(models));
			return this;
		}

		public RoutingRule build() {
			Assert.isTrue(
					this.minPromptTokens == null || this.maxPromptTokens == null
							|| this.maxPromptTokens >= this.minPromptTokens,
					"maxPromptTokens must not be below minPromptTokens");
			return new RoutingRule(this);
		}

	}

}
