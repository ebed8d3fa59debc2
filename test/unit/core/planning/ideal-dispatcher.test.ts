import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Campaign, parseCampaign } from '../../../../functions/core/campaign.ts';
import { runIdealDispatcher } from '../../../../functions/core/planning/ideal-dispatcher.ts';
import { type AttemptDraw, drawAttempt, prepareMix } from '../../../../functions/core/planning/outcome-mix.ts';
import { pacingFigures } from '../../../../functions/core/planning/pacing-figures.ts';

const START = Date.parse('2026-03-02T09:00:00Z');
const END = Date.parse('2026-03-03T12:00:00Z');

function campaignOf(retryPolicy: Campaign['retryPolicy'], window?: Campaign['callingWindow']): Campaign {
  return parseCampaign({
    id: 'ideal',
    name: 'Ideal',
    defaultCountry: 'PL',
    timeZone: 'Europe/Warsaw',
    callerId: '+48221234567',
    callingWindow: window ?? { days: ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'], start: '00:00', end: '24:00' },
    retryPolicy,
    script: { greeting: 'Hi.', questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }], closing: 'Bye.' },
  });
}

const contactsOf = (count: number, dueAt = START) =>
  Array.from({ length: count }, (_, index) => ({ id: `c${index}`, timeZone: 'Europe/Warsaw', dueAt }));

describe('runIdealDispatcher', () => {
  it('starts each call the moment a line, a token and a due contact are there', () => {
    const draw = (): AttemptDraw => ({ outcome: 'COMPLETED', lineMs: 10_000, talkMs: 8_000 });
    const result = runIdealDispatcher({
      contacts: contactsOf(3),
      draw,
      campaign: campaignOf({ maxAttempts: 1, maxAttemptsPerDay: 1, retryDelays: {} }),
      caps: { maxConcurrentCalls: 1, dialsPerSecond: 100, dialBurst: 100 },
      startAt: START,
      endAt: END,
    });
    expect(result.attempts.map((attempt) => attempt.startAt - START)).toEqual([0, 10_000, 20_000]);
    expect(result.finishAt - START).toBe(30_000);
  });

  it('paces dials by the token bucket once the burst is spent', () => {
    const draw = (): AttemptDraw => ({ outcome: 'BUSY', lineMs: 1_000, talkMs: 0 });
    const result = runIdealDispatcher({
      contacts: contactsOf(10),
      draw,
      campaign: campaignOf({ maxAttempts: 1, maxAttemptsPerDay: 1, retryDelays: {} }),
      caps: { maxConcurrentCalls: 100, dialsPerSecond: 2, dialBurst: 4 },
      startAt: START,
      endAt: END,
    });
    expect(result.attempts.map((attempt) => Math.round(attempt.startAt - START))).toEqual([
      0, 0, 0, 0, 500, 1_000, 1_500, 2_000, 2_500, 3_000,
    ]);
  });

  it('retries by the policy, inside the calling window, and leaves contacts waiting at the run end', () => {
    // 19:00 Warsaw: the window (09:00-20:00) closes in an hour; the retry in 2 h falls tomorrow, after the end.
    const evening = Date.parse('2026-03-02T18:00:00Z');
    const result = runIdealDispatcher({
      contacts: contactsOf(2, evening),
      draw: (): AttemptDraw => ({ outcome: 'NO_ANSWER', lineMs: 30_000, talkMs: 0 }),
      campaign: campaignOf(
        { maxAttempts: 3, maxAttemptsPerDay: 3, retryDelays: { NO_ANSWER: 'PT2H' } },
        { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '09:00', end: '20:00', holidays: [] },
      ),
      caps: { maxConcurrentCalls: 10, dialsPerSecond: 10, dialBurst: 10 },
      startAt: evening,
      endAt: Date.parse('2026-03-03T00:00:00Z'),
    });
    expect(result.attempts).toHaveLength(2);
    expect(result.waitingAtEnd).toBe(2);
  });

  it('never breaks a cap and follows the retry policy, for any caps and mix (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        (lines, rate, extraBurst, contacts, maxAttempts, seed) => {
          const burst = rate + extraBurst;
          const mix = prepareMix({
            COMPLETED: { share: 0.4, lineSeconds: { min: 20, max: 90 } },
            NO_ANSWER: { share: 0.4, lineSeconds: 30 },
            BUSY: { share: 0.2, lineSeconds: { min: 0, max: 6 } },
          });
          const campaign = campaignOf({
            maxAttempts,
            maxAttemptsPerDay: maxAttempts,
            retryDelays: { NO_ANSWER: 'PT1M', BUSY: 'PT30S' },
          });
          const result = runIdealDispatcher({
            contacts: contactsOf(contacts),
            draw: (contact, attempt) => drawAttempt(mix, seed, contact, attempt),
            campaign,
            caps: { maxConcurrentCalls: lines, dialsPerSecond: rate, dialBurst: burst },
            startAt: START,
            endAt: END,
          });
          const figures = pacingFigures(result.attempts, {
            startAt: START,
            maxConcurrentCalls: lines,
            dialsPerSecond: rate,
            tickSeconds: 5,
          });
          expect(figures.peakLines).toBeLessThanOrEqual(lines);
          const starts = result.attempts.map((attempt) => attempt.startAt).sort((a, b) => a - b);
          for (const windowSeconds of [1, 3, 10]) {
            for (let from = 0, to = 0; to < starts.length; to++) {
              while ((starts[to] ?? 0) - (starts[from] ?? 0) >= windowSeconds * 1000) from++;
              expect(to - from + 1).toBeLessThanOrEqual(burst + rate * windowSeconds + 1e-6);
            }
          }
          const byContact = new Map<string, typeof result.attempts>();
          for (const attempt of result.attempts) {
            byContact.set(attempt.contact, [...(byContact.get(attempt.contact) ?? []), attempt]);
            expect(attempt.startAt).toBeGreaterThanOrEqual(attempt.dueAt);
          }
          expect(byContact.size).toBe(contacts);
          for (const attempts of byContact.values()) {
            expect(attempts.length).toBeLessThanOrEqual(maxAttempts);
            attempts.forEach((attempt, index) => {
              expect(attempt.attempt).toBe(index + 1);
              const previous = attempts[index - 1];
              if (previous !== undefined) {
                expect(previous.outcome).not.toBe('COMPLETED');
                const delay = previous.outcome === 'NO_ANSWER' ? 60_000 : 30_000;
                expect(attempt.dueAt).toBe(previous.endAt + delay);
              }
            });
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('pacingFigures', () => {
  const attempt = (dueAt: number, startAt: number, endAt: number) => ({
    contact: `c${startAt}`,
    attempt: 1,
    dueAt: START + dueAt,
    startAt: START + startAt,
    endAt: START + endAt,
    outcome: 'COMPLETED' as const,
    talkMs: 0,
  });

  it('measures a dispatcher dialling at the rate cap, with a backlog, as fully used', () => {
    // 20 contacts due at once, one dial every 500 ms (R = 2/s), 1 s calls, 100 lines: the rate binds.
    const attempts = Array.from({ length: 20 }, (_, index) => attempt(0, index * 500, index * 500 + 1_000));
    const figures = pacingFigures(attempts, {
      startAt: START,
      maxConcurrentCalls: 100,
      dialsPerSecond: 2,
      tickSeconds: 1,
    });
    expect(figures.binding).toBe('rate');
    expect(figures.saturationBacklog).toBe(2);
    // Backlog ≥ 2 until the 19th dial (at 9 s); 19 dials in 9 s at 2/s allowed is 18 + the one at the start.
    expect(figures.saturatedSeconds).toBe(9);
    expect(figures.utilisation).toBeCloseTo(19 / 18, 5);
    expect(figures.naiveBoundSeconds).toBe(10);
    expect(figures.makespanSeconds).toBe(10.5);
    expect(figures.latencyP50Ms).toBe(5_000);
    expect(figures.peakLines).toBe(2);
  });

  it('measures idle lines against the line cap when the lines bind', () => {
    // 2 lines, 4 contacts due at once, 10 s calls; the second pair starts 1 s after the lines free up.
    const attempts = [
      attempt(0, 0, 10_000),
      attempt(0, 0, 10_000),
      attempt(0, 11_000, 21_000),
      attempt(0, 11_000, 21_000),
    ];
    const figures = pacingFigures(attempts, {
      startAt: START,
      maxConcurrentCalls: 2,
      dialsPerSecond: 100,
      tickSeconds: 1,
    });
    expect(figures.binding).toBe('lines');
    // K = ceil(min(100, 2/10) × 1) = 1; backlog ≥ 1 from 0 to 11 s, lines busy 10 s of it.
    expect(figures.saturatedSeconds).toBe(11);
    expect(figures.utilisation).toBeCloseTo(10 / 11, 5);
    expect(figures.lineUtilisationWhileDue).toBeCloseTo(10 / 11, 5);
  });
});
