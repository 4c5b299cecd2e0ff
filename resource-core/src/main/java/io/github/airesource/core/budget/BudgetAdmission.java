package io.github.airesource.core.budget;

/**
 * What a {@link BudgetStore} answered to a reservation.
 */
public sealed interface BudgetAdmission {

	/**
	 * Every charge fitted and is now reserved.
	 */
	record Admitted() implements BudgetAdmission {
	}

	/**
	 * A charge did not fit; nothing was reserved.
	 *
	 * @param index the position of the first charge that did not fit
	 * @param usage that limit's state for the key
	 */
	record Refused(int index, BudgetUsage usage) implements BudgetAdmission {
	}

	/**
	 * A charge's limit is used past its {@code fallback-at} fraction, so the call should
	 * go to the fallback model; nothing was reserved.
	 *
	 * @param index the position of the charge
	 * @param usage that limit's state for the key
	 */
	record Degrade(int index, BudgetUsage usage) implements BudgetAdmission {
	}

}
