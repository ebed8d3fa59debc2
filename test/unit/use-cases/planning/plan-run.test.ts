import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inMemorySimulation } from '../../../../functions/adapters/in-memory/simulation.ts';
import { type Campaign, parseCampaign } from '../../../../functions/core/campaign.ts';
import { defaultOutcomeMix } from '../../../../functions/core/planning/outcome-mix.ts';
import { DEFAULT_SETTLE_MS, DEFAULT_TICK_GAP_MS } from '../../../../functions/use-cases/planning/plan-inputs.ts';
import { type PlanRequest, planRun, scaleGroups } from '../../../../functions/use-cases/planning/plan-run.ts';

const DATE = '2026-03-02';
const demo = parseCampaign(parse(readFileSync('config/campaigns/demo.yml', 'utf8')), 'demo.yml');
const weekday = parseCampaign({
  ...parse(readFileSync('config/campaigns/demo.yml', 'utf8')),
  id: 'weekday',
  callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '09:00', end: '20:00' },
  retryPolicy: {
    maxAttempts: 3,
    maxAttemptsPerDay: 3,
    retryDelays: { NO_ANSWER: 'PT2H', BUSY: 'PT30M', VOICEMAIL: 'PT4H' },
  },
});

function requestOf(
  campaign: Campaign,
  contacts: number,
  caps: { lines: number; rate: number; burst?: number; tick?: number; flow?: number },
  startAt = new Date('2026-03-02T08:00:00Z'),
): PlanRequest {
  const stage = (value: number) => ({ value, source: 'test' });
  return {
    campaign,
    date: DATE,
    startAt,
    contacts: { value: [{ timeZone: campaign.timeZone, count: contacts }], source: 'test' },
    caps: {
      lines: stage(caps.lines),
      dialsPerSecond: stage(caps.rate),
      dialBurst: stage(caps.burst ?? Math.max(5, Math.ceil(caps.rate))),
      tickSeconds: stage(caps.tick ?? 5),
      flowFunctionConcurrency: stage(caps.flow ?? 100_000),
    },
    mix: { value: defaultOutcomeMix(campaign.run.ringTimeoutSeconds), source: 'documented default' },
    tickGapMs: stage(DEFAULT_TICK_GAP_MS),
    settleMs: stage(DEFAULT_SETTLE_MS),
  };
}

const seconds = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 1000;

describe('planRun', () => {
  it('never predicts a finish below the physical bound max(A·d̄/C, A/R), and more lines or rate never finish later (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 20, max: 300 }),
        fc.integer({ min: 3, max: 60 }),
        fc.integer({ min: 1, max: 40 }).map((tenths) => tenths / 4),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        async (contacts, lines, rate, moreLines, rateFactor) => {
          const base = await planRun(
            inMemorySimulation,
            requestOf(demo, contacts, { lines, rate, burst: Math.ceil(rate) }),
          );
          const { prediction } = base;
          const makespan = seconds(base.startAt, prediction.finishAt);
          const bound = Math.max(
            (prediction.attempts * prediction.meanLineSeconds) / lines,
            prediction.attempts / rate,
          );
          expect(makespan).toBeGreaterThanOrEqual(bound * 0.999);
          // Retries (20–30 s in the demo policy) and ticks (5 s + 0.4 s) make small anomalies possible: a tick's
          // worth, and 2 % of the run.
          const slack = (makespan: number) => makespan * 1.02 + 5.4;
          const wider = await planRun(
            inMemorySimulation,
            requestOf(demo, contacts, { lines: lines + moreLines, rate, burst: Math.ceil(rate) }),
          );
          expect(seconds(wider.startAt, wider.prediction.finishAt)).toBeLessThanOrEqual(slack(makespan));
          const faster = rate * (1 + rateFactor);
          const quicker = await planRun(
            inMemorySimulation,
            requestOf(demo, contacts, { lines, rate: faster, burst: Math.ceil(faster) }),
          );
          expect(seconds(quicker.startAt, quicker.prediction.finishAt)).toBeLessThanOrEqual(slack(makespan));
          expect(wider.prediction.attempts).toBe(prediction.attempts);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);

  it('finds the caps a list that misses the window needs, and they make it', async () => {
    // 4,000 contacts from 18:00 in Warsaw: two hours of window at 1 dial/s is 7,200 dials for about 7,000 attempts.
    const plan = await planRun(
      inMemorySimulation,
      requestOf(demo, 4_000, { lines: 40, rate: 1, burst: 5 }, new Date('2026-03-02T17:00:00Z')),
    );
    expect(plan.prediction.finishesInWindow).toBe(true);
    // 5,000 contacts in a one-hour window at 1 dial/s: 3,600 dials for about 8,700 attempts.
    const morning = parseCampaign({
      ...parse(readFileSync('config/campaigns/demo.yml', 'utf8')),
      id: 'morning',
      callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '09:00', end: '10:00' },
    });
    const start = new Date('2026-03-02T08:00:00Z');
    const tight = await planRun(
      inMemorySimulation,
      requestOf(morning, 5_000, { lines: 100, rate: 1, burst: 5 }, start),
    );
    expect(tight.prediction.finishesInWindow).toBe(false);
    expect(tight.prediction.waitingAtWindowClose).toBeGreaterThan(0);
    expect(tight.warnings[0]).toMatch(/misses the window: \d+ contacts will still be waiting .*; raise lines to \d+/);
    const needed = tight.needed;
    if (needed === undefined) throw new Error('no caps were found for the window');
    expect(needed.dialsPerSecond).toBeGreaterThan(1);
    expect(Date.parse(needed.finishAt)).toBeLessThanOrEqual(Date.parse(tight.window.closesAt));
    const raised = await planRun(
      inMemorySimulation,
      requestOf(
        morning,
        5_000,
        { lines: needed.lines, rate: needed.dialsPerSecond, burst: Math.max(5, Math.ceil(needed.dialsPerSecond)) },
        start,
      ),
    );
    expect(Date.parse(raised.prediction.finishAt)).toBeLessThanOrEqual(Date.parse(tight.window.closesAt));
  }, 60_000);

  it('scales a large list down and keeps its total', () => {
    const groups = scaleGroups(
      [
        { timeZone: 'Europe/Warsaw', count: 70_001 },
        { timeZone: 'Europe/London', count: 29_999 },
        { timeZone: 'Asia/Tokyo', count: 3 },
      ],
      10,
    );
    expect(groups.reduce((sum, group) => sum + group.count, 0)).toBe(10_000);
    expect(groups.find((group) => group.timeZone === 'Europe/Warsaw')?.count).toBe(7_000);
  });
});

/**
 * Golden plans of the scenarios docs/planning.md describes. A change of the engine's pacing, retry or window code
 * changes them: look at the difference, and when it is what the change meant, write them again with
 * `UPDATE_GOLDEN=1 npx vitest run test/unit/use-cases/planning/plan-run.test.ts`.
 */
describe('golden plans', () => {
  const scenarios: Array<[string, PlanRequest]> = [
    ['demo-local', requestOf(demo, 2_000, { lines: 10, rate: 2, burst: 5, tick: 2 })],
    ['seed-day', requestOf(weekday, 50_000, { lines: 2_700, rate: 14, burst: 14 }, new Date('2026-03-02T08:00:00Z'))],
    [
      'misses-window',
      requestOf(weekday, 20_000, { lines: 300, rate: 1.5, burst: 5 }, new Date('2026-03-02T08:00:00Z')),
    ],
  ];
  it.each(scenarios)(
    '%s',
    async (name, request) => {
      const plan = await planRun(inMemorySimulation, request);
      const file = `test/fixtures/plans/${name}.json`;
      if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
        writeFileSync(file, `${JSON.stringify(plan, null, 2)}\n`);
      }
      expect(plan).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    },
    120_000,
  );
});
