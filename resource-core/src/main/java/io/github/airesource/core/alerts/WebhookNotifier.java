package io.github.airesource.core.alerts;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * POSTs alert transitions and spend reports to a webhook, as Slack-compatible
 * {@code {"text": ...}} or as plain JSON. Sending happens on one daemon thread of its own
 * behind a bounded queue (the oldest message is dropped when it is full), each attempt
 * bounded by a timeout, with a few retries: a slow or failing webhook delays nothing but
 * other webhook messages, and never a model call.
 */
public final class WebhookNotifier implements AlertListener, AutoCloseable {

	private static final Log logger = LogFactory.getLog(WebhookNotifier.class);

	private static final int QUEUE_CAPACITY = 100;

	private final URI url;

	private final Format format;

	private final Duration timeout;

	private final int retries;

	private final HttpClient client;

	private final ThreadPoolExecutor executor;

	private final ObjectMapper json = new ObjectMapper();

	private final AtomicLong sent = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	/**
	 * Create a notifier.
	 * @param url the webhook URL
	 * @param format the payload format
	 * @param timeout bound on each attempt, connection included
	 * @param retries attempts after the first when one fails
	 */
	public WebhookNotifier(URI url, Format format, Duration timeout, int retries) {
		this.url = url;
		this.format = format;
		this.timeout = timeout;
		this.retries = retries;
		this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
		this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE_CAPACITY),
				(runnable) -> {
					Thread thread = new Thread(runnable, "ai-resource-alert-webhook");
					thread.setDaemon(true);
					return thread;
				}, new ThreadPoolExecutor.DiscardOldestPolicy());
	}

	@Override
	public void onTransition(AlertTransition transition) {
		submit(payload(transition));
	}

	@Override
	public void onSpendReport(SpendReport report) {
		submit(payload(report));
	}

	/**
	 * Return the payload of a transition in this notifier's format.
	 * @param transition the transition
	 * @return the JSON text
	 */
	public String payload(AlertTransition transition) {
		if (this.format == Format.SLACK) {
			return write(Map.of("text",
					String.format(Locale.ROOT, "%s %s: %s (value %s, threshold %s)", emoji(transition.status()),
							transition.status(), transition.message(), number(transition.value()),
							number(transition.threshold()))));
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("rule", transition.rule());
		body.put("status", transition.status().name());
		body.put("value", transition.value());
		body.put("threshold", transition.threshold());
		body.put("time", transition.at().toString());
		body.put("message", transition.message());
		return write(body);
	}

	/**
	 * Return the payload of a spend report in this notifier's format.
	 * @param report the report
	 * @return the JSON text
	 */
	public String payload(SpendReport report) {
		if (this.format == Format.SLACK) {
			return write(Map.of("text", ":bar_chart: AI spend report, " + report.summary()));
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("type", "spend-report");
		body.put("time", report.at().toString());
		body.put("calls", report.calls());
		body.put("tokens", report.tokens());
		body.put("cost", report.cost());
		body.put("models", report.models());
		body.put("topTenants", report.topTenants());
		body.put("cacheHits", report.cacheHits());
		body.put("savedTokens", report.savedTokens());
		body.put("savedCost", report.savedCost());
		return write(body);
	}

	private static String emoji(AlertStatus status) {
		return (status == AlertStatus.RESOLVED) ? ":white_check_mark:" : ":warning:";
	}

	private static String number(double value) {
		return (value == Math.rint(value) && Math.abs(value) < 1e15) ? Long.toString((long) value)
				: String.format(Locale.ROOT, "%.4f", value);
	}

	private String write(Object body) {
		try {
			return this.json.writeValueAsString(body);
		}
		catch (JsonProcessingException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private void submit(String body) {
		try {
			this.executor.execute(() -> send(body));
		}
		catch (RuntimeException ex) {
			// Rejected after close: alerts at shutdown are not worth failing it.
			this.failed.incrementAndGet();
		}
	}

	private void send(String body) {
		HttpRequest request = HttpRequest.newBuilder(this.url)
			.timeout(this.timeout)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build();
		for (int attempt = 0; attempt <= this.retries; attempt++) {
			try {
				HttpResponse<Void> response = this.client.send(request, HttpResponse.BodyHandlers.discarding());
				if (response.statusCode() / 100 == 2) {
					this.sent.incrementAndGet();
					return;
				}
				logger.debug("Alert webhook answered " + response.statusCode());
			}
			catch (IOException ex) {
				logger.debug("Alert webhook failed", ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				break;
			}
		}
		this.failed.incrementAndGet();
		logger.warn("Alert webhook " + this.url.getHost() + " failed after " + (this.retries + 1) + " attempts");
	}

	/**
	 * Return the messages delivered.
	 * @return the count
	 */
	public long sent() {
		return this.sent.get();
	}

	/**
	 * Return the messages given up after every attempt failed, or dropped at shutdown.
	 * @return the count
	 */
	public long failed() {
		return this.failed.get();
	}

	/**
	 * Stop sending; messages still queued are dropped.
	 */
	@Override
	public void close() {
		this.executor.shutdownNow();
	}

	/**
	 * The webhook payload format.
	 */
	public enum Format {

		/** Slack incoming-webhook JSON: {@code {"text": "..."}}. */
		SLACK,

		/**
		 * Plain JSON with {@code rule}, {@code status}, {@code value}, {@code threshold},
		 * {@code time} and {@code message}.
		 */
		JSON

	}

}
