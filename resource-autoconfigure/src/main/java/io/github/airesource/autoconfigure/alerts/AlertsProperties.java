package io.github.airesource.autoconfigure.alerts;

import java.net.URI;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;

import io.github.airesource.autoconfigure.InvalidResourcePropertyException;
import io.github.airesource.core.alerts.WebhookNotifier;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.lang.Nullable;

/**
 * Threshold alerts: rules evaluated every {@code check-interval}, announced as
 * application events, WARN log lines and webhook messages.
 */
@ConfigurationProperties(AlertsProperties.PREFIX)
public class AlertsProperties implements InitializingBean {

	/** The prefix of the alerts properties. */
	public static final String PREFIX = "ai.resource.alerts";

	/**
	 * Whether to evaluate alert rules.
	 */
	private boolean enabled = false;

	/**
	 * Time between two evaluations of the rules.
	 */
	private Duration checkInterval = Duration.ofSeconds(30);

	/**
	 * Least time between two announcements of an alert that keeps holding.
	 */
	private Duration cooldown = Duration.ofMinutes(10);

	/**
	 * Fewest calls in the last minute for the error-rate rule to judge.
	 */
	private int errorRateMinCalls = 10;

	/**
	 * Fewest lookups of a cache between two evaluations for the cache-hit-ratio rule to
	 * judge it.
	 */
	private int cacheMinLookups = 20;

	private final Thresholds thresholds = new Thresholds();

	private final Webhook webhook = new Webhook();

	private final SpendReport spendReport = new SpendReport();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getCheckInterval() {
		return this.checkInterval;
	}

	public void setCheckInterval(Duration checkInterval) {
		this.checkInterval = checkInterval;
	}

	public Duration getCooldown() {
		return this.cooldown;
	}

	public void setCooldown(Duration cooldown) {
		this.cooldown = cooldown;
	}

	public int getErrorRateMinCalls() {
		return this.errorRateMinCalls;
	}

	public void setErrorRateMinCalls(int errorRateMinCalls) {
		this.errorRateMinCalls = errorRateMinCalls;
	}

	public int getCacheMinLookups() {
		return this.cacheMinLookups;
	}

	public void setCacheMinLookups(int cacheMinLookups) {
		this.cacheMinLookups = cacheMinLookups;
	}

	public Thresholds getThresholds() {
		return this.thresholds;
	}

	public Webhook getWebhook() {
		return this.webhook;
	}

	public SpendReport getSpendReport() {
		return this.spendReport;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.checkInterval == null || this.checkInterval.isNegative() || this.checkInterval.isZero()) {
			throw new InvalidResourcePropertyException(PREFIX + ".check-interval", this.checkInterval,
					"the check interval must be positive",
					"Set " + PREFIX + ".check-interval to a duration such as 30s.");
		}
		if (this.cooldown == null || this.cooldown.isNegative()) {
			throw new InvalidResourcePropertyException(PREFIX + ".cooldown", this.cooldown,
					"a cooldown cannot be negative",
					"Set " + PREFIX + ".cooldown to a duration such as 10m, or 0s to repeat on every check.");
		}
		notNegative("error-rate-min-calls", this.errorRateMinCalls, "calls, such as 10");
		notNegative("cache-min-lookups", this.cacheMinLookups, "lookups, such as 20");
		fraction("heap-usage", this.thresholds.heapUsage, "0.85");
		fraction("error-rate", this.thresholds.errorRate, "0.05");
		fraction("budget-used", this.thresholds.budgetUsed, "0.8");
		fraction("cache-hit-ratio", this.thresholds.cacheHitRatio, "0.2");
		fraction("bulkhead-queue", this.thresholds.bulkheadQueue, "0.8");
		notNegative("thresholds.tokens-per-minute", this.thresholds.tokensPerMinute, "tokens, such as 100000");
		notNegative("thresholds.cost-per-hour", this.thresholds.costPerHour, "USD, such as 5.00");
		notNegative("thresholds.provider-holds", this.thresholds.providerHolds, "holds, such as 1");
		notNegative("thresholds.budget-exhaustion-hours", this.thresholds.budgetExhaustionHours, "hours, such as 6");
		if (this.thresholds.slowCalls == null || this.thresholds.slowCalls.isNegative()) {
			throw new InvalidResourcePropertyException(PREFIX + ".thresholds.slow-calls", this.thresholds.slowCalls,
					"a latency bound cannot be negative",
					"Set " + PREFIX + ".thresholds.slow-calls to a duration such as 10s, or 0s to disable the rule.");
		}
		this.webhook.validate();
		this.spendReport.validate();
	}

	private static void fraction(String name, double value, String example) {
		if (!(value >= 0 && value <= 1)) {
			throw new InvalidResourcePropertyException(PREFIX + ".thresholds." + name, value,
					"a fraction must be between 0 and 1", "Set " + PREFIX + ".thresholds." + name
							+ " to a fraction such as " + example + ", or 0 to disable the rule.");
		}
	}

	private static void notNegative(String name, double value, String example) {
		if (!(value >= 0)) {
			throw new InvalidResourcePropertyException(PREFIX + "." + name, value, "the value cannot be negative",
					"Set " + PREFIX + "." + name + " to a number of " + example + ", or 0 to disable it.");
		}
	}

	/**
	 * The thresholds of the rules; 0 disables a rule.
	 */
	public static class Thresholds {

		/**
		 * Heap used as a fraction of the maximum heap from which to alert, 0 to disable.
		 */
		private double heapUsage = 0.85;

		/**
		 * Tokens (prompt plus completion) in the last minute from which to alert, 0 to
		 * disable.
		 */
		private long tokensPerMinute = 0;

		/**
		 * USD spent in the last hour from which to alert, 0 to disable.
		 */
		private double costPerHour = 0;

		/**
		 * Failed calls over calls in the last minute from which to alert, 0 to disable.
		 */
		private double errorRate = 0.05;

		/**
		 * Used fraction of any budget key from which to alert, 0 to disable.
		 */
		private double budgetUsed = 0.8;

		/**
		 * Bound on the p95 latency of the last minute's model calls, 0s to disable.
		 */
		private Duration slowCalls = Duration.ZERO;

		/**
		 * Hit ratio of a cache since the previous check below which to alert, 0 to
		 * disable.
		 */
		private double cacheHitRatio = 0;

		/**
		 * Taken fraction of the bulkhead's queue from which to alert, 0 to disable.
		 */
		private double bulkheadQueue = 0;

		/**
		 * Number of provider rate-limit holds in place from which to alert, 0 to disable.
		 */
		private int providerHolds = 0;

		/**
		 * Hours to a budget's forecast exhaustion (at the last hour's rate, before its
		 * window resets) below which to alert, 0 to disable.
		 */
		private double budgetExhaustionHours = 0;

		public double getHeapUsage() {
			return this.heapUsage;
		}

		public void setHeapUsage(double heapUsage) {
			this.heapUsage = heapUsage;
		}

		public long getTokensPerMinute() {
			return this.tokensPerMinute;
		}

		public void setTokensPerMinute(long tokensPerMinute) {
			this.tokensPerMinute = tokensPerMinute;
		}

		public double getCostPerHour() {
			return this.costPerHour;
		}

		public void setCostPerHour(double costPerHour) {
			this.costPerHour = costPerHour;
		}

		public double getErrorRate() {
			return this.errorRate;
		}

		public void setErrorRate(double errorRate) {
			this.errorRate = errorRate;
		}

		public double getBudgetUsed() {
			return this.budgetUsed;
		}

		public void setBudgetUsed(double budgetUsed) {
			this.budgetUsed = budgetUsed;
		}

		public Duration getSlowCalls() {
			return this.slowCalls;
		}

		public void setSlowCalls(Duration slowCalls) {
			this.slowCalls = slowCalls;
		}

		public double getCacheHitRatio() {
			return this.cacheHitRatio;
		}

		public void setCacheHitRatio(double cacheHitRatio) {
			this.cacheHitRatio = cacheHitRatio;
		}

		public double getBulkheadQueue() {
			return this.bulkheadQueue;
		}

		public void setBulkheadQueue(double bulkheadQueue) {
			this.bulkheadQueue = bulkheadQueue;
		}

		public int getProviderHolds() {
			return this.providerHolds;
		}

		public void setProviderHolds(int providerHolds) {
			this.providerHolds = providerHolds;
		}

		public double getBudgetExhaustionHours() {
			return this.budgetExhaustionHours;
		}

		public void setBudgetExhaustionHours(double budgetExhaustionHours) {
			this.budgetExhaustionHours = budgetExhaustionHours;
		}

	}

	/**
	 * Where to POST alert transitions and spend reports.
	 */
	public static class Webhook {

		/**
		 * URL to POST to, such as a Slack incoming webhook; empty for none.
		 */
		@Nullable
		private String url;

		/**
		 * Payload format: slack ({"text": ...}) or json (rule, status, value, threshold,
		 * time).
		 */
		private WebhookNotifier.Format format = WebhookNotifier.Format.SLACK;

		/**
		 * Bound on each attempt, connection included.
		 */
		private Duration timeout = Duration.ofSeconds(5);

		/**
		 * Attempts after the first when one fails.
		 */
		private int retries = 2;

		@Nullable
		public String getUrl() {
			return this.url;
		}

		public void setUrl(@Nullable String url) {
			this.url = url;
		}

		public WebhookNotifier.Format getFormat() {
			return this.format;
		}

		public void setFormat(WebhookNotifier.Format format) {
			this.format = format;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getRetries() {
			return this.retries;
		}

		public void setRetries(int retries) {
			this.retries = retries;
		}

		boolean isSet() {
			return this.url != null && !this.url.isBlank();
		}

		@Nullable
		URI uri() {
			return isSet() ? URI.create(this.url.trim()) : null;
		}

		void validate() {
			if (isSet()) {
				URI uri;
				try {
					uri = URI.create(this.url.trim());
				}
				catch (IllegalArgumentException ex) {
					uri = null;
				}
				String scheme = (uri != null && uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT)
						: "";
				if (!scheme.equals("http") && !scheme.equals("https")) {
					throw new InvalidResourcePropertyException(PREFIX + ".webhook.url", this.url,
							"the webhook URL is not an http or https URL",
							"Set " + PREFIX + ".webhook.url to a URL such as https://hooks.slack.com/services/...");
				}
			}
			if (this.timeout == null || this.timeout.isNegative() || this.timeout.isZero()) {
				throw new InvalidResourcePropertyException(PREFIX + ".webhook.timeout", this.timeout,
						"the timeout must be positive", "Set " + PREFIX + ".webhook.timeout to a duration such as 5s.");
			}
			if (this.retries < 0 || this.retries > 10) {
				throw new InvalidResourcePropertyException(PREFIX + ".webhook.retries", this.retries,
						"retries must be between 0 and 10",
						"Set " + PREFIX + ".webhook.retries to a number such as 2.");
			}
		}

	}

	/**
	 * The daily spend report.
	 */
	public static class SpendReport {

		/**
		 * Whether to publish a daily spend report as an event and to the webhook.
		 */
		private boolean enabled = false;

		/**
		 * Time of day of the report.
		 */
		private LocalTime time = LocalTime.of(9, 0);

		/**
		 * Time zone of the time of day.
		 */
		private ZoneId zone = ZoneOffset.UTC;

		/**
		 * How many tenants the report lists, by cost.
		 */
		private int topTenants = 5;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public LocalTime getTime() {
			return this.time;
		}

		public void setTime(LocalTime time) {
			this.time = time;
		}

		public ZoneId getZone() {
			return this.zone;
		}

		public void setZone(ZoneId zone) {
			this.zone = zone;
		}

		public int getTopTenants() {
			return this.topTenants;
		}

		public void setTopTenants(int topTenants) {
			this.topTenants = topTenants;
		}

		void validate() {
			if (this.topTenants < 0) {
				throw new InvalidResourcePropertyException(PREFIX + ".spend-report.top-tenants", this.topTenants,
						"the count cannot be negative",
						"Set " + PREFIX + ".spend-report.top-tenants to a number such as 5.");
			}
		}

	}

}
