import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCampaign } from '../../../../functions/core/campaign.ts';
import {
  gatherPlanInputs,
  type PastRun,
  PlanInputError,
  type PlanningHistory,
} from '../../../../functions/use-cases/planning/plan-inputs.ts';

const campaign = parseCampaign(parse(readFileSync('config/campaigns/demo.yml', 'utf8')), 'demo.yml');
const stage = {
  stage: 'dev',
  maxConcurrentCalls: 100,
  dialsPerSecond: 2,
  dialBurst: 5,
  tickSeconds: 5,
  flowFunctionConcurrency: 100,
};
const now = new Date('2026-03-02T08:00:00Z');

function historyOf(runs: PastRun[], today?: Record<string, number>): PlanningHistory {
  return {
    recentRuns: async () => runs,
    runCounters: async () => today,
    attemptSample: async () =>
      Array.from({ length: 10 }, () => ({ outcome: 'BUSY' as const, lineSeconds: 4, talkSeconds: 0 })),
  };
}

const ports = (history: PlanningHistory) => ({ campaigns: { get: async () => ({ campaign }) }, history });

describe('gatherPlanInputs', () => {
  it('says where every input came from: flags, past runs, the stage', async () => {
    const request = await gatherPlanInputs(
      ports(
        historyOf([
          { date: '2026-03-01', status: 'FINISHED', counters: { attemptsEnded: 200, o_COMPLETED: 120, o_BUSY: 80 } },
          { date: '2026-02-27', status: 'FINISHED', counters: { attemptsEnded: 10, o_COMPLETED: 10 } },
        ]),
      ),
      {
        campaignId: 'demo',
        date: '2026-03-02',
        now,
        stage,
        ask: { contacts: 5_000, dialsPerSecond: 14, settleMs: 2_500 },
      },
    );
    expect(request?.contacts).toEqual({ value: [{ timeZone: 'Europe/Warsaw', count: 5_000 }], source: 'flag' });
    expect(request?.caps.dialsPerSecond).toEqual({ value: 14, source: 'flag' });
    // A what-if rate above the stage's burst brings its own burst.
    expect(request?.caps.dialBurst).toEqual({ value: 14, source: 'flag' });
    expect(request?.caps.lines).toEqual({ value: 100, source: 'stage dev (parameter maxConcurrentCalls)' });
    expect(request?.mix.source).toBe(
      'past runs 2026-03-01 (200 attempts; call lengths from 10 attempts of 2026-03-01)',
    );
    expect(request?.mix.value.BUSY).toEqual({ share: 0.4, lineSeconds: { samples: Array(10).fill(4) } });
    expect(request?.tickGapMs.source).toMatch(/^default/);
    expect(request?.settleMs).toEqual({ value: 2_500, source: 'flag' });
  });

  it('plans the contacts imported for the date when none are given, and the documented mix without past runs', async () => {
    const request = await gatherPlanInputs(ports(historyOf([], { n_PENDING: 1_234, contacts: 1_300 })), {
      campaignId: 'demo',
      date: '2026-03-02',
      now,
      stage,
      ask: {},
    });
    expect(request?.contacts.value).toEqual([{ timeZone: 'Europe/Warsaw', count: 1_234 }]);
    expect(request?.contacts.source).toMatch(/^the run of 2026-03-02/);
    expect(request?.mix.source).toMatch(/^default: 50 % answered/);
  });

  it('refuses to plan nothing, naming the field', async () => {
    await expect(
      gatherPlanInputs(ports(historyOf([])), { campaignId: 'demo', date: '2026-03-02', now, stage, ask: {} }),
    ).rejects.toThrow(PlanInputError);
  });
});
