package io.github.airesource.core.alerts;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

import io.github.airesource.core.usage.ledger.UsageLedger;

import org.springframework.lang.Nullable;

/**
 * Makes the daily spend report once a day at a time of day. Checked on every alert
 * evaluation, so the report comes at most one {@code check-interval} late, and a day the
 * application was down is skipped rather than reported twice.
 */
public final class SpendReporter {

	private final UsageLedger ledger;

	private final LocalTime time;

	private final ZoneId zone;

	private final int topTenants;

	private final Clock clock;

	@Nullable
	private Instant next;

	/**
	 * Create a reporter.
	 * @param ledger the usage ledger
	 * @param time time of day of the report
	 * @param zone the zone of that time
	 * @param topTenants how many tenants to list
	 * @param clock the clock
	 */
	public SpendReporter(UsageLedger ledger, LocalTime time, ZoneId zone, int topTenants, Clock clock) {
		this.ledger = ledger;
		this.time = time;
		this.zone = zone;
		this.topTenants = topTenants;
		this.clock = clock;
	}

	/**
	 * Make the report when its time has come.
	 * @return the report, or {@code null} when it is not due
	 */
	@Nullable
	public synchronized SpendReport reportIfDue() {
		Instant now = this.clock.instant();
		if (this.next == null) {
			this.next = nextAfter(now);
			return null;
		}
		if (now.isBefore(this.next)) {
			return null;
		}
		this.next = nextAfter(now);
		return report();
	}

	/**
	 * Make the report now.
	 * @return the report
	 */
	public SpendReport report() {
		return SpendReport.of(this.ledger.report(this.topTenants), this.clock.instant());
	}

	/**
	 * Return when the next report is due.
	 * @return the instant, {@code null} before the first check
	 */
	@Nullable
	public synchronized Instant next() {
		return this.next;
	}

	private Instant nextAfter(Instant now) {
		ZonedDateTime local = now.atZone(this.zone);
		ZonedDateTime candidate = local.with(this.time);
		if (!candidate.isAfter(local)) {
			candidate = candidate.plusDays(1);
		}
		return candidate.toInstant();
	}

}
