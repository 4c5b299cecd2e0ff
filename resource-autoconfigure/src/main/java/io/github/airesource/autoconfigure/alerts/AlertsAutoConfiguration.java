package io.github.airesource.autoconfigure.alerts;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.airesource.autoconfigure.ConditionalOnResourceEnabled;
import io.github.airesource.autoconfigure.ResourceAutoConfiguration;
import io.github.airesource.autoconfigure.budget.BudgetAutoConfiguration;
import io.github.airesource.autoconfigure.cache.ResponseCacheAutoConfiguration;
import io.github.airesource.autoconfigure.cache.SemanticCacheAutoConfiguration;
import io.github.airesource.autoconfigure.cache.ToolCacheAutoConfiguration;
import io.github.airesource.autoconfigure.concurrency.ConcurrencyAutoConfiguration;
import io.github.airesource.autoconfigure.ratelimit.RateLimitAutoConfiguration;
import io.github.airesource.autoconfigure.usage.UsageAutoConfiguration;
import io.github.airesource.core.alerts.AlertEvaluator;
import io.github.airesource.core.alerts.AlertListener;
import io.github.airesource.core.alerts.AlertRule;
import io.github.airesource.core.alerts.AlertRules;
import io.github.airesource.core.alerts.BudgetForecaster;
import io.github.airesource.core.alerts.LatencyWindow;
import io.github.airesource.core.alerts.SpendReporter;
import io.github.airesource.core.alerts.WebhookNotifier;
import io.github.airesource.core.budget.Budgets;
import io.github.airesource.core.cache.ManagedCache;
import io.github.airesource.core.concurrency.ConcurrencyBulkhead;
import io.github.airesource.core.ratelimit.ProviderHolds;
import io.github.airesource.core.usage.ledger.UsageLedger;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Threshold alerts ({@code ai.resource.alerts.*}), off until
 * {@code ai.resource.alerts.enabled=true}: an {@link AlertEvaluator} with a rule per
 * non-zero threshold whose feature is enabled (the usage ledger, budgets, caches, the
 * bulkhead, provider holds), run by an {@link AlertsScheduler} while the context runs,
 * announcing transitions as {@link AlertEvent}s and, when a URL is set, to a webhook.
 */
@AutoConfiguration(after = { ResourceAutoConfiguration.class, UsageAutoConfiguration.class,
		BudgetAutoConfiguration.class, RateLimitAutoConfiguration.class, ConcurrencyAutoConfiguration.class,
		ResponseCacheAutoConfiguration.class, SemanticCacheAutoConfiguration.class, ToolCacheAutoConfiguration.class })
@ConditionalOnClass(AlertEvaluator.class)
@ConditionalOnResourceEnabled
@ConditionalOnBooleanProperty(name = AlertsProperties.PREFIX + ".enabled")
@EnableConfigurationProperties(AlertsProperties.class)
public class AlertsAutoConfiguration {

	/** How many model calls the latency window keeps. */
	static final int LATENCY_WINDOW_CAPACITY = 4096;

	/** How many of the most used keys of each scoped budget limit are forecast. */
	static final int FORECAST_KEYS = 10;

	@Bean
	@ConditionalOnMissingBean
	AlertEventPublisher resourceAlertEventPublisher(ApplicationEventPublisher publisher) {
		return new AlertEventPublisher(publisher);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(prefix = AlertsProperties.PREFIX, name = "webhook.url")
	WebhookNotifier resourceAlertWebhookNotifier(AlertsProperties properties) {
		AlertsProperties.Webhook webhook = properties.getWebhook();
		return new WebhookNotifier(webhook.uri(), webhook.getFormat(), webhook.getTimeout(), webhook.getRetries());
	}

	/**
	 * The latencies behind the slow-calls rule; a usage listener, so only when the rule
	 * is set, sparing calls the recording otherwise.
	 * @return the window
	 */
	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnProperty(prefix = AlertsProperties.PREFIX, name = "thresholds.slow-calls")
	LatencyWindow resourceAlertLatencyWindow() {
		return new LatencyWindow(LATENCY_WINDOW_CAPACITY, Duration.ofMinutes(1), Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean({ Budgets.class, UsageLedger.class })
	BudgetForecaster resourceBudgetForecaster(Budgets budgets, UsageLedger ledger) {
		return new BudgetForecaster(budgets, ledger, Clock.systemUTC(), FORECAST_KEYS);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(UsageLedger.class)
	@ConditionalOnBooleanProperty(name = AlertsProperties.PREFIX + ".spend-report.enabled")
	SpendReporter resourceSpendReporter(AlertsProperties properties, UsageLedger ledger) {
		AlertsProperties.SpendReport report = properties.getSpendReport();
		return new SpendReporter(ledger, report.getTime(), report.getZone(), report.getTopTenants(), Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	AlertEvaluator resourceAlertEvaluator(AlertsProperties properties, ObjectProvider<UsageLedger> ledger,
			ObjectProvider<Budgets> budgets, ObjectProvider<BudgetForecaster> forecaster,
			ObjectProvider<ConcurrencyBulkhead> bulkhead, ObjectProvider<ProviderHolds> holds,
			ObjectProvider<ManagedCache> caches, ObjectProvider<LatencyWindow> latencies,
			ObjectProvider<AlertListener> listeners) {
		AlertsProperties.Thresholds thresholds = properties.getThresholds();
		List<AlertRule> rules = new ArrayList<>();
		if (thresholds.getHeapUsage() > 0) {
			rules.add(AlertRules.heapUsage(thresholds.getHeapUsage()));
		}
		UsageLedger usage = ledger.getIfUnique();
		if (usage != null) {
			if (thresholds.getTokensPerMinute() > 0) {
				rules.add(AlertRules.tokensPerMinute(usage, thresholds.getTokensPerMinute()));
			}
			if (thresholds.getCostPerHour() > 0) {
				rules.add(AlertRules.costPerHour(usage, thresholds.getCostPerHour()));
			}
			if (thresholds.getErrorRate() > 0) {
				rules.add(AlertRules.errorRate(usage, thresholds.getErrorRate(), properties.getErrorRateMinCalls()));
			}
		}
		LatencyWindow window = latencies.getIfUnique();
		if (window != null && thresholds.getSlowCalls().toMillis() > 0) {
			rules.add(AlertRules.slowCalls(window, thresholds.getSlowCalls()));
		}
		Budgets budgetsBean = budgets.getIfUnique();
		if (budgetsBean != null && thresholds.getBudgetUsed() > 0) {
			rules.add(AlertRules.budgetUsed(budgetsBean, thresholds.getBudgetUsed()));
		}
		BudgetForecaster forecasts = forecaster.getIfUnique();
		if (forecasts != null && thresholds.getBudgetExhaustionHours() > 0) {
			rules.add(AlertRules.budgetExhaustion(forecasts, thresholds.getBudgetExhaustionHours()));
		}
		List<ManagedCache> cacheList = caches.orderedStream().toList();
		if (!cacheList.isEmpty() && thresholds.getCacheHitRatio() > 0) {
			rules.add(AlertRules.cacheHitRatio(cacheList, thresholds.getCacheHitRatio(),
					properties.getCacheMinLookups()));
		}
		ConcurrencyBulkhead bulkheadBean = bulkhead.getIfUnique();
		if (bulkheadBean != null && thresholds.getBulkheadQueue() > 0) {
			rules.add(AlertRules.bulkheadQueue(bulkheadBean, thresholds.getBulkheadQueue()));
		}
		ProviderHolds holdsBean = holds.getIfUnique();
		if (holdsBean != null && thresholds.getProviderHolds() > 0) {
			rules.add(AlertRules.providerHolds(holdsBean, thresholds.getProviderHolds()));
		}
		return new AlertEvaluator(rules, listeners.orderedStream().toList(), properties.getCooldown(),
				Clock.systemUTC());
	}

	@Bean
	@ConditionalOnMissingBean
	AlertsScheduler resourceAlertsScheduler(AlertEvaluator evaluator, ObjectProvider<SpendReporter> spendReporter,
			AlertsProperties properties) {
		return new AlertsScheduler(evaluator, spendReporter.getIfUnique(), properties.getCheckInterval());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(name = "io.micrometer.core.instrument.MeterRegistry")
	static class AlertsMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		AlertsMetrics resourceAlertsMetrics(ObjectProvider<AlertEvaluator> evaluator,
				ObjectProvider<WebhookNotifier> webhook) {
			return new AlertsMetrics(evaluator, webhook);
		}

	}

}
