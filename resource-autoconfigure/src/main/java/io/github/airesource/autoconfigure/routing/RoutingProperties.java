package io.github.airesource.autoconfigure.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.routing.RoutingAdvisor;
import io.github.airesource.core.routing.RoutingRule;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * Model routing: ordered rules that send matching calls to another model, and a
 * context-window rule that sends prompts too large for their model to a larger-context
 * one.
 */
@ConfigurationProperties(RoutingProperties.PREFIX)
public class RoutingProperties implements InitializingBean {

	/** The prefix of the routing properties. */
	public static final String PREFIX = "ai.resource.routing";

	/**
	 * Whether calls are routed by the rules and the context-window rule.
	 */
	private boolean enabled = false;

	/**
	 * Routing rules, tried in order; the first whose conditions all hold sends the call
	 * to its model.
	 */
	private List<Rule> rules = new ArrayList<>();

	/**
	 * Model that takes a prompt (plus the output it asks for) larger than the context
	 * window of the model the call would go to; empty to leave such calls as they are.
	 */
	@Nullable
	private String contextWindowFallback;

	/**
	 * Context windows in tokens by model, added to and overriding the built-in ones of
	 * OpenAI's chat models.
	 */
	private Map<String, Integer> contextWindows = new LinkedHashMap<>();

	/**
	 * Position of the routing advisor in the chat client's advisor chain.
	 */
	private int order = RoutingAdvisor.DEFAULT_ORDER;

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public List<Rule> getRules() {
		return this.rules;
	}

	public void setRules(List<Rule> rules) {
		this.rules = rules;
	}

	@Nullable
	public String getContextWindowFallback() {
		return this.contextWindowFallback;
	}

	public void setContextWindowFallback(@Nullable String contextWindowFallback) {
		this.contextWindowFallback = contextWindowFallback;
	}

	public Map<String, Integer> getContextWindows() {
		return this.contextWindows;
	}

	public void setContextWindows(Map<String, Integer> contextWindows) {
		this.contextWindows = contextWindows;
	}

	public int getOrder() {
		return this.order;
	}

	public void setOrder(int order) {
		this.order = order;
	}

	/**
	 * Return the rules as the advisor takes them.
	 * @return the rules, in order
	 */
	List<RoutingRule> toRules() {
		List<RoutingRule> built = new ArrayList<>();
		for (int i = 0; i < this.rules.size(); i++) {
			built.add(this.rules.get(i).toRule(i));
		}
		return built;
	}

	@Override
	public void afterPropertiesSet() {
		for (int i = 0; i < this.rules.size(); i++) {
			this.rules.get(i).validate(PREFIX + ".rules[" + i + "]");
		}
		this.contextWindows.forEach((model, tokens) -> {
			if (tokens == null || tokens <= 0) {
				throw new InvalidResourcePropertyException(PREFIX + ".context-windows[" + model + "]", tokens,
						"a context window must be a positive number of tokens", "Set " + PREFIX + ".context-windows["
								+ model + "] to the model's context window, such as " + "128000.");
			}
		});
	}

	/**
	 * One routing rule: conditions, all of which must hold (an unset one always holds),
	 * and the model a matching call goes to.
	 */
	public static class Rule {

		/**
		 * Name of the rule, shown in the routing decision; defaults to rules[index].
		 */
		@Nullable
		private String name;

		/**
		 * Matches prompts of at least this many tokens.
		 */
		@Nullable
		private Integer minPromptTokens;

		/**
		 * Matches prompts of at most this many tokens.
		 */
		@Nullable
		private Integer maxPromptTokens;

		/**
		 * Whether the request must carry tool definitions (true) or none (false); unset
		 * for either.
		 */
		@Nullable
		private Boolean tools;

		/**
		 * Matches calls of these tenants.
		 */
		private List<String> tenants = new ArrayList<>();

		/**
		 * Matches calls of these users.
		 */
		private List<String> users = new ArrayList<>();

		/**
		 * Matches calls whose advisor param ai.resource.tier equals this value.
		 */
		@Nullable
		private String tier;

		/**
		 * Matches calls whose advisor params equal these values, by param name.
		 */
		private Map<String, String> params = new LinkedHashMap<>();

		/**
		 * Matches calls that would go to one of these models (compared by family).
		 */
		private List<String> models = new ArrayList<>();

		/**
		 * Model that matching calls are sent to.
		 */
		@Nullable
		private String model;

		@Nullable
		public String getName() {
			return this.name;
		}

		public void setName(@Nullable String name) {
			this.name = name;
		}

		@Nullable
		public Integer getMinPromptTokens() {
			return this.minPromptTokens;
		}

		public void setMinPromptTokens(@Nullable Integer minPromptTokens) {
			this.minPromptTokens = minPromptTokens;
		}

		@Nullable
		public Integer getMaxPromptTokens() {
			return this.maxPromptTokens;
		}

		public void setMaxPromptTokens(@Nullable Integer maxPromptTokens) {
			this.maxPromptTokens = maxPromptTokens;
		}

		@Nullable
		public Boolean getTools() {
			return this.tools;
		}

		public void setTools(@Nullable Boolean tools) {
			this.tools = tools;
		}

		public List<String> getTenants() {
			return this.tenants;
		}

		public void setTenants(List<String> tenants) {
			this.tenants = tenants;
		}

		public List<String> getUsers() {
			return this.users;
		}

		public void setUsers(List<String> users) {
			this.users = users;
		}

		@Nullable
		public String getTier() {
			return this.tier;
		}

		public void setTier(@Nullable String tier) {
			this.tier = tier;
		}

		public Map<String, String> getParams() {
			return this.params;
		}

		public void setParams(Map<String, String> params) {
			this.params = params;
		}

		public List<String> getModels() {
			return this.models;
		}

		public void setModels(List<String> models) {
			this.models = models;
		}

		@Nullable
		public String getModel() {
			return this.model;
		}

		public void setModel(@Nullable String model) {
			this.model = model;
		}

		void validate(String property) {
			if (!StringUtils.hasText(this.model)) {
				throw new InvalidResourcePropertyException(property + ".model", this.model,
						"a rule must name the model that matching calls go to",
						"Set " + property + ".model to a model, such as gpt-4o-mini.");
			}
			checkNotNegative(property + ".min-prompt-tokens", this.minPromptTokens);
			checkNotNegative(property + ".max-prompt-tokens", this.maxPromptTokens);
			if (this.minPromptTokens != null && this.maxPromptTokens != null
					&& this.maxPromptTokens < this.minPromptTokens) {
				throw new InvalidResourcePropertyException(property + ".max-prompt-tokens", this.maxPromptTokens,
						"the bound is below " + property + ".min-prompt-tokens (" + this.minPromptTokens
								+ "), so the rule can never match",
						"Set " + property + ".max-prompt-tokens to at least " + this.minPromptTokens + ", or lower "
								+ property + ".min-prompt-tokens.");
			}
			this.params.forEach((name, value) -> {
				if (!StringUtils.hasText(value)) {
					throw new InvalidResourcePropertyException(property + ".params[" + name + "]", value,
							"a param condition needs a value to compare with",
							"Set " + property + ".params[" + name + "] to the value the advisor param must have.");
				}
			});
		}

		private static void checkNotNegative(String property, @Nullable Integer value) {
			if (value != null && value < 0) {
				throw new InvalidResourcePropertyException(property, value, "a token bound cannot be negative",
						"Set " + property + " to 0 or more tokens.");
			}
		}

		RoutingRule toRule(int index) {
			RoutingRule.Builder rule = RoutingRule.to(this.model)
				.name(StringUtils.hasText(this.name) ? this.name : "rules[" + index + "]")
				.minPromptTokens(this.minPromptTokens)
				.maxPromptTokens(this.maxPromptTokens)
				.tools(this.tools)
				.tenants(this.tenants)
				.users(this.users)
				.tier(this.tier)
				.models(this.models);
			this.params.forEach(rule::param);
			return rule.build();
		}

	}

}
