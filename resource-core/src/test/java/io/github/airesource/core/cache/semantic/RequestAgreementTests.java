package io.github.airesource.core.cache.semantic;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantic cache's safety guard, without any embedding.
 */
class RequestAgreementTests {

	@Test
	void whenNumbersDifferOrMoveThenTheyDisagree() {
		assertThat(RequestAgreement.agree("order 1234", "order 5678")).isFalse();
		assertThat(RequestAgreement.agree("3 apples and 5 pears", "5 apples and 3 pears")).isFalse();
		assertThat(RequestAgreement.agree("two tickets", "2 tickets")).isTrue();
		assertThat(RequestAgreement.agree("a 1,000 dollar loan", "a 1000 dollar loan")).isTrue();
	}

	@Test
	void whenNegationOrPolarityDiffersThenTheyDisagree() {
		assertThat(RequestAgreement.agree("turn on the alarm", "turn off the alarm")).isFalse();
		assertThat(RequestAgreement.agree("turn the alarm on", "turn the alarm off")).isFalse();
		assertThat(RequestAgreement.agree("turn on the alarm", "enable the alarm")).isTrue();
		assertThat(RequestAgreement.agree("turn on the alarm", "disable the alarm")).isFalse();
		assertThat(RequestAgreement.agree("Is it safe?", "Isn't it safe?")).isFalse();
		assertThat(RequestAgreement.agree("why does it compile", "why doesnt it compile")).isFalse();
		assertThat(RequestAgreement.agree("open the door", "close the door")).isFalse();
		assertThat(RequestAgreement.agree("start the job", "stop the job")).isFalse();
		assertThat(RequestAgreement.agree("information on Mars", "information about Mars"))
			.as("on is a preposition here, not a particle")
			.isTrue();
	}

	@Test
	void whenEntitiesOrQuotedStringsDifferOrSwapThenTheyDisagree() {
		assertThat(RequestAgreement.agree("Flights from Paris to London", "Flights from London to Paris")).isFalse();
		assertThat(RequestAgreement.agree("Paris hotels", "London hotels")).isFalse();
		assertThat(RequestAgreement.agree("What is GPT-4o?", "What is GPT-4?")).isFalse();
		assertThat(RequestAgreement.agree("Translate \"hi\"", "Translate \"bye\"")).isFalse();
		assertThat(RequestAgreement.agree("What is France's capital?", "What is the capital of France?")).isTrue();
		assertThat(RequestAgreement.agree("What is the capital?", "Which is the capital?")).isTrue();
	}

	@Test
	void whenRelativeDaysOrUnitsDifferThenTheyDisagree() {
		assertThat(RequestAgreement.agree("weather today", "weather tomorrow")).isFalse();
		assertThat(RequestAgreement.agree("10 km in miles", "10 miles in km")).isFalse();
	}

}
