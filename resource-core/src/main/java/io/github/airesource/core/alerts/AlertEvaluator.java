package io.github.airesource.core.alerts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.lang.Nullable;

/**
 * Evaluates every rule and keeps one alert state machine per rule: an alert fires once
 * when its rule crosses, repeats at most every {@code cooldown} while it holds, and
 * resolves when it clears. Each transition is logged at WARN and handed to every
 * {@link AlertListener}. Meant to be driven by one scheduler thread; {@link #evaluate()}
 * is serialized so that a manual call and a scheduled one do not interleave.
 */
public final class AlertEvaluator {

	/** How many transitions {@link #transitions()} keeps. */
	public static final int MAX_TRANSITIONS = 100;

	private static final Log logger = LogFactory.getLog(AlertEvaluator.class);

	private final List<AlertRule> rules;

	private final List<AlertListener> listeners;

	private final Duration cooldown;

	private final Clock clock;

	private final Map<String, ActiveAlert> active = new ConcurrentHashMap<>();

	private final Map<String, RuleValue> values = new ConcurrentHashMap<>();

	private final ArrayDeque<AlertTransition> transitions = new ArrayDeque<>();

	private final Object evaluation = new Object();

	/**
	 * Create an evaluator.
	 * @param rules the rules, enabled ones only
	 * @param listeners who takes the transitions
	 * @param cooldown least time between two announcements of one alert
	 * @param clock the clock
	 */
	public AlertEvaluator(List<AlertRule> rules, List<AlertListener> listeners, Duration cooldown, Clock clock) {
		this.rules = List.copyOf(rules);
		this.listeners = List.copyOf(listeners);
		this.cooldown = Objects.requireNonNull(cooldown, "cooldown");
		this.clock = Objects.requireNonNull(clock, "clock");
	}

	/**
	 * Evaluate every rule once and announce the transitions.
	 * @return the transitions of this evaluation
	 */
	public List<AlertTransition> evaluate() {
		synchronized (this.evaluation) {
			Instant now = this.clock.instant();
			List<AlertTransition> happened = new ArrayList<>();
			for (AlertRule rule : this.rules) {
				AlertTransition transition = evaluate(rule, now);
				if (transition != null) {
					happened.add(transition);
				}
			}
			for (AlertTransition transition : happened) {
				announce(transition);
			}
			return happened;
		}
	}

	@Nullable
	private AlertTransition evaluate(AlertRule rule, Instant now) {
		AlertReading reading;
		try {
			reading = rule.read();
		}
		catch (RuntimeException ex) {
			// A store that cannot answer (Redis down) says nothing about the rule: keep
			// the alert's state rather than resolve or fire on a guess.
			logger.debug("Alert rule " + rule.name() + " could not be evaluated", ex);
			return null;
		}
		this.values.put(rule.name(), new RuleValue((reading != null) ? reading.value() : null, now));
		ActiveAlert current = this.active.get(rule.name());
		boolean breached = reading != null && reading.breached();
		if (breached && current == null) {
			this.active.put(rule.name(),
					new ActiveAlert(rule.name(), reading.value(), rule.threshold(), now, now, reading.message()));
			return transition(rule, AlertStatus.FIRING, reading.value(), now, reading.message());
		}
		if (breached) {
			boolean due = !now.isBefore(current.lastNotified().plus(this.cooldown));
			this.active.put(rule.name(), new ActiveAlert(rule.name(), reading.value(), rule.threshold(),
					current.since(), due ? now : current.lastNotified(), reading.message()));
			return due ? transition(rule, AlertStatus.REPEATED, reading.value(), now, reading.message()) : null;
		}
		if (current != null) {
			this.active.remove(rule.name());
			double value = (reading != null) ? reading.value() : 0;
			String message = (reading != null) ? reading.message() : rule.name() + ": nothing to measure";
			return transition(rule, AlertStatus.RESOLVED, value, now, "resolved: " + message);
		}
		return null;
	}

	private AlertTransition transition(AlertRule rule, AlertStatus status, double value, Instant now, String message) {
		AlertTransition transition = new AlertTransition(rule.name(), status, value, rule.threshold(), now, message);
		synchronized (this.transitions) {
			if (this.transitions.size() == MAX_TRANSITIONS) {
				this.transitions.removeFirst();
			}
			this.transitions.addLast(transition);
		}
		return transition;
	}

	private void announce(AlertTransition transition) {
		logger.warn("AI resource alert " + transition.status() + " " + transition.rule() + ": " + transition.message());
		for (AlertListener listener : this.listeners) {
			try {
				listener.onTransition(transition);
			}
			catch (RuntimeException ex) {
				logger.warn("Alert listener " + listener + " failed", ex);
			}
		}
	}

	/**
	 * Hand a spend report to every listener.
	 * @param report the report
	 */
	public void publish(SpendReport report) {
		logger.info("AI resource spend report: " + report.summary());
		for (AlertListener listener : this.listeners) {
			try {
				listener.onSpendReport(report);
			}
			catch (RuntimeException ex) {
				logger.warn("Alert listener " + listener + " failed on the spend report", ex);
			}
		}
	}

	/**
	 * Return the alerts firing now.
	 * @return the active alerts, by rule
	 */
	public List<ActiveAlert> active() {
		List<ActiveAlert> list = new ArrayList<>();
		for (AlertRule rule : this.rules) {
			ActiveAlert alert = this.active.get(rule.name());
			if (alert != null) {
				list.add(alert);
			}
		}
		return list;
	}

	/**
	 * Return the last transitions, oldest first.
	 * @return at most {@value #MAX_TRANSITIONS} transitions
	 */
	public List<AlertTransition> transitions() {
		synchronized (this.transitions) {
			return List.copyOf(this.transitions);
		}
	}

	/**
	 * Return the rules evaluated.
	 * @return the rules
	 */
	public List<AlertRule> rules() {
		return this.rules;
	}

	/**
	 * Return the value each rule measured last.
	 * @return by rule name, in rule order; a rule not evaluated yet is missing
	 */
	public Map<String, RuleValue> values() {
		Map<String, RuleValue> map = new LinkedHashMap<>();
		for (AlertRule rule : this.rules) {
			RuleValue value = this.values.get(rule.name());
			if (value != null) {
				map.put(rule.name(), value);
			}
		}
		return map;
	}

	/**
	 * Return the cooldown.
	 * @return the least time between two announcements of one alert
	 */
	public Duration cooldown() {
		return this.cooldown;
	}

	/**
	 * A rule's last measurement.
	 *
	 * @param value the value, or {@code null} when there was nothing to measure
	 * @param at when it was measured
	 */
	public record RuleValue(@Nullable Double value, Instant at) {
	}

}
