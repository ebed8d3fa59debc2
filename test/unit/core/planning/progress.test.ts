import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RetryPolicySchema } from '../../../../functions/core/campaign.ts';
import { measuredLineSeconds, observedPace, openContacts } from '../../../../functions/core/planning/progress.ts';

const policy = RetryPolicySchema.parse({
  maxAttempts: 3,
  maxAttemptsPerDay: 3,
  retryDelays: { NO_ANSWER: 'PT1S', BUSY: 'PT1S', FAILED: 'PT1S' },
});
const NOW = Date.parse('2026-03-02T10:00:00Z');

/** A run of `contacts` that has started `started` attempts, with `waiting` and `dialing` contacts still open. */
function groupsOf(run: { contacts: number; started: number; waiting: number; dialing: number; finished: number }) {
  return openContacts({
    counters: {
      contacts: run.contacts,
      attemptsStarted: run.started,
      n_PENDING: run.waiting,
      n_DIALING: run.dialing,
      // The finished contacts each had one attempt.
      t_1: run.finished,
    },
    now: NOW,
    timeZone: 'Europe/Warsaw',
    policy,
  });
}

const attemptsHad = (groups: ReturnType<typeof openContacts>) =>
  groups.reduce((sum, group) => sum + group.count * (group.attempts ?? 0), 0);

describe('openContacts', () => {
  it('spreads the attempts the open contacts have had over whole numbers, without losing a contact', () => {
    // 100 contacts: 40 finished after one attempt; 60 open (50 waiting, 10 on a call) have had 84 attempts.
    const groups = groupsOf({ contacts: 100, started: 124, waiting: 50, dialing: 10, finished: 40 });

    expect(groups.reduce((sum, group) => sum + group.count, 0)).toBe(60);
    // Those on a call are planned as due again, so their current attempt is not counted as had: 84 − 10.
    expect(attemptsHad(groups)).toBe(74);
    expect(new Set(groups.map((group) => group.attempts))).toEqual(new Set([0, 1, 2]));
  });

  it('moves the estimate by about one attempt per attempt started, never a whole attempt per contact at once', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 2_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        (contacts, finishedShare, dialingShare) => {
          const finished = Math.floor(contacts * finishedShare * 0.5);
          const open = contacts - finished;
          const dialing = Math.floor(open * dialingShare * 0.2);
          const waiting = open - dialing;
          // Every contact dialled once; the open ones between one and three attempts.
          for (let started = contacts; started < finished + open * 3; started += Math.max(1, Math.floor(open / 7))) {
            const before = attemptsHad(groupsOf({ contacts, started, waiting, dialing, finished }));
            const after = attemptsHad(groupsOf({ contacts, started: started + 1, waiting, dialing, finished }));
            expect(after - before).toBeGreaterThanOrEqual(-1);
            expect(after - before).toBeLessThanOrEqual(2);
          }
        },
      ),
    );
  });

  it('never plans more attempts than the policy allows', () => {
    const groups = groupsOf({ contacts: 10, started: 40, waiting: 6, dialing: 4, finished: 0 });
    for (const group of groups) expect(group.attempts ?? 0).toBeLessThanOrEqual(policy.maxAttempts - 1);
  });
});

describe('observedPace', () => {
  const startedAt = Date.parse('2026-03-02T10:00:10Z');

  it("measures a young run's pace from its start while its only minute sample is seconds old", () => {
    // 40 s into the run: the current minute's sample was rewritten by the tick a second ago.
    const now = startedAt + 40_000;
    const pace = observedPace({
      now,
      attemptsStarted: 120,
      inFlight: 12,
      samples: [{ at: now - 1_000, inFlight: 12, attemptsStarted: 117 }],
      startedAt,
    });

    expect(pace?.dialsPerSecond).toBeCloseTo(3, 5);
    expect(pace?.meanLineSeconds).toBeCloseTo(4, 5);
  });

  it('measures from the oldest sample of the window once it is old enough', () => {
    const now = startedAt + 200_000;
    const pace = observedPace({
      now,
      attemptsStarted: 600,
      inFlight: 12,
      samples: [
        { at: now - 120_000, inFlight: 12, attemptsStarted: 240 },
        { at: now - 60_000, inFlight: 12, attemptsStarted: 420 },
      ],
      startedAt,
    });

    expect(pace?.dialsPerSecond).toBeCloseTo(3, 5);
  });

  it('says nothing under 30 s or 10 attempts', () => {
    expect(observedPace({ now: startedAt + 20_000, attemptsStarted: 60, inFlight: 12, samples: [], startedAt })).toBe(
      undefined,
    );
    expect(observedPace({ now: startedAt + 60_000, attemptsStarted: 9, inFlight: 1, samples: [], startedAt })).toBe(
      undefined,
    );
  });
});

describe('measuredLineSeconds', () => {
  it("is the mean of the settled attempts' line time, once ten have settled", () => {
    expect(measuredLineSeconds({ lineSeconds: 720, lineAttempts: 10 })).toBe(72);
    expect(measuredLineSeconds({ lineSeconds: 648, lineAttempts: 9 })).toBeUndefined();
    expect(measuredLineSeconds({ attemptsEnded: 400 })).toBeUndefined();
  });
});
