import { describe, expect, it } from 'vitest';
import { inMemorySimulation } from '../../../../functions/adapters/in-memory/simulation.ts';
import { type Campaign, parseCampaign } from '../../../../functions/core/campaign.ts';
import { runIdealDispatcher } from '../../../../functions/core/planning/ideal-dispatcher.ts';
import { defaultOutcomeMix, drawAttempt, prepareMix } from '../../../../functions/core/planning/outcome-mix.ts';
import { pacingFigures } from '../../../../functions/core/planning/pacing-figures.ts';
import { runEndsAt } from '../../../../functions/core/run-clock.ts';
import {
  type SimulationInput,
  SimulationStoppedError,
  simulatedPhone,
  simulateRun,
} from '../../../../functions/use-cases/planning/simulate-run.ts';

const DATE = '2026-03-02';
const START = new Date('2026-03-02T08:00:00Z');

const campaign: Campaign = parseCampaign({
  id: 'sim',
  name: 'Simulated',
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  callerId: '+48221234567',
  callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '08:00', end: '21:00' },
  retryPolicy: {
    maxAttempts: 3,
    maxAttemptsPerDay: 3,
    retryDelays: { NO_ANSWER: 'PT2M', BUSY: 'PT1M', VOICEMAIL: 'PT3M' },
  },
  script: { greeting: 'Hi.', questions: [{ id: 'q1', prompt: 'Press 1.', keys: { '1': 'Yes' } }], closing: 'Bye.' },
});

function inputOf(overrides: Partial<SimulationInput> = {}): SimulationInput {
  return {
    campaign,
    date: DATE,
    startAt: START,
    contacts: [{ timeZone: 'Europe/Warsaw', count: 400 }],
    caps: { maxConcurrentCalls: 40, dialsPerSecond: 2, dialBurst: 5, tickSeconds: 5 },
    tickGapMs: 300,
    mix: prepareMix(defaultOutcomeMix(30)),
    seed: 4,
    ...overrides,
  };
}

describe('simulateRun', () => {
  it("runs the engine's dialing to the end within every cap, and its counters add up", async () => {
    const result = await simulateRun(inMemorySimulation, inputOf());
    const counters = result.counters;
    expect(counters.n_PENDING ?? 0).toBe(0);
    expect(counters.n_DIALING ?? 0).toBe(0);
    expect(counters.attemptsStarted).toBe(result.attempts.length);
    expect(result.refused).toEqual({ concurrency: 0, rate: 0 });
    expect(result.peakInFlight).toBeLessThanOrEqual(40);
    const outcomes = Object.entries(counters)
      .filter(([name]) => name.startsWith('o_'))
      .reduce((sum, [, value]) => sum + value, 0);
    expect(outcomes).toBe(result.attempts.length);
    for (const attempt of result.attempts) expect(attempt.startAt).toBeGreaterThanOrEqual(attempt.dueAt);
    expect(result.progress.at(-1)?.open).toBe(0);
    expect(result.finalizedAt).toBeGreaterThanOrEqual(result.lastCallEndAt);
  });

  it("stops when its caller's deadline says so, saying how far it got", async () => {
    let asked = 0;
    const stopped = simulateRun(inMemorySimulation, inputOf({ stopWhen: () => ++asked > 3 }));

    await expect(stopped).rejects.toThrow(SimulationStoppedError);
    await expect(stopped).rejects.toMatchObject({ ticks: 4 });
    expect(asked).toBe(4);
  });

  it('holds each line until its call is settled: a run on its lines finishes later by about A·settle/C', async () => {
    // Lines bind (12 lines, 72 s of line time per attempt: 0.17 attempts/s, far below the 2 dials/s).
    const caps = { maxConcurrentCalls: 12, dialsPerSecond: 2, dialBurst: 5, tickSeconds: 5 };
    const contacts = [{ timeZone: 'Europe/Warsaw', count: 120 }];
    const atOnce = await simulateRun(inMemorySimulation, inputOf({ caps, contacts }));
    const settled = await simulateRun(inMemorySimulation, inputOf({ caps, contacts, settleMs: 5_000 }));

    const seconds = (result: typeof atOnce) => (result.lastCallEndAt - START.getTime()) / 1000;
    const expected = (atOnce.attempts.length * 5) / 12;
    expect(settled.attempts.length).toBeGreaterThan(0);
    expect(seconds(settled) - seconds(atOnce)).toBeGreaterThan(expected * 0.5);
    expect(seconds(settled) - seconds(atOnce)).toBeLessThan(expected * 1.5 + 60);
    expect(settled.peakInFlight).toBeLessThanOrEqual(12);
    expect(settled.counters.n_DIALING ?? 0).toBe(0);
  });

  it('is deterministic, and places the same attempts as the ideal dispatcher on the same draws, nearly as fast', async () => {
    const input = inputOf();
    const [first, again] = [await simulateRun(inMemorySimulation, input), await simulateRun(inMemorySimulation, input)];
    expect(again.attempts).toEqual(first.attempts);
    const ideal = runIdealDispatcher({
      contacts: Array.from({ length: 400 }, (_, index) => ({
        id: simulatedPhone(index),
        timeZone: 'Europe/Warsaw',
        dueAt: START.getTime(),
      })),
      draw: (contact, attempt) => drawAttempt(input.mix, input.seed, contact, attempt),
      campaign,
      caps: input.caps,
      startAt: START.getTime(),
      endAt: runEndsAt(DATE).getTime(),
    });
    const key = (attempt: { contact: string; attempt: number; outcome: string }) =>
      `${attempt.contact}#${attempt.attempt}#${attempt.outcome}`;
    expect(first.attempts.map(key).sort()).toEqual(ideal.attempts.map(key).sort());
    const engine = pacingFigures(first.attempts, { startAt: START.getTime(), ...input.caps });
    const reference = pacingFigures(ideal.attempts, { startAt: START.getTime(), ...input.caps });
    expect(engine.makespanSeconds / reference.makespanSeconds).toBeLessThan(1.05);
  });

  it('never sends Connect more requests than its token bucket allows, even with lines and rate nearly balanced', async () => {
    // Connect's default rate (2/s, burst 5) and about as many lines as 2/s × 72 s: many slots find no free line.
    const result = await simulateRun(
      inMemorySimulation,
      inputOf({
        contacts: [{ timeZone: 'Europe/Warsaw', count: 1_500 }],
        caps: { maxConcurrentCalls: 150, dialsPerSecond: 2, dialBurst: 5, tickSeconds: 5 },
      }),
    );
    expect(result.refused).toEqual({ concurrency: 0, rate: 0 });
  });

  it('dials nobody while the calling window is shut, and goes on when it opens, until the date is over everywhere', async () => {
    // 20:58 in Warsaw: two minutes of window left for 300 contacts on 40 lines. The run's date lasts until it
    // ends in UTC−12 (12:00 UTC the next day), so the others are called from 08:00 the next morning.
    const late = new Date('2026-03-02T19:58:00Z');
    const result = await simulateRun(
      inMemorySimulation,
      inputOf({ startAt: late, contacts: [{ timeZone: 'Europe/Warsaw', count: 300 }] }),
    );
    const closes = Date.parse('2026-03-02T20:00:00Z');
    const opens = Date.parse('2026-03-03T07:00:00Z');
    const before = result.attempts.filter((attempt) => attempt.startAt < closes);
    const after = result.attempts.filter((attempt) => attempt.startAt >= closes);
    expect(before.length).toBeGreaterThan(60);
    expect(before.length).toBeLessThanOrEqual(5 + 2 * 120);
    expect(after.length).toBeGreaterThan(0);
    for (const attempt of after) expect(attempt.startAt).toBeGreaterThanOrEqual(opens);
    const openAtClose = result.progress.filter((sample) => sample.at <= closes).at(-1)?.open ?? 0;
    expect(openAtClose).toBeGreaterThan(0);
    expect(result.finalizedAt).toBeLessThanOrEqual(runEndsAt(DATE).getTime());
  });
});
