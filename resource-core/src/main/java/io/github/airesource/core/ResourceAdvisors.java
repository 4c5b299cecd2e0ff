package io.github.airesource.core;

import java.util.Comparator;
import java.util.List;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.client.advisor.api.Advisor;
import org.springframework.util.Assert;

/**
 * The enabled resource advisors, in chain order. Applications that build a
 * {@link ChatClient} by hand add them with
 * {@code builder.defaultAdvisors(advisors.asList())} or
 * {@link #applyTo(ChatClient.Builder)}.
 */
public final class ResourceAdvisors {

	private final List<ResourceAdvisor> advisors;

	public ResourceAdvisors(List<? extends ResourceAdvisor> advisors) {
		Assert.notNull(advisors, "advisors must not be null");
		this.advisors = advisors.stream()
			.sorted(Comparator.comparingInt(Advisor::getOrder))
			.map(ResourceAdvisor.class::cast)
			.toList();
	}

	/**
	 * Return the advisors, outer first.
	 * @return an unmodifiable list
	 */
	public List<Advisor> asList() {
		return List.copyOf(this.advisors);
	}

	/**
	 * Add every advisor to the given builder.
	 * @param builder the builder to configure
	 * @return the same builder
	 */
	public ChatClient.Builder applyTo(ChatClient.Builder builder) {
		if (!this.advisors.isEmpty()) {
			builder.defaultAdvisors(asList());
		}
		return builder;
	}

	@Override
	public String toString() {
		return "ResourceAdvisors" + this.advisors.stream().map(Advisor::getName).toList();
	}

}
