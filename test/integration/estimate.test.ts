/**
 * The live finish estimate on a local run (issue 17): the real state machine, dispatcher and contact flow dial a
 * list against the Connect simulator while the estimates schedule (invoked every few seconds, as its minute
 * schedule would) re-plans the rest of the run from its counters and pace. Judged against the simulator's call log:
 * by half-way through the run, the estimated finish is within ±15 % of the actual one (as a share of the run's
 * length), and the run status shows it while the run is going.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactWriter } from '../../functions/adapters/contact-writer.ts';
import { parseCampaign } from '../../functions/core/campaign.ts';
import { defaultOutcomeMix } from '../../functions/core/planning/outcome-mix.ts';
import { scenarioFor } from '../../tools/rehearsal/scenario.ts';
import {
  api,
  callLog,
  cloud,
  invokeFunction,
  localDocumentClient,
  setScenario,
  testCampaign,
  today,
  waitForExecution,
} from './support.ts';

const CAMPAIGN = 'estimate-e2e';
const CONTACTS = 250;
/** Calls 25 times shorter than the default mix's (about 3 s of line time each): the run lasts a minute or two. */
const TIME_SCALE = 0.04;
const phones = Array.from({ length: CONTACTS }, (_, index) => `+4860${String(2_000_000 + index).padStart(7, '0')}`);

interface Estimate {
  /** When it was read, epoch ms. */
  at: number;
  finishAt: number;
  remaining: number;
}

let runStart: number;
let lastCallEnd: number;
const estimates: Estimate[] = [];

beforeAll(async () => {
  const definition = testCampaign(CAMPAIGN);
  const campaign = parseCampaign(definition, CAMPAIGN);
  // The callees behave as the estimate's prior assumes (the default mix), in compressed time.
  await setScenario(scenarioFor(defaultOutcomeMix(campaign.run.ringTimeoutSeconds), campaign, TIME_SCALE, 17));
  await api('PUT', `/campaigns/${CAMPAIGN}`, definition);
  const now = new Date();
  await new ContactWriter(cloud.tableName, 1, localDocumentClient()).write(
    CAMPAIGN,
    today(),
    phones.map((phone, line) => ({
      phone,
      timeZone: 'Europe/Warsaw',
      attributes: {},
      listId: 'eta',
      line: line + 2,
      dueAt: now,
    })),
  );

  runStart = Date.now();
  const started = await api('POST', `/campaigns/${CAMPAIGN}/runs`, { date: today() });
  const { executionArn } = started.body as { executionArn: string };
  let running = true;
  const execution = waitForExecution(executionArn, 300_000).finally(() => {
    running = false;
  });
  while (running) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await invokeFunction('runEstimates');
    const status = (await api('GET', `/campaigns/${CAMPAIGN}/runs/${today()}`)).body as {
      estimate?: { finishAt: string; remaining: number };
    };
    if (status.estimate !== undefined) {
      estimates.push({
        at: Date.now(),
        finishAt: Date.parse(status.estimate.finishAt),
        remaining: status.estimate.remaining,
      });
    }
  }
  expect((await execution).status).toBe('SUCCEEDED');
  const calls = callLog().filter((call) => call.attributes.campaignId === CAMPAIGN);
  lastCallEnd = Math.max(...calls.map((call) => Date.parse(call.endedAt)));
}, 330_000);

describe('the live finish estimate of a local run', () => {
  it('is shown by the run status while the run goes, with the contacts remaining', () => {
    expect(estimates.length).toBeGreaterThan(3);
    expect(estimates.every((estimate) => estimate.remaining > 0 && estimate.remaining <= CONTACTS)).toBe(true);
  });

  it('is within ±15 % of the actual finish at every estimate from half-way through the run', () => {
    const length = lastCallEnd - runStart;
    const fromHalfWay = estimates.filter((estimate) => estimate.at - runStart >= length / 2);
    expect(fromHalfWay.length).toBeGreaterThan(0);
    const signed = fromHalfWay.map((estimate) => ({
      at: (estimate.at - runStart) / length,
      error: (estimate.finishAt - lastCallEnd) / length,
    }));
    console.log(
      `estimate errors from half-way (share of the run elapsed: signed error): ${signed
        .map((entry) => `${entry.at.toFixed(2)}:${entry.error >= 0 ? '+' : ''}${entry.error.toFixed(3)}`)
        .join(' ')}`,
    );
    // With the line time measured from the settled attempts the worst estimate was +4.9 % and +5.9 % on two runs (2026-12-05); with
    // Little's law on the pace from the run's start it had reached +16.2 % on a loaded machine.
    expect(Math.max(...signed.map((entry) => Math.abs(entry.error)))).toBeLessThanOrEqual(0.15);
  });
});
