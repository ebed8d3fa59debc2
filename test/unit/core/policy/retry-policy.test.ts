import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AttemptOutcome,
  type CallingWindow,
  type RetryableOutcome,
  RetryableOutcomeSchema,
  type RetryPolicy,
  RetryPolicySchema,
} from '../../../../functions/core/campaign.ts';
import { isWithinWindow, localDate, nextWindowOpening } from '../../../../functions/core/policy/calling-window.ts';
import {
  type AttemptRecord,
  addRetryDelay,
  decideNextAttempt,
} from '../../../../functions/core/policy/retry-policy.ts';
import { ALL_DAYS, windowArbitrary, zonedInstantArbitrary } from './arbitraries.ts';

const ZONE = 'Europe/Warsaw';
const BUSINESS: CallingWindow = {
  days: ['MON', 'TUE', 'WED', 'THU', 'FRI'],
  start: '09:00',
  end: '20:00',
  holidays: [],
};
const DEFAULT_POLICY: RetryPolicy = RetryPolicySchema.parse({});

const at = (iso: string) => new Date(iso);

function decide(
  outcome: AttemptOutcome,
  attempts: AttemptRecord[],
  now: string,
  overrides: { policy?: Partial<RetryPolicy>; window?: CallingWindow; runEndsAt?: string } = {},
) {
  return decideNextAttempt({
    policy: { ...DEFAULT_POLICY, ...overrides.policy },
    window: overrides.window ?? BUSINESS,
    zone: ZONE,
    outcome,
    attempts,
    now: at(now),
    runEndsAt: overrides.runEndsAt === undefined ? undefined : at(overrides.runEndsAt),
  });
}

describe('decideNextAttempt, examples', () => {
  // Tuesday 2025-05-06, Warsaw is on CEST (+02:00).
  const first: AttemptRecord = { at: at('2025-05-06T08:00:00Z'), outcome: 'NO_ANSWER' };

  it.each(['COMPLETED', 'INVALID_NUMBER', 'OPTED_OUT'] as const)('finishes %s as itself', (outcome) => {
    expect(decide(outcome, [{ ...first, outcome }], '2025-05-06T08:01:00Z')).toMatchObject({
      kind: 'FINAL',
      status: outcome,
      reason: 'OUTCOME_IS_FINAL',
      lastOutcome: outcome,
    });
  });

  it('finishes a retryable outcome that the policy gives no delay (PARTIAL by default)', () => {
    expect(decide('PARTIAL', [{ ...first, outcome: 'PARTIAL' }], '2025-05-06T08:03:00Z')).toMatchObject({
      kind: 'FINAL',
      status: 'PARTIAL',
      reason: 'NO_RETRY_DELAY',
    });
  });

  it('expires after maxAttempts and keeps the last outcome', () => {
    const attempts: AttemptRecord[] = [
      first,
      { at: at('2025-05-06T10:00:00Z'), outcome: 'BUSY' },
      { at: at('2025-05-07T08:00:00Z'), outcome: 'NO_ANSWER' },
    ];
    const decision = decide('NO_ANSWER', attempts, '2025-05-07T08:01:00Z');
    expect(decision).toMatchObject({
      kind: 'FINAL',
      status: 'EXPIRED',
      reason: 'MAX_ATTEMPTS_REACHED',
      lastOutcome: 'NO_ANSWER',
    });
    expect(decision.kind === 'FINAL' && decision.detail).toContain('NO_ANSWER');
  });

  it('retries after the delay when that is inside the window', () => {
    expect(decide('NO_ANSWER', [first], '2025-05-06T08:01:00Z')).toEqual({
      kind: 'RETRY',
      at: at('2025-05-06T10:01:00Z'),
      afterRunEnd: false,
      deferredBy: [],
    });
  });

  it('moves a retry that falls after closing time to the next working day', () => {
    // Friday 2025-05-09 19:00 CEST + 2h = 21:00, closed → Monday 09:00 CEST.
    const friday: AttemptRecord = { at: at('2025-05-09T16:58:00Z'), outcome: 'NO_ANSWER' };
    expect(decide('NO_ANSWER', [friday], '2025-05-09T17:00:00Z')).toEqual({
      kind: 'RETRY',
      at: at('2025-05-12T07:00:00Z'),
      afterRunEnd: false,
      deferredBy: ['CALLING_WINDOW'],
    });
  });

  it('moves a retry to the next local day once the daily limit is used', () => {
    const attempts: AttemptRecord[] = [first, { at: at('2025-05-06T10:00:00Z'), outcome: 'BUSY' }];
    expect(
      decide('BUSY', attempts, '2025-05-06T10:01:00Z', { policy: { maxAttempts: 5, maxAttemptsPerDay: 2 } }),
    ).toEqual({ kind: 'RETRY', at: at('2025-05-07T07:00:00Z'), afterRunEnd: false, deferredBy: ['DAILY_LIMIT'] });
  });

  it('counts attempts per day on the callee clock, not in UTC', () => {
    // 2025-05-06T22:30Z is already 2025-05-07 00:30 in Warsaw: that attempt belongs to Wednesday.
    const allDay: CallingWindow = { days: ALL_DAYS, start: '00:00', end: '24:00', holidays: [] };
    const attempts: AttemptRecord[] = [{ at: at('2025-05-06T22:30:00Z'), outcome: 'BUSY' }];
    expect(
      decide('BUSY', attempts, '2025-05-06T22:31:00Z', {
        policy: { maxAttempts: 5, maxAttemptsPerDay: 1 },
        window: allDay,
      }),
    ).toEqual({ kind: 'RETRY', at: at('2025-05-07T22:00:00Z'), afterRunEnd: false, deferredBy: ['DAILY_LIMIT'] });
  });

  it('keeps 09:00 local across the spring-forward weekend', () => {
    // Saturday 2025-03-29 19:40 CET + 30 min = 20:10, closed → Sunday 09:00 CEST = 07:00Z.
    const everyDay: CallingWindow = { ...BUSINESS, days: ALL_DAYS };
    const attempts: AttemptRecord[] = [{ at: at('2025-03-29T18:39:00Z'), outcome: 'BUSY' }];
    expect(decide('BUSY', attempts, '2025-03-29T18:40:00Z', { window: everyDay })).toMatchObject({
      kind: 'RETRY',
      at: at('2025-03-30T07:00:00Z'),
    });
  });

  it('adds day-sized delays on the calendar (P1D over spring-forward is 23 hours)', () => {
    expect(addRetryDelay(at('2025-03-29T11:00:00Z'), 'P1D', ZONE).toISOString()).toBe('2025-03-30T10:00:00.000Z');
    expect(addRetryDelay(at('2025-03-29T11:00:00Z'), 'PT24H', ZONE).toISOString()).toBe('2025-03-30T11:00:00.000Z');
    expect(() => addRetryDelay(at('2025-03-29T11:00:00Z'), 'two hours', ZONE)).toThrow(RangeError);
  });

  it('flags a retry at or after the run end instead of deciding leftovers itself', () => {
    const friday: AttemptRecord = { at: at('2025-05-09T16:58:00Z'), outcome: 'NO_ANSWER' };
    expect(decide('NO_ANSWER', [friday], '2025-05-09T17:00:00Z', { runEndsAt: '2025-05-09T18:00:00Z' })).toMatchObject({
      kind: 'RETRY',
      at: at('2025-05-12T07:00:00Z'),
      afterRunEnd: true,
    });
    expect(decide('NO_ANSWER', [first], '2025-05-06T08:01:00Z', { runEndsAt: '2025-05-06T18:00:00Z' })).toMatchObject({
      kind: 'RETRY',
      afterRunEnd: false,
    });
    expect(decide('NO_ANSWER', [first], '2025-05-06T08:01:00Z', { runEndsAt: '2025-05-06T10:01:00Z' })).toMatchObject({
      kind: 'RETRY',
      afterRunEnd: true,
    });
  });

  it('expires a contact whose window never opens again', () => {
    const mondays: string[] = [];
    for (let day = Date.UTC(2025, 4, 12); day < Date.UTC(2026, 6, 1); day += 7 * 86_400_000) {
      mondays.push(new Date(day).toISOString().slice(0, 10));
    }
    const onlyMondays: CallingWindow = { ...BUSINESS, days: ['MON'], holidays: mondays };
    expect(decide('NO_ANSWER', [first], '2025-05-06T08:01:00Z', { window: onlyMondays })).toMatchObject({
      kind: 'FINAL',
      status: 'EXPIRED',
      reason: 'WINDOW_NEVER_OPENS',
      lastOutcome: 'NO_ANSWER',
    });
  });
});

describe('decideNextAttempt, properties', () => {
  const retryable = fc.constantFrom(...RetryableOutcomeSchema.options);
  const delay = fc.oneof(
    fc.integer({ min: 1, max: 600 }).map((minutes) => `PT${minutes}M`),
    fc.integer({ min: 1, max: 48 }).map((hours) => `PT${hours}H`),
    fc.integer({ min: 1, max: 3 }).map((days) => `P${days}D`),
  );
  const policy: fc.Arbitrary<RetryPolicy> = fc.record({
    maxAttempts: fc.integer({ min: 1, max: 8 }),
    maxAttemptsPerDay: fc.integer({ min: 1, max: 4 }),
    retryDelays: fc.record(
      Object.fromEntries(RetryableOutcomeSchema.options.map((outcome) => [outcome, delay])) as Record<
        RetryableOutcome,
        fc.Arbitrary<string>
      >,
      { requiredKeys: ['NO_ANSWER', 'BUSY'] },
    ),
  });
  const lifecycle = fc.record({
    policy,
    window: windowArbitrary,
    zoned: zonedInstantArbitrary,
    outcomes: fc.array(
      fc.oneof({ weight: 9, arbitrary: retryable }, { weight: 1, arbitrary: fc.constant('COMPLETED' as const) }),
      {
        minLength: 12,
        maxLength: 12,
      },
    ),
    callSeconds: fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 12, maxLength: 12 }),
  });

  it('dials a contact through its whole life without breaking any limit', () => {
    fc.assert(
      fc.property(lifecycle, ({ policy, window, zoned: { zone, instant }, outcomes, callSeconds }) => {
        const firstDial = nextWindowOpening(window, zone, instant);
        fc.pre(firstDial !== undefined);
        const attempts: AttemptRecord[] = [];
        let dialAt = firstDial ?? instant;
        for (const [index, outcome] of outcomes.entries()) {
          attempts.push({ at: dialAt, outcome });
          // Assess the limits on the attempts actually made.
          expect(attempts.length).toBeLessThanOrEqual(policy.maxAttempts);
          expect(countOn(zone, attempts, localDate(zone, dialAt))).toBeLessThanOrEqual(policy.maxAttemptsPerDay);

          const now = new Date(dialAt.getTime() + (callSeconds[index] ?? 0) * 1000);
          const decision = decideNextAttempt({ policy, window, zone, outcome, attempts, now });
          if (decision.kind === 'FINAL') {
            const expectedStatus =
              RetryableOutcomeSchema.safeParse(outcome).success &&
              policy.retryDelays[outcome as RetryableOutcome] !== undefined
                ? 'EXPIRED'
                : outcome;
            expect(decision.status).toBe(expectedStatus);
            expect(decision.lastOutcome).toBe(outcome);
            if (decision.reason === 'MAX_ATTEMPTS_REACHED') {
              expect(attempts.length).toBe(policy.maxAttempts);
            }
            return;
          }
          const wanted = addRetryDelay(now, policy.retryDelays[outcome as RetryableOutcome] ?? 'PT0S', zone);
          expect(decision.at.getTime()).toBeGreaterThanOrEqual(wanted.getTime());
          expect(isWithinWindow(window, zone, decision.at)).toBe(true);
          expect(countOn(zone, attempts, localDate(zone, decision.at))).toBeLessThan(policy.maxAttemptsPerDay);
          expect(attempts.length).toBeLessThan(policy.maxAttempts);
          dialAt = decision.at;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('retries at the earliest allowed instant: nothing earlier satisfies window and daily limit', () => {
    fc.assert(
      fc.property(lifecycle, ({ policy, window, zoned: { zone, instant } }) => {
        const dial = nextWindowOpening(window, zone, instant);
        fc.pre(dial !== undefined && policy.maxAttempts > 1);
        const attempts: AttemptRecord[] = [{ at: dial ?? instant, outcome: 'BUSY' }];
        const decision = decideNextAttempt({ policy, window, zone, outcome: 'BUSY', attempts, now: dial ?? instant });
        fc.pre(decision.kind === 'RETRY');
        if (decision.kind !== 'RETRY') {
          return;
        }
        const wanted = addRetryDelay(dial ?? instant, policy.retryDelays.BUSY ?? 'PT0S', zone);
        const opening = nextWindowOpening(window, zone, wanted);
        if (decision.deferredBy.includes('DAILY_LIMIT')) {
          expect(localDate(zone, decision.at) > localDate(zone, opening ?? wanted)).toBe(true);
        } else {
          expect(decision.at.getTime()).toBe(opening?.getTime());
        }
      }),
      { numRuns: 300 },
    );
  });
});

function countOn(zone: string, attempts: readonly AttemptRecord[], date: string): number {
  return attempts.filter((attempt) => localDate(zone, attempt.at) === date).length;
}
