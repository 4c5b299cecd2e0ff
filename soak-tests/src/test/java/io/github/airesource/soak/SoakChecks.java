package io.github.airesource.soak;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.github.airesource.core.usage.ledger.UsageTotals;
import io.github.airesource.soak.CallRecord.Outcome;
import io.github.airesource.soak.LoopbackProvider.ModelRequest;
import io.github.airesource.soak.LoopbackProvider.Purpose;
import io.github.airesource.soak.RedisOutages.Outage;

/**
 * The checks of the soak that follow from what the callers saw and what the provider
 * billed, independently of what the library says about itself: limits and budgets by the
 * provider's own clock and bill, the failure mode during the outages, and the ledger
 * against the bill.
 */
final class SoakChecks {

	/**
	 * Outcomes that end a call before the rate limits take anything: refusals further out
	 * in the chain, cache hits, and the limits' own refusals (all limits take, or none).
	 */
	private static final Set<Outcome> NEVER_TAKEN = EnumSet.of(Outcome.BUDGET, Outcome.RATE_LIMIT,
			Outcome.PROVIDER_HOLD, Outcome.STORE_UNAVAILABLE, Outcome.PROMPT_TOO_LARGE, Outcome.MEMORY,
			Outcome.CACHE_EXACT, Outcome.CACHE_SEMANTIC);

	private final List<CallRecord> calls;

	private final List<ModelRequest> requests;

	private final Map<String, CallRecord> callsById = new HashMap<>();

	private final Map<String, List<ModelRequest>> requestsByCall = new HashMap<>();

	private final long loadStart;

	private final long loadEnd;

	SoakChecks(List<CallRecord> calls, List<ModelRequest> requests, long loadStart, long loadEnd) {
		this.calls = calls;
		this.requests = requests;
		this.loadStart = loadStart;
		this.loadEnd = loadEnd;
		calls.forEach((call) -> this.callsById.put(call.callId(), call));
		for (ModelRequest request : requests) {
			if (request.callId() != null) {
				this.requestsByCall.computeIfAbsent(request.callId(), (id) -> new ArrayList<>()).add(request);
			}
		}
	}

	/**
	 * Add the figures of the load: calls and streams, outcomes, what reached the
	 * provider.
	 * @param summary the summary
	 */
	void load(SoakSummary summary) {
		summary.section("Load");
		summary.figure("load", Duration.ofMillis(this.loadEnd - this.loadStart).toSeconds() + " s, "
				+ SoakCallers.CALLERS + " callers on platform threads, 2 instances");
		long streams = this.calls.stream().filter(CallRecord::stream).count();
		summary.figure("calls / streams", (this.calls.size() - streams) + " / " + streams);
		summary.figure("by instance", count(CallRecord::instance));
		summary.figure("by tenant", count(CallRecord::tenant));
		summary.figure("by question", count(CallRecord::kind));
		summary.figure("outcomes by tenant",
				this.calls.stream()
					.collect(Collectors.groupingBy(CallRecord::tenant, TreeMap::new,
							Collectors.groupingBy(CallRecord::outcome, TreeMap::new, Collectors.counting()))));
		summary.figure("outcomes by question",
				this.calls.stream()
					.collect(Collectors.groupingBy(CallRecord::kind, TreeMap::new,
							Collectors.groupingBy(CallRecord::outcome, TreeMap::new, Collectors.counting()))));
		summary.section("Outcomes (what the callers saw)");
		Map<Outcome, Long> outcomes = outcomes((call) -> true);
		outcomes.forEach(
				(outcome, count) -> summary.figure(outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'), count));
		summary.figure("refusals by reason",
				outcomes.entrySet()
					.stream()
					.filter((entry) -> entry.getKey().refusal())
					.map((entry) -> entry.getKey().name().toLowerCase(Locale.ROOT) + " " + entry.getValue())
					.collect(Collectors.joining(", ")));
		summary.section("Provider (what reached the model)");
		summary.figure("requests", this.requests.stream().filter((r) -> r.purpose() != Purpose.EMBEDDING).count()
				+ " (chat " + requests(Purpose.CHAT).size() + ", summaries " + requests(Purpose.SUMMARY).size() + ")");
		summary.figure("429 with Retry-After", this.requests.stream().filter((r) -> r.status() == 429).count());
		summary.figure("500", this.requests.stream().filter((r) -> r.status() == 500).count());
		summary.figure("chat requests by model", requests(Purpose.CHAT).stream()
			.collect(Collectors.groupingBy(ModelRequest::model, TreeMap::new, Collectors.counting())));
		summary.figure("embeddings", requests(Purpose.EMBEDDING).size());
		long duplicated = this.requestsByCall.values().stream().filter((list) -> list.size() > 1).count();
		summary.check("every call reached the provider at most once (no hidden retries)", duplicated == 0,
				duplicated + " calls reached it more than once");
		List<CallRecord> unexpected = this.calls.stream()
			.filter((call) -> call.outcome() == Outcome.UNEXPECTED)
			.toList();
		summary.check("no call ended in an exception the soak did not foresee", unexpected.isEmpty(),
				unexpected.size() + unexpected.stream()
					.limit(3)
					.map(CallRecord::error)
					.collect(Collectors.joining("; ", unexpected.isEmpty() ? "" : ": ", "")));
		long wrongTenant = outcomes.getOrDefault(Outcome.WRONG_TENANT, 0L);
		summary.check("no caller got an answer meant for another tenant (cached or not)", wrongTenant == 0,
				wrongTenant + " answers with another tenant's tag");
		long mismatched = this.calls.stream().filter((call) -> call.outcome() == Outcome.ANSWERED).filter((call) -> {
			ModelRequest request = request(call);
			return request == null || !request.billed() || !request.responseId().equals(call.responseId());
		}).count();
		summary.check("every answer a caller got from the model is the one the provider sent for that call",
				mismatched == 0, mismatched + " answers without a matching provider response");
		List<String> misrecorded = this.calls.stream()
			.filter((call) -> call.outcome() == Outcome.ANSWERED && request(call) != null)
			.filter((call) -> {
				ModelRequest request = request(call);
				return call.usage() == null || call.usage().promptTokens() != request.promptTokens()
						|| call.usage().cachedPromptTokens() != request.cachedTokens()
						|| call.usage().completionTokens() != request.completionTokens() || call.usage().estimated();
			})
			.map((call) -> call.callId() + (call.stream() ? " (stream)" : "") + ": " + call.usage() + " vs "
					+ request(call))
			.toList();
		summary.check("every answer's usage record (response context) holds the provider's figures",
				misrecorded.isEmpty(),
				misrecorded.size() + misrecorded.stream()
					.limit(2)
					.collect(Collectors.joining("; ", misrecorded.isEmpty() ? "" : ": ", "")));
		Set<Outcome> expected = EnumSet.of(Outcome.ANSWERED, Outcome.CACHE_EXACT, Outcome.CACHE_SEMANTIC,
				Outcome.CANCELLED, Outcome.TIMEOUT, Outcome.BUDGET, Outcome.RATE_LIMIT, Outcome.CONCURRENCY,
				Outcome.STORE_UNAVAILABLE, Outcome.PROMPT_TOO_LARGE, Outcome.MODEL_500);
		Set<Outcome> missing = EnumSet.copyOf(expected);
		missing.removeAll(outcomes.keySet());
		boolean providerLimited = outcomes.containsKey(Outcome.MODEL_429)
				|| outcomes.containsKey(Outcome.PROVIDER_HOLD);
		summary.check("the load exercised every outcome it is meant to",
				missing.isEmpty() && providerLimited && !requests(Purpose.SUMMARY).isEmpty()
						&& requests(Purpose.CHAT).stream().map(ModelRequest::model).distinct().count() >= 3,
				"missing: " + missing + (providerLimited ? "" : ", no 429 reached a caller and no provider hold"));
	}

	/**
	 * Check a request rate limit against what reached the provider: in every window of
	 * the run, the requests admitted in it (a call is admitted between its start and its
	 * request's arrival) are at most the limit's burst plus what flowed back, plus what
	 * calls refused further in gave back.
	 * @param summary the summary
	 * @param name the limit's name
	 * @param keyOf the limit's key of a call
	 * @param limit requests per period
	 * @param period the period
	 */
	void rateLimit(SoakSummary summary, String name, Function<CallRecord, String> keyOf, long limit, Duration period) {
		Map<String, List<long[]>> admitted = new HashMap<>();
		for (ModelRequest request : requests(Purpose.CHAT)) {
			CallRecord call = this.callsById.get(request.callId());
			if (call != null) {
				admitted.computeIfAbsent(keyOf.apply(call), (key) -> new ArrayList<>())
					.add(new long[] { call.start(), request.receivedAt() });
			}
		}
		Map<String, List<long[]>> gaveBack = new HashMap<>();
		for (CallRecord call : this.calls) {
			if (!NEVER_TAKEN.contains(call.outcome()) && request(call) == null) {
				gaveBack.computeIfAbsent(keyOf.apply(call), (key) -> new ArrayList<>())
					.add(new long[] { call.start(), call.end() });
			}
		}
		long periodMillis = period.toMillis();
		long first = this.loadStart - 1_000;
		long whole = this.loadEnd - first;
		long[] windows = { periodMillis / 10, periodMillis / 2, periodMillis, whole };
		double worst = 0;
		String worstAt = "none";
		boolean holds = true;
		for (Map.Entry<String, List<long[]>> entry : admitted.entrySet()) {
			List<long[]> events = entry.getValue();
			events.sort(Comparator.comparingLong((long[] event) -> event[0]));
			List<long[]> returns = gaveBack.getOrDefault(entry.getKey(), List.of());
			for (long window : windows) {
				// Windows slide through the run 100 ms at a time; the whole run is one
				// window.
				long lastFrom = (window == whole) ? first : this.loadEnd;
				for (long from = first; from <= lastFrom; from += 100) {
					long to = from + window;
					long in = 0;
					for (int i = firstFrom(events, from); i < events.size() && events.get(i)[0] <= to; i++) {
						if (events.get(i)[1] <= to) {
							in++;
						}
					}
					long returned = 0;
					for (long[] back : returns) {
						if (back[0] <= to && back[1] >= from) {
							returned++;
						}
					}
					long allowed = limit + (limit * window) / periodMillis + returned;
					if ((double) in / allowed > worst) {
						worst = (double) in / allowed;
						worstAt = in + " of " + allowed + " allowed (" + limit + " + " + (limit * window) / periodMillis
								+ " flowed back + " + returned + " given back) in " + window + " ms, key "
								+ entry.getKey();
					}
					holds &= in <= allowed;
				}
			}
		}
		summary.check("rate limit '" + name + "' (" + limit + " requests per " + period.toSeconds()
				+ " s) never exceeded by the fleet, in any window", holds, "fullest window: " + worstAt);
	}

	/**
	 * Return the index of the first event (sorted by start) that starts at or after a
	 * moment.
	 */
	private static int firstFrom(List<long[]> events, long from) {
		int low = 0;
		int high = events.size();
		while (low < high) {
			int middle = (low + high) >>> 1;
			if (events.get(middle)[0] < from) {
				low = middle + 1;
			}
			else {
				high = middle;
			}
		}
		return low;
	}

	/**
	 * Check a budget against the provider's bill: in each of its windows, what the calls
	 * settled in it (between their request's arrival and their end) were billed is within
	 * the budget. A settlement that fails is retried until Redis takes it, its
	 * reservation held meanwhile, so there is no allowance for it; only when some
	 * settlement was abandoned ({@code ai.resource.budget.settlement.abandoned}, its
	 * reservation freed by its lease and its use never charged) the check allows what the
	 * calls that ended while their instance could not reach Redis were billed. Only
	 * callers who never cancel: a cancelled stream is settled at what arrived before the
	 * cancellation, which the provider bills more for.
	 * @param summary the summary
	 * @param name the budget's name
	 * @param keyOf the budget's key of a call
	 * @param period the budget's period
	 * @param limit the budget's allowance per window, in what {@code spent} counts
	 * @param spent what a request spent of the allowance
	 * @param unit the unit of the allowance
	 * @param outages the Redis outages
	 * @param abandonedSettlements budget settlements given up, on all instances
	 */
	void budget(SoakSummary summary, String name, Function<CallRecord, String> keyOf, Duration period, BigDecimal limit,
			Function<ModelRequest, BigDecimal> spent, String unit, List<Outage> outages, long abandonedSettlements) {
		Map<String, BigDecimal> used = new HashMap<>();
		Map<String, BigDecimal> unsettled = new HashMap<>();
		Map<Integer, List<long[]>> down = downSpans(outages);
		long periodMillis = period.toMillis();
		for (CallRecord call : this.calls) {
			ModelRequest request = request(call);
			if (call.outcome() != Outcome.ANSWERED || request == null || !patient(call.tenant())) {
				continue;
			}
			long window = Math.floorDiv(request.receivedAt(), periodMillis);
			if (Math.floorDiv(call.end(), periodMillis) == window) {
				String key = keyOf.apply(call) + " in the window from +"
						+ (window * periodMillis - this.loadStart) / 1000 + " s";
				used.merge(key, spent.apply(request), BigDecimal::add);
				if (abandonedSettlements > 0 && down.getOrDefault(call.instance(), List.of())
					.stream()
					.anyMatch((span) -> call.end() >= span[0] && call.end() <= span[1])) {
					unsettled.merge(key, spent.apply(request), BigDecimal::add);
				}
			}
		}
		String worst = "none";
		BigDecimal worstShare = BigDecimal.ZERO;
		boolean holds = true;
		for (Map.Entry<String, BigDecimal> window : used.entrySet()) {
			BigDecimal lost = unsettled.getOrDefault(window.getKey(), BigDecimal.ZERO);
			BigDecimal allowed = limit.add(lost);
			holds &= window.getValue().compareTo(allowed) <= 0;
			BigDecimal share = window.getValue().divide(allowed, 6, java.math.RoundingMode.HALF_UP);
			if (share.compareTo(worstShare) > 0) {
				worstShare = share;
				worst = window.getValue().toPlainString() + " " + unit + " of " + limit.toPlainString() + " + "
						+ lost.toPlainString() + " settled while Redis was down, allowed since " + abandonedSettlements
						+ " settlements were abandoned (" + window.getKey() + ")";
			}
		}
		summary.check(
				"budget '" + name + "' (" + limit.toPlainString() + " " + unit + " per " + period.toSeconds()
						+ " s) never exceeded by the fleet, by the provider's bill",
				holds, "fullest window: " + worst + "; " + used.size() + " windows of patient keys");
	}

	/**
	 * Return, per instance, the spans in which it could not reach Redis: from each stop
	 * until the first call on that instance after the restart that got past the budget.
	 */
	private Map<Integer, List<long[]>> downSpans(List<Outage> outages) {
		Map<Integer, List<long[]>> spans = new HashMap<>();
		for (Outage outage : outages) {
			Map<Integer, Long> back = new HashMap<>();
			for (CallRecord call : this.calls) {
				if (call.start() >= outage.restarted() && request(call) != null) {
					back.merge(call.instance(), call.start(), Math::min);
				}
			}
			for (CallRecord call : this.calls) {
				spans.computeIfAbsent(call.instance(), (instance) -> new ArrayList<>());
			}
			spans.forEach((instance, list) -> list
				.add(new long[] { outage.stopRequested(), back.getOrDefault(instance, Long.MAX_VALUE) }));
		}
		return spans;
	}

	/**
	 * Check the failure mode (fail-closed) during the outages and add their figures.
	 * @param summary the summary
	 * @param outages the outages
	 */
	void outages(SoakSummary summary, List<Outage> outages) {
		summary.section("Redis outages (fail-closed)");
		for (Outage outage : outages) {
			List<CallRecord> during = this.calls.stream().filter(outage::contains).toList();
			Map<Outcome, Long> outcomes = during.stream()
				.collect(Collectors.groupingBy(CallRecord::outcome, () -> new EnumMap<>(Outcome.class),
						Collectors.counting()));
			long admitted = requests(Purpose.CHAT).stream().filter((request) -> {
				CallRecord call = this.callsById.get(request.callId());
				return call != null && call.start() >= outage.stopped()
						&& request.receivedAt() <= outage.restartRequested();
			}).count();
			long summaries = requests(Purpose.SUMMARY).stream()
				.filter((request) -> request.receivedAt() >= outage.stopped()
						&& request.receivedAt() <= outage.restartRequested())
				.count();
			CallRecord firstAfter = this.calls.stream()
				.filter((call) -> call.start() >= outage.restarted() && request(call) != null)
				.min(Comparator.comparingLong(CallRecord::start))
				.orElse(null);
			summary.figure("outage " + outage.number(), "down at +" + (outage.stopped() - this.loadStart) + " ms for "
					+ (outage.restarted() - outage.stopped()) + " ms (the restart, loading the append-only file, took "
					+ (outage.restarted() - outage.restartRequested())
					+ " ms); usage records waiting for Redis when it came back: " + outage.backlog()
					+ "; budget settlements failed (then retried): " + outage.failedSettlements()
					+ "; history summaries asked of the model meanwhile: " + summaries + "; calls wholly within: "
					+ outcomes + "; first call after the restart to reach the model started "
					+ ((firstAfter != null) ? (firstAfter.start() - outage.restarted()) + " ms after it" : "never"));
			summary.check("outage " + outage.number() + ": no call that began while Redis was down reached the model",
					admitted == 0, admitted + " requests admitted without Redis");
			summary.check("outage " + outage.number() + ": fail-closed refused calls with StoreUnavailableException",
					outcomes.getOrDefault(Outcome.STORE_UNAVAILABLE, 0L) > 0,
					outcomes.getOrDefault(Outcome.STORE_UNAVAILABLE, 0L) + " refusals");
			summary.check("outage " + outage.number() + ": the instances showed it (usage figures not fleet-wide)",
					outage.shown(), "halfway through the outage");
		}
	}

	/**
	 * Check the fleet's ledger against the provider's bill, tenant by tenant.
	 * @param summary the summary
	 * @param tenants the ledger's totals per tenant, fleet-wide
	 * @param global the ledger's global totals
	 * @param models the ledger's totals per line (model, {@code summary:model},
	 * {@code embedding:model})
	 */
	void ledger(SoakSummary summary, Map<String, UsageTotals> tenants, UsageTotals global,
			Map<String, UsageTotals> models) {
		summary.section("Ledger (Redis, fleet-wide) against the provider's bill");
		List<String> names = this.calls.stream().map(CallRecord::tenant).distinct().sorted().toList();
		for (String tenant : names) {
			UsageTotals ledger = tenants.getOrDefault(tenant, UsageTotals.EMPTY);
			Bill answered = bill((request) -> request.purpose() == Purpose.CHAT && answered(request)
					&& request.tenant().equals(tenant));
			Bill own = bill((request) -> request.purpose() != Purpose.CHAT && request.billed()
					&& request.tenant().equals(tenant));
			Bill received = answered.plus(own);
			// Streams that ended early (cancelled, timed out) are recorded with what had
			// arrived: at most what the provider billed for them, at least nothing.
			Bill abandoned = bill((request) -> request.purpose() == Purpose.CHAT && request.billed()
					&& !answered(request) && request.tenant().equals(tenant));
			Bill whole = received.plus(abandoned);
			long successes = ledger.calls() - ledger.failedCalls() - ledger.cacheHits();
			boolean within = successes == received.count && received.prompt <= ledger.promptTokens()
					&& ledger.promptTokens() <= whole.prompt && received.cached <= ledger.cachedPromptTokens()
					&& ledger.cachedPromptTokens() <= whole.cached && received.completion <= ledger.completionTokens()
					&& ledger.completionTokens() <= whole.completion
					&& ledger.cost().compareTo(received.cost.subtract(nanos(ledger.calls()))) >= 0
					&& ledger.cost().compareTo(whole.cost.add(nanos(ledger.calls()))) <= 0;
			boolean equal = ledger.promptTokens() == received.prompt && ledger.cachedPromptTokens() == received.cached
					&& ledger.completionTokens() == received.completion
					&& ledger.cost().subtract(received.cost).abs().compareTo(nanos(ledger.calls())) <= 0;
			String figures = "ledger " + describe(ledger) + "; billed for the answers received (with summaries and "
					+ "embeddings) " + received;
			if (abandoned.count == 0) {
				summary.check("tenant " + tenant + ": ledger equals what the provider billed", within && equal,
						figures);
			}
			else {
				summary.check(
						"tenant " + tenant + ": ledger equals the bill of the answers received, plus at most "
								+ "the bill of the streams that ended early",
						within, figures + "; billed for " + abandoned.count + " answers not received in full "
								+ abandoned + (equal ? "; equal to the bill of the answers received" : ""));
			}
		}
		long prompt = 0;
		long completion = 0;
		long calls = 0;
		for (UsageTotals totals : tenants.values()) {
			prompt += totals.promptTokens();
			completion += totals.completionTokens();
			calls += totals.calls();
		}
		summary.check("global ledger equals the sum of its tenants",
				global.promptTokens() == prompt && global.completionTokens() == completion && global.calls() == calls,
				"global " + describe(global) + ", tenants " + calls + " calls, " + prompt + "+" + completion
						+ " tokens");
		for (Purpose purpose : List.of(Purpose.SUMMARY, Purpose.EMBEDDING)) {
			Bill billed = bill((request) -> request.purpose() == purpose && request.billed());
			String line = purpose.name().toLowerCase(Locale.ROOT) + ":"
					+ ((purpose == Purpose.SUMMARY) ? LoopbackProvider.SUMMARY_MODEL : WordBagEmbeddingModel.MODEL);
			UsageTotals ledger = models.getOrDefault(line, UsageTotals.EMPTY);
			summary.check("ledger line '" + line + "' equals the provider's bill for it",
					ledger.promptTokens() == billed.prompt && ledger.completionTokens() == billed.completion,
					"ledger " + describe(ledger) + "; billed " + billed);
		}
		Bill abandoned = bill((request) -> request.purpose() == Purpose.CHAT && request.billed() && !answered(request));
		summary.figure("billed but not received in full (timeouts, cancellations)",
				bill((request) -> request.purpose() == Purpose.CHAT && request.billed() && !answered(request))
						+ "; not in the ledger for call() timeouts (by design), what had arrived for streams");
	}

	/**
	 * Return the calls of one outcome.
	 * @param outcome the outcome
	 * @return how many
	 */
	long count(Outcome outcome) {
		return this.calls.stream().filter((call) -> call.outcome() == outcome).count();
	}

	private boolean answered(ModelRequest request) {
		CallRecord call = this.callsById.get(request.callId());
		return call != null && call.outcome() == Outcome.ANSWERED && request.billed();
	}

	private ModelRequest request(CallRecord call) {
		List<ModelRequest> sent = this.requestsByCall.get(call.callId());
		return (sent != null) ? sent.get(sent.size() - 1) : null;
	}

	private List<ModelRequest> requests(Purpose purpose) {
		return this.requests.stream().filter((request) -> request.purpose() == purpose).toList();
	}

	private Map<Outcome, Long> outcomes(Predicate<CallRecord> which) {
		return this.calls.stream()
			.filter(which)
			.collect(Collectors.groupingBy(CallRecord::outcome, () -> new EnumMap<>(Outcome.class),
					Collectors.counting()));
	}

	private <K> Map<K, Long> count(Function<CallRecord, K> key) {
		return this.calls.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
	}

	private Bill bill(Predicate<ModelRequest> which) {
		Bill bill = new Bill();
		this.requests.stream().filter(which).forEach(bill::add);
		return bill;
	}

	static boolean patient(String tenant) {
		return !SoakCallers.MOBILE.equals(tenant);
	}

	private static BigDecimal nanos(long count) {
		return BigDecimal.valueOf(count, 9);
	}

	private static String describe(UsageTotals totals) {
		return totals.calls() + " calls (" + totals.failedCalls() + " failed, " + totals.cacheHits() + " cache hits), "
				+ totals.promptTokens() + " prompt (" + totals.cachedPromptTokens() + " cached) + "
				+ totals.completionTokens() + " completion tokens, USD "
				+ totals.cost().stripTrailingZeros().toPlainString();
	}

	/**
	 * What the provider billed for some requests.
	 */
	private static final class Bill {

		long count;

		long prompt;

		long cached;

		long completion;

		BigDecimal cost = BigDecimal.ZERO;

		void add(ModelRequest request) {
			this.count++;
			this.prompt += request.promptTokens();
			this.cached += request.cachedTokens();
			this.completion += request.completionTokens();
			this.cost = this.cost.add(request.cost());
		}

		Bill plus(Bill other) {
			Bill sum = new Bill();
			sum.count = this.count + other.count;
			sum.prompt = this.prompt + other.prompt;
			sum.cached = this.cached + other.cached;
			sum.completion = this.completion + other.completion;
			sum.cost = this.cost.add(other.cost);
			return sum;
		}

		@Override
		public String toString() {
			return this.count + " responses, " + this.prompt + " prompt (" + this.cached + " cached) + "
					+ this.completion + " completion tokens, USD " + this.cost.stripTrailingZeros().toPlainString();
		}

	}

}
