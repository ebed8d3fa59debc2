/**
 * Run control through the API, judged by the simulator's call log: pause stops new calls within a
 * tick, resume picks up where it stopped, stop ends the run with the leftovers expired.
 */
import { StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { ContactWriter } from '../../functions/adapters/contact-writer.ts';
import {
  api,
  callLog,
  cloud,
  localDocumentClient,
  setScenario,
  sfn,
  testCampaign,
  today,
  waitFor,
  waitForExecution,
} from './support.ts';

const CAMPAIGN = 'run-control';
const TICK_MS = 1_000;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));
const callsOfCampaign = () => callLog().filter((call) => call.attributes.campaignId === CAMPAIGN);

describe('run control', () => {
  it('pauses within a tick, resumes, and stops with the leftovers expired', async () => {
    await setScenario({ seed: 3, timeScale: 0.05, outcomes: { NO_ANSWER: 1 }, ringMs: 20_000 });
    await api('PUT', `/campaigns/${CAMPAIGN}`, testCampaign(CAMPAIGN));
    const phones = Array.from({ length: 80 }, (_, index) => `+4861${String(2_000_000 + index).padStart(7, '0')}`);
    await new ContactWriter(cloud.tableName, 1, localDocumentClient()).write(
      CAMPAIGN,
      today(),
      phones.map((phone, line) => ({
        phone,
        timeZone: 'Europe/Warsaw',
        attributes: {},
        listId: 'control',
        line,
        dueAt: new Date(),
      })),
    );
    const started = await api('POST', `/campaigns/${CAMPAIGN}/runs`, { date: today() });
    const { executionArn } = started.body as { executionArn: string };
    await waitFor('first calls', async () => (callsOfCampaign().length >= 5 ? true : undefined));

    const paused = await api('POST', `/campaigns/${CAMPAIGN}/runs/${today()}/pause`);
    const pausedAt = Date.now();
    expect(paused.body).toMatchObject({ status: 'PAUSED' });
    await sleep(4 * TICK_MS);
    const startedWhilePaused = callLog().filter(
      (call) => call.attributes.campaignId === CAMPAIGN && Date.parse(call.startedAt) > pausedAt + 2 * TICK_MS,
    );
    expect(startedWhilePaused).toEqual([]);
    const status = await api('GET', `/campaigns/${CAMPAIGN}/runs/${today()}`);
    expect(status.body).toMatchObject({ status: 'PAUSED', caps: cloud.caps });
    expect(await api('POST', `/campaigns/${CAMPAIGN}/runs/${today()}/pause`)).toMatchObject({ status: 409 });

    const countBeforeResume = callsOfCampaign().length;
    expect((await api('POST', `/campaigns/${CAMPAIGN}/runs/${today()}/resume`)).body).toMatchObject({
      status: 'RUNNING',
    });
    await waitFor('calls after resume', async () =>
      callsOfCampaign().length > countBeforeResume + 3 ? true : undefined,
    );

    expect((await api('POST', `/campaigns/${CAMPAIGN}/runs/${today()}/stop`)).body).toMatchObject({
      status: 'STOPPING',
    });
    const execution = await waitForExecution(executionArn, 60_000);
    expect(execution.status).toBe('SUCCEEDED');
    const final = (await api('GET', `/campaigns/${CAMPAIGN}/runs/${today()}`)).body as {
      status: string;
      contacts: Record<string, number>;
      callsInFlight: number;
    };
    expect(final.status).toBe('FINISHED');
    expect(final.callsInFlight).toBe(0);
    expect(final.contacts.PENDING ?? 0).toBe(0);
    expect(final.contacts.DIALING ?? 0).toBe(0);
    expect(final.contacts.EXPIRED ?? 0).toBeGreaterThan(0);
    expect(Object.values(final.contacts).reduce((sum, count) => sum + count, 0)).toBe(phones.length);

    // The charts' history: a sample per minute the run ticked, each with the minute's last figures.
    const history = await api('GET', `/campaigns/${CAMPAIGN}/runs/${today()}/history`);
    expect(history.status).toBe(200);
    const { samples } = history.body as {
      samples: Array<{ at: string; inFlight: number; dialRate: number; attemptsStarted: number }>;
    };
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.map((sample) => sample.at)).toEqual(samples.map((sample) => sample.at).sort());
    for (const [index, sample] of samples.entries()) {
      expect(sample.inFlight).toBeLessThanOrEqual(cloud.caps.maxConcurrentCalls);
      expect(sample.attemptsStarted).toBeGreaterThanOrEqual(samples[index - 1]?.attemptsStarted ?? 0);
    }
    expect(samples.at(-1)?.attemptsStarted).toBe(callsOfCampaign().length);
    expect((await api('GET', `/campaigns/${CAMPAIGN}/runs/2020-01-01/history`)).status).toBe(404);
  }, 180_000);

  it('restarts a run whose execution was aborted without closing it, closing it as FAILED first', async () => {
    const campaign = 'run-orphan';
    await setScenario({ seed: 4, timeScale: 0.05, outcomes: { NO_ANSWER: 1 }, ringMs: 20_000 });
    await api('PUT', `/campaigns/${campaign}`, testCampaign(campaign));
    await new ContactWriter(cloud.tableName, 1, localDocumentClient()).write(
      campaign,
      today(),
      ['+48613000001', '+48613000002'].map((phone, line) => ({
        phone,
        timeZone: 'Europe/Warsaw',
        attributes: {},
        listId: 'orphan',
        line,
        dueAt: new Date(),
      })),
    );
    const runPath = `/campaigns/${campaign}/runs/${today()}`;
    const first = (await api('POST', `/campaigns/${campaign}/runs`, { date: today() })).body as {
      executionArn: string;
    };
    const runStatus = async () => (await api('GET', runPath)).body as { status?: string; generation?: number };
    await waitFor('the run to open', async () => ((await runStatus()).status === 'RUNNING' ? true : undefined));
    // While its execution runs, a second start is refused.
    expect((await api('POST', `/campaigns/${campaign}/runs`, { date: today() })).status).toBe(409);

    // An operator (or a timeout) ends the execution in Step Functions: nothing closes the run.
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn, error: 'Operator', cause: 'aborted' }));
    expect((await waitForExecution(first.executionArn)).status).toBe('ABORTED');
    expect((await runStatus()).status).toBe('RUNNING');

    const restarted = await api('POST', `/campaigns/${campaign}/runs`, { date: today() });
    expect(restarted.status).toBe(202);
    expect(restarted.body).toMatchObject({
      generation: 1,
      closedExecution: { name: `${campaign}-${today()}-g0`, status: 'ABORTED' },
    });
    const second = restarted.body as { executionArn: string };
    await waitFor('the restarted run to open', async () => ((await runStatus()).generation === 1 ? true : undefined));
    expect((await api('POST', `${runPath}/stop`)).status).toBe(200);
    expect((await waitForExecution(second.executionArn)).status).toBe('SUCCEEDED');
    expect((await runStatus()).status).toBe('FINISHED');
  }, 120_000);
});
