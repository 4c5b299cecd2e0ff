package io.github.airesource.autoconfigure.guard;

import java.time.Duration;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Conditions that match when a guard is on (set above 0), so that only the advisors of
 * the guards in use join the chain and a call pays for nothing else. A negative value
 * matches none of them; {@link GuardProperties} then fails the startup naming it.
 */
final class GuardConditions {

	private GuardConditions() {
	}

	static int intProperty(Binder binder, String name) {
		return binder.bind(GuardProperties.PREFIX + "." + name, Integer.class).orElse(0);
	}

	static ConditionOutcome positive(String name, int value) {
		String property = GuardProperties.PREFIX + "." + name;
		return (value > 0) ? ConditionOutcome.match(property + " is " + value)
				: ConditionOutcome.noMatch(property + " is not above 0");
	}

	/**
	 * Matches when a prompt limit, an output cap or a tool-iteration limit is set.
	 */
	static final class OnPromptGuard extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Binder binder = Binder.get(context.getEnvironment());
			for (String name : new String[] { "max-prompt-tokens", "max-output-tokens", "max-tool-iterations" }) {
				ConditionOutcome outcome = positive(name, intProperty(binder, name));
				if (outcome.isMatch()) {
					return outcome;
				}
			}
			return ConditionOutcome.noMatch("no prompt, output or tool-iteration guard is set");
		}

	}

	/**
	 * Matches when a call timeout is set.
	 */
	static final class OnTimeout extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Duration timeout = Binder.get(context.getEnvironment())
				.bind(GuardProperties.PREFIX + ".timeout", Duration.class)
				.orElse(Duration.ZERO);
			return (!timeout.isNegative() && !timeout.isZero())
					? ConditionOutcome.match(GuardProperties.PREFIX + ".timeout is " + timeout)
					: ConditionOutcome.noMatch(GuardProperties.PREFIX + ".timeout is not set");
		}

	}

	/**
	 * Matches when a tool-iteration limit is set.
	 */
	static final class OnToolIterations extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return positive("max-tool-iterations",
					intProperty(Binder.get(context.getEnvironment()), "max-tool-iterations"));
		}

	}

}
