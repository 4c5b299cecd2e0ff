package io.github.airesource.core.cache;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

import io.github.airesource.core.ResourceContextKeys;

import org.springframework.lang.Nullable;
import org.springframework.util.StringUtils;

/**
 * The cache controls a caller passed as advisor params for one call.
 *
 * <pre class="code">
 * chatClient.prompt().user(q)
 *     .advisors((a) -&gt; a.param(ResourceContextKeys.CACHE_TTL, "10m")
 *                     .param(ResourceContextKeys.CACHE_NAMESPACE, "faq"))
 *     .call();
 * </pre>
 *
 * @param bypass whether to skip the caches entirely
 * @param refresh whether to skip the lookup and replace the stored answer
 * @param ttl how long to keep this call's answer, or {@code null} for the configured TTL
 * @param namespace the namespace, empty when none was given
 * @param threshold the requested semantic similarity threshold, or {@code null}
 */
public record CacheControls(boolean bypass, boolean refresh, @Nullable Duration ttl, String namespace,
		@Nullable Double threshold) {

	/** No controls: look up, store with the configured TTL, no namespace. */
	public static final CacheControls NONE = new CacheControls(false, false, null, "", null);

	/**
	 * Read the controls from a request's context.
	 * @param context the request context holding the advisor params
	 * @return the controls
	 * @throws IllegalArgumentException when a control has a value of the wrong kind,
	 * naming the param
	 */
	public static CacheControls of(Map<String, Object> context) {
		Object bypass = context.get(ResourceContextKeys.CACHE_BYPASS);
		Object refresh = context.get(ResourceContextKeys.CACHE_REFRESH);
		Object ttl = context.get(ResourceContextKeys.CACHE_TTL);
		Object namespace = context.get(ResourceContextKeys.CACHE_NAMESPACE);
		Object threshold = context.get(ResourceContextKeys.CACHE_THRESHOLD);
		if (bypass == null && refresh == null && ttl == null && namespace == null && threshold == null) {
			return NONE;
		}
		return new CacheControls(flag(ResourceContextKeys.CACHE_BYPASS, bypass),
				flag(ResourceContextKeys.CACHE_REFRESH, refresh), duration(ttl),
				(namespace != null) ? namespace.toString() : "", fraction(threshold));
	}

	/**
	 * Return the semantic threshold to apply: the configured one, or the requested one
	 * when it is higher, since a caller may only ask for stricter matches.
	 * @param configured the configured threshold
	 * @return the threshold to apply
	 */
	public double thresholdAtLeast(double configured) {
		return (this.threshold != null) ? Math.max(configured, this.threshold) : configured;
	}

	/**
	 * Return the TTL for this call's entry.
	 * @param configured the configured TTL
	 * @return this call's TTL if given, else the configured one
	 */
	public Duration ttlOr(Duration configured) {
		return (this.ttl != null) ? this.ttl : configured;
	}

	private static boolean flag(String name, @Nullable Object value) {
		if (value == null) {
			return false;
		}
		if (value instanceof Boolean bool) {
			return bool;
		}
		String text = value.toString().trim().toLowerCase(Locale.ROOT);
		if (text.equals("true") || text.equals("false")) {
			return Boolean.parseBoolean(text);
		}
		throw new IllegalArgumentException("Advisor param '" + name + "' must be true or false, not '" + value + "'");
	}

	@Nullable
	private static Duration duration(@Nullable Object value) {
		if (value == null) {
			return null;
		}
		Duration ttl = (value instanceof Duration duration) ? duration : parseDuration(value);
		if (ttl.isNegative() || ttl.isZero()) {
			throw new IllegalArgumentException(
					"Advisor param '" + ResourceContextKeys.CACHE_TTL + "' must be positive, not '" + value + "'");
		}
		return ttl;
	}

	private static Duration parseDuration(Object value) {
		if (value instanceof Number seconds) {
			return Duration.ofMillis(Math.round(seconds.doubleValue() * 1000));
		}
		String text = value.toString().trim().toLowerCase(Locale.ROOT);
		try {
			if (text.startsWith("pt") || text.startsWith("p")) {
				return Duration.parse(text.toUpperCase(Locale.ROOT));
			}
			int unitAt = 0;
			while (unitAt < text.length() && (Character.isDigit(text.charAt(unitAt)))) {
				unitAt++;
			}
			if (unitAt > 0) {
				long amount = Long.parseLong(text.substring(0, unitAt));
				String unit = text.substring(unitAt);
				switch (unit) {
					case "", "s":
						return Duration.ofSeconds(amount);
					case "ms":
						return Duration.ofMillis(amount);
					case "m":
						return Duration.ofMinutes(amount);
					case "h":
						return Duration.ofHours(amount);
					case "d":
						return Duration.ofDays(amount);
					default:
						break;
				}
			}
		}
		catch (DateTimeParseException | NumberFormatException ex) {
			// fall through to the error below, which names the param
		}
		throw new IllegalArgumentException("Advisor param '" + ResourceContextKeys.CACHE_TTL
				+ "' must be a Duration, seconds, or text such as 30s, 5m, 1h or PT1H, not '" + value + "'");
	}

	@Nullable
	private static Double fraction(@Nullable Object value) {
		if (value == null) {
			return null;
		}
		double threshold;
		try {
			threshold = (value instanceof Number number) ? number.doubleValue()
					: Double.parseDouble(StringUtils.trimWhitespace(value.toString()));
		}
		catch (NumberFormatException ex) {
			threshold = Double.NaN;
		}
		if (!(threshold >= 0 && threshold <= 1)) {
			throw new IllegalArgumentException("Advisor param '" + ResourceContextKeys.CACHE_THRESHOLD
					+ "' must be a number between 0 and 1, not '" + value + "'");
		}
		return threshold;
	}

}
