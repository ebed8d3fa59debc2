import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { inMemorySimulation } from '../../../../functions/adapters/in-memory/simulation.ts';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import { type OutcomeMix, prepareMix } from '../../../../functions/core/planning/outcome-mix.ts';
import { estimateFinish } from '../../../../functions/use-cases/planning/estimate-finish.ts';
import { simulateRun } from '../../../../functions/use-cases/planning/simulate-run.ts';

const campaign = parseCampaign(parse(readFileSync('config/campaigns/demo.yml', 'utf8')), 'demo.yml');
const START = new Date('2026-03-02T08:00:00Z');
const caps = { lines: 60, dialsPerSecond: 2, dialBurst: 5, tickSeconds: 5, flowFunctionConcurrency: 1_000 };

/** Callees unlike the documented default: shorter calls, more nobody home. */
const actualMix: OutcomeMix = {
  COMPLETED: { share: 0.35, lineSeconds: { min: 25, max: 70 } },
  NO_ANSWER: { share: 0.5, lineSeconds: 30 },
  BUSY: { share: 0.1, lineSeconds: 4 },
  VOICEMAIL: { share: 0.05, lineSeconds: { min: 15, max: 30 } },
};

describe('estimateFinish', () => {
  it("converges on the run's actual finish as it goes on, from its counters and minute samples alone", async () => {
    const run = await simulateRun(inMemorySimulation, {
      campaign,
      date: '2026-03-02',
      startAt: START,
      contacts: [{ timeZone: campaign.timeZone, count: 3_000 }],
      caps: {
        maxConcurrentCalls: caps.lines,
        dialsPerSecond: caps.dialsPerSecond,
        dialBurst: caps.dialBurst,
        tickSeconds: 5,
      },
      tickGapMs: 400,
      mix: prepareMix(actualMix),
      seed: 9,
      snapshotEveryMs: 60_000,
    });
    const duration = run.lastCallEndAt - START.getTime();
    const samples = run.snapshots.map((snapshot) => ({
      at: snapshot.at,
      inFlight: snapshot.counters.inFlight ?? 0,
      attemptsStarted: snapshot.counters.attemptsStarted ?? 0,
    }));
    const errorAt = async (share: number) => {
      const snapshot = run.snapshots.find((entry) => entry.at >= START.getTime() + share * duration);
      if (snapshot === undefined) throw new Error(`no snapshot at ${share}`);
      const estimate = await estimateFinish(inMemorySimulation, {
        campaign,
        date: '2026-03-02',
        now: new Date(snapshot.at),
        counters: snapshot.counters,
        startedAt: START.toISOString(),
        samples: samples.filter((sample) => sample.at < snapshot.at),
        caps,
        tickGapMs: 400,
      });
      if (estimate === undefined) throw new Error('no estimate');
      // The line time it plans with is the one the settled attempts measured (claim to settlement).
      const { lineSeconds = 0, lineAttempts = 0 } = snapshot.counters;
      expect(lineAttempts).toBeGreaterThanOrEqual(10);
      expect(estimate.basis.meanLineSeconds).toBeCloseTo(lineSeconds / lineAttempts, 1);
      return (Date.parse(estimate.finishAt) - run.lastCallEndAt) / duration;
    };
    const halfway = await errorAt(0.5);
    const late = await errorAt(0.8);
    expect(Math.abs(halfway)).toBeLessThan(0.15);
    expect(Math.abs(late)).toBeLessThan(0.1);
  }, 60_000);

  it('says the run is late, and what to raise, when its pace misses the window', async () => {
    const estimate = await estimateFinish(inMemorySimulation, {
      campaign: parseCampaign({
        ...campaign,
        callingWindow: { days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '09:00', end: '10:00' },
      }),
      date: '2026-03-02',
      now: new Date('2026-03-02T08:30:00Z'),
      counters: {
        contacts: 5_000,
        n_PENDING: 4_900,
        n_DIALING: 20,
        attemptsStarted: 100,
        inFlight: 20,
        o_COMPLETED: 40,
        o_NO_ANSWER: 40,
      },
      startedAt: '2026-03-02T08:00:00Z',
      samples: [{ at: Date.parse('2026-03-02T08:26:00Z'), inFlight: 20, attemptsStarted: 60 }],
      caps: { ...caps, dialsPerSecond: 1 },
      tickGapMs: 400,
    });
    expect(estimate?.late).toBe(true);
    expect(estimate?.remaining).toBe(4_920);
    expect(estimate?.waitingAtWindowClose).toBeGreaterThan(1_000);
    expect(estimate?.raise?.dialsPerSecond).toBeGreaterThan(1);
  }, 30_000);
});
