/**
 * The retry decision taken when an attempt ends: dial again (when) or finish the contact (how).
 *
 * The policy is data on the campaign (`retryPolicy`); this module is the only interpretation of
 * it, so the call-ended handler, the simulator and reports agree on what "3 attempts, 2 per day,
 * busy again in 30 minutes" means.
 */
import { DateTime, Duration } from 'luxon';
import { type AttemptOutcome, type CallingWindow, RetryableOutcomeSchema, type RetryPolicy } from '../campaign.ts';
import { localDate, nextWindowOpening, startOfNextLocalDay } from './calling-window.ts';
import { memoisedZone } from './zone-offsets.ts';

/** Statuses a contact can end in through the retry policy. */
export const FINAL_CONTACT_STATUSES = [
  'COMPLETED',
  'PARTIAL',
  'NO_ANSWER',
  'BUSY',
  'VOICEMAIL',
  'INVALID_NUMBER',
  'FAILED',
  'OPTED_OUT',
  'TRANSFERRED',
  'UNKNOWN',
  'EXPIRED',
  /** Held back by a frequency cap (functions/core/policy/frequency-caps.ts) past the end of its run. */
  'CAPPED',
] as const satisfies readonly (AttemptOutcome | 'EXPIRED' | 'CAPPED')[];
export type FinalContactStatus = (typeof FINAL_CONTACT_STATUSES)[number];

/** Why a contact was finished; machine-readable so reports can count them. */
export type FinalReason =
  /** The outcome can never be retried (COMPLETED, INVALID_NUMBER, OPTED_OUT). */
  | 'OUTCOME_IS_FINAL'
  /** The outcome could be retried, but the campaign's policy lists no delay for it. */
  | 'NO_RETRY_DELAY'
  /** maxAttempts used up. */
  | 'MAX_ATTEMPTS_REACHED'
  /** The calling window does not open again within the search horizon. */
  | 'WINDOW_NEVER_OPENS';

/** What pushed a retry later than `now + delay`. */
export type RetryDeferral = 'CALLING_WINDOW' | 'DAILY_LIMIT';

export type RetryDecision =
  | {
      kind: 'RETRY';
      at: Date;
      /**
       * `at` is at or after the run's end. The decision is still RETRY because what happens to
       * leftovers is the run's setting (`run.leftovers`: EXPIRE or CARRY_OVER), applied by the
       * run's Finalize step to every open contact; keeping `at` lets a carried-over contact resume
       * at the right time instead of being re-planned.
       */
      afterRunEnd: boolean;
      deferredBy: RetryDeferral[];
    }
  | {
      kind: 'FINAL';
      status: FinalContactStatus;
      reason: FinalReason;
      /** Kept so an EXPIRED contact still reports what its last call did. */
      lastOutcome: AttemptOutcome;
      detail: string;
    };

export interface AttemptRecord {
  /** When the attempt was dialled. Its callee-local date is the day it counts against. */
  at: Date;
  outcome: AttemptOutcome;
}

export interface RetryInput {
  policy: RetryPolicy;
  window: CallingWindow;
  /** The callee's IANA time zone. */
  zone: string;
  /** Outcome of the attempt that just ended. */
  outcome: AttemptOutcome;
  /** Every attempt so far, the one that just ended included. */
  attempts: readonly AttemptRecord[];
  /** When the decision is taken (normally when the call ended); the retry delay counts from here. */
  now: Date;
  runEndsAt?: Date;
}

/**
 * Applies the campaign's retry policy to a finished attempt.
 *
 * Rules, in order:
 * 1. An outcome that is not retryable, or has no delay in `policy.retryDelays`, finishes the
 *    contact with that outcome as its status.
 * 2. `attempts.length >= maxAttempts` finishes it as EXPIRED (last outcome kept in `lastOutcome`).
 * 3. The retry is wanted at `now + delay`, where the ISO-8601 delay is added in the callee's zone:
 *    hours and minutes are elapsed time, days and larger are calendar units (`P1D` lands on the
 *    same local clock time tomorrow, 23 or 25 hours later across a DST change).
 * 4. That instant is clamped into the calling window.
 * 5. While the callee-local day of the result already holds `maxAttemptsPerDay` attempts, it moves
 *    to the window's opening on the next local day.
 * 6. If the window never opens again (within the horizon), the contact is EXPIRED.
 * A retry at or after `runEndsAt` is still returned, flagged `afterRunEnd` (see {@link RetryDecision}).
 */
export function decideNextAttempt(input: RetryInput): RetryDecision {
  const { policy, window, zone, outcome, attempts, now } = input;
  const retryable = RetryableOutcomeSchema.safeParse(outcome);
  if (!retryable.success) {
    return final(outcome, 'OUTCOME_IS_FINAL', outcome, `${outcome} is never retried`);
  }
  const delay = policy.retryDelays[retryable.data];
  if (delay === undefined) {
    return final(outcome, 'NO_RETRY_DELAY', outcome, `the retry policy has no delay for ${outcome}`);
  }
  if (attempts.length >= policy.maxAttempts) {
    return final(
      'EXPIRED',
      'MAX_ATTEMPTS_REACHED',
      outcome,
      `${attempts.length} of ${policy.maxAttempts} attempts used; last outcome ${outcome}`,
    );
  }

  const wanted = addRetryDelay(now, delay, zone);
  const deferredBy: RetryDeferral[] = [];
  let at = nextWindowOpening(window, zone, wanted);
  if (at === undefined) {
    return windowNeverOpens(outcome, wanted);
  }
  if (at.getTime() > wanted.getTime()) {
    deferredBy.push('CALLING_WINDOW');
  }

  const attemptsPerDay = countByLocalDate(zone, attempts);
  // Each pass moves `at` to a later local day; only days that already hold attempts can repeat.
  for (let pass = 0; (attemptsPerDay.get(localDate(zone, at)) ?? 0) >= policy.maxAttemptsPerDay; pass += 1) {
    const tomorrow = nextWindowOpening(window, zone, startOfNextLocalDay(zone, at));
    if (tomorrow === undefined || pass > attempts.length) {
      return windowNeverOpens(outcome, at);
    }
    at = tomorrow;
    if (!deferredBy.includes('DAILY_LIMIT')) {
      deferredBy.push('DAILY_LIMIT');
    }
  }

  const afterRunEnd = input.runEndsAt !== undefined && at.getTime() >= input.runEndsAt.getTime();
  return { kind: 'RETRY', at, afterRunEnd, deferredBy };
}

/**
 * `now + delay` in the callee's zone (see rule 3 of {@link decideNextAttempt}), never earlier than
 * `now`. Exported so tests and the simulator compute "the earliest allowed retry" the same way.
 * @throws RangeError for a duration luxon cannot parse (the campaign schema rejects those first).
 */
export function addRetryDelay(now: Date, isoDuration: string, zone: string): Date {
  const duration = Duration.fromISO(isoDuration);
  if (!duration.isValid) {
    throw new RangeError(`invalid ISO-8601 retry delay "${isoDuration}"`);
  }
  const shifted = DateTime.fromJSDate(now, { zone: memoisedZone(zone) })
    .plus(duration)
    .toMillis();
  return new Date(Math.max(shifted, now.getTime()));
}

function countByLocalDate(zone: string, attempts: readonly AttemptRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const attempt of attempts) {
    const date = localDate(zone, attempt.at);
    counts.set(date, (counts.get(date) ?? 0) + 1);
  }
  return counts;
}

function windowNeverOpens(outcome: AttemptOutcome, from: Date): RetryDecision {
  return final(
    'EXPIRED',
    'WINDOW_NEVER_OPENS',
    outcome,
    `the calling window does not open after ${from.toISOString()}; last outcome ${outcome}`,
  );
}

function final(
  status: FinalContactStatus,
  reason: FinalReason,
  lastOutcome: AttemptOutcome,
  detail: string,
): RetryDecision {
  return { kind: 'FINAL', status, reason, lastOutcome, detail };
}
