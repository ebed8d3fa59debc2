/**
 * How long personal data is kept: every item that holds a phone number, a name, an answer or anything derived from
 * them expires at the end of its run's date plus the configured retention (`RETENTION_DAYS`), never from the moment
 * it was written. A list imported four months ahead of its run must not vanish before the run, and an answer given
 * on the last day of a run must not outlive the run's other data (docs/retention.md has the table).
 */
import { DateTime } from 'luxon';
import { runEndsAt } from './run-clock.ts';

const SECONDS_PER_DAY = 86_400;

/**
 * DynamoDB `expiresAt` (epoch seconds) of a personal item of the run of `runDate` (`YYYY-MM-DD`): the end of that date
 * in the latest time zone a callee can have ({@link runEndsAt}) plus `retentionDays` days. So no item expires before
 * its run is over, and none outlives `runDate + retentionDays + 2 days`.
 */
export function personalDataExpiresAt(runDate: string, retentionDays: number): number {
  return Math.floor(runEndsAt(runDate).getTime() / 1000) + retentionDays * SECONDS_PER_DAY;
}

/**
 * The last run date data may be collected for: today (UTC) plus the retention. A list for a later date would be kept
 * longer than the retention allows before its run even starts (its original in the uploads bucket expires
 * `retentionDays` after the upload), and a date like 9999-12-31 is a typo, never a plan.
 */
export function latestRunDate(now: Date, retentionDays: number): string {
  return DateTime.fromJSDate(now, { zone: 'utc' }).plus({ days: retentionDays }).toISODate() ?? '';
}

/** Whether `runDate` lies beyond {@link latestRunDate} (ISO dates compare as text). */
export function isBeyondRetention(runDate: string, now: Date, retentionDays: number): boolean {
  return runDate > latestRunDate(now, retentionDays);
}
