/**
 * Reports after a survey run with contact-event faults, judged against the simulator's ground-truth
 * call log: the summary's totals (built from counters only) and the per-contact export.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  cloud,
  type FlowCallRecord,
  flowCalls,
  invokeFunction,
  setScenario,
  simulatorStats,
  snsMessages,
  testCampaign,
  today,
  waitFor,
  waitForExecution,
  writeContacts,
} from './support.ts';

const CAMPAIGN = 'report-e2e';
const CONTACTS = 60;
const SURVEY = {
  greeting: 'Hello {name}.',
  questions: [
    {
      id: 'q1',
      prompt: 'Press 1 for yes, 2 for no.',
      keys: { '1': 'Yes', '2': 'No' },
      next: { '2': 'q2' },
      maxRetries: 1,
    },
    { id: 'q2', prompt: 'Press 1 for yes, 2 for no.', keys: { '1': 'Yes', '2': 'No' }, maxRetries: 1 },
  ],
  optOutKey: '9',
  closing: 'Goodbye.',
};
const phones = Array.from({ length: CONTACTS }, (_, index) => `+4871${String(3_000_000 + index).padStart(7, '0')}`);

interface Summary {
  status: string;
  contacts: { total: number; finished: number; waiting: number; byStatus: Record<string, number> };
  outcomes: Record<string, number>;
  attempts: { ended: number; distribution: Record<string, number> };
  answersTotal: number;
  reachRate: number;
  optOuts: number;
  questions: Array<{ id: string; answered: number; answers: Array<{ key: string; label: string; count: number }> }>;
  cost: {
    rates: string;
    engine: {
      total: number;
      byService: Array<{ service: string; usd: number; lines: Array<{ service: string; quantity: number }> }>;
      lambdaFunctions: Array<{ name: string; invocations: number; billedMs: number; gbSeconds: number }>;
    };
    telephony: { total: number; lines: Array<{ service: string; quantity: number; usd: number }> };
  };
}

let calls: FlowCallRecord[];
let summary: Summary;

/** Valid key presses in the call log, the ground truth of answers. */
const pressed = (questionId: string, key: string) =>
  calls
    .flatMap((call) => call.flow?.presses ?? [])
    .filter((press) => press.kind === 'KEY' && press.questionId === questionId && press.input === key).length;

beforeAll(async () => {
  await setScenario({
    seed: 31,
    timeScale: 0.02,
    outcomes: { ANSWERED: 60, NO_ANSWER: 15, BUSY: 10, VOICEMAIL: 5, INVALID_NUMBER: 5, FAILED: 5 },
    hangUpProbability: 0.1,
    keypad: {
      invalidKeyProbability: 0.1,
      silenceProbability: 0.1,
      questions: { q1: { keys: { '1': 40, '2': 55, '9': 5 } }, q2: { keys: { '1': 60, '2': 40 } } },
    },
    faults: {
      duplicateProbability: 0.1,
      delayProbability: 0.1,
      delayMs: { min: 100, max: 2000 },
      dropProbability: 0.03,
    },
  });
  // PARTIAL is retried too, so some contacts are reached, then end unreached (the reach rate counts them).
  const retryDelays = {
    PARTIAL: 'PT1S',
    NO_ANSWER: 'PT1S',
    BUSY: 'PT1S',
    VOICEMAIL: 'PT1S',
    FAILED: 'PT1S',
    UNKNOWN: 'PT1S',
  };
  const put = await api(
    'PUT',
    `/campaigns/${CAMPAIGN}`,
    testCampaign(CAMPAIGN, { retryPolicy: { maxAttempts: 3, maxAttemptsPerDay: 3, retryDelays }, script: SURVEY }),
  );
  expect(put.status).toBe(200);
  await writeContacts(CAMPAIGN, today(), phones, new Date());
  const started = await api('POST', `/campaigns/${CAMPAIGN}/runs`, { date: today() });
  expect(started.status).toBe(202);
  const sweeping = setInterval(() => void invokeFunction('sweeper').catch(() => undefined), 3_000);
  try {
    const execution = await waitForExecution((started.body as { executionArn: string }).executionArn, 240_000);
    expect(execution.status).toBe('SUCCEEDED');
  } finally {
    clearInterval(sweeping);
  }
  await waitFor('simulator idle', async () => ((await simulatorStats()).active === 0 ? true : undefined));
  calls = flowCalls(CAMPAIGN);
  summary = (await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}`)).body as Summary;
}, 300_000);

describe('run report against the call log', () => {
  it('accounts for every contact and every call', () => {
    expect(summary.status).toBe('FINISHED');
    expect(summary.contacts.total).toBe(CONTACTS);
    expect(summary.contacts.finished).toBe(CONTACTS);
    expect(summary.contacts.waiting).toBe(0);
    expect(summary.attempts.ended).toBe(calls.length);
    expect(Object.values(summary.outcomes).reduce((sum, value) => sum + value, 0)).toBe(calls.length);
  });

  it('has the attempts distribution of the call log (contacts by number of calls)', () => {
    const perPhone = new Map<string, number>(phones.map((phone) => [phone, 0]));
    for (const call of calls) perPhone.set(call.destination, (perPhone.get(call.destination) ?? 0) + 1);
    const expected: Record<string, number> = {};
    for (const count of perPhone.values()) expected[count] = (expected[count] ?? 0) + 1;
    expect(summary.attempts.distribution).toEqual(expected);
  });

  it('counts each answer as pressed, with its label', () => {
    for (const question of summary.questions) {
      for (const answer of question.answers) {
        expect(answer.count, `${question.id}:${answer.key}`).toBe(pressed(question.id, answer.key));
        expect(answer.label).toMatch(/^(Yes|No)$/);
      }
    }
    expect(summary.answersTotal).toBeGreaterThan(0);
    expect(summary.optOuts).toBe(summary.contacts.byStatus.OPTED_OUT ?? 0);
  });

  it('announces the run with counts and the API paths, never a link to personal data', () => {
    const announcement = snsMessages().find(
      (message) => message.subject === `Campaign ${CAMPAIGN} run ${today()} finished`,
    );
    expect(announcement?.message).toContain(`Report: GET /campaigns/${CAMPAIGN}/reports/${today()}`);
    expect(announcement?.message).toContain(
      `Contacts (60, with answers): GET /campaigns/${CAMPAIGN}/reports/${today()}/contacts.csv`,
    );
    expect(announcement?.message).toMatch(/Engine cost \$\d+\.\d+ \(DynamoDB \$.*\); telephony and SMS \$/);
    expect(announcement?.message).not.toMatch(/https?:\/\//);
    // Nor does the execution's history (its output holds the announcement).
    const executions = readFileSync(join(cloud.stateDirectory, 'executions.jsonl'), 'utf8');
    expect(executions).toContain(`/campaigns/${CAMPAIGN}/reports/${today()}`);
    expect(executions).not.toMatch(/X-Amz-Signature|X-Amz-Credential/);
  });

  it("shows what the run cost: its own measured usage by service, and the calls' telephony apart", () => {
    const { engine, telephony, rates } = summary.cost;
    const service = (name: string) => engine.byService.find((entry) => entry.service === name)?.usd ?? 0;
    console.info(
      `run cost of ${CONTACTS} contacts, ${calls.length} calls: engine $${engine.total.toFixed(6)} (` +
        `${engine.byService.map((entry) => `${entry.service} $${entry.usd.toFixed(6)}`).join(', ')}), ` +
        `telephony $${telephony.total.toFixed(4)}; ${rates}; functions ` +
        engine.lambdaFunctions.map((entry) => `${entry.name} ${entry.invocations}× ${entry.billedMs} ms`).join(', '),
    );
    expect(rates).toBe('eu-west-1 list prices as of 2025-11-10');
    for (const name of ['DynamoDB', 'Lambda', 'Step Functions', 'SNS', 'S3'])
      expect(service(name), name).toBeGreaterThan(0);
    expect(engine.total).toBeCloseTo(
      engine.byService.reduce((sum, entry) => sum + entry.usd, 0),
      6,
    );
    // The functions that did the run's work, each with its invocations and billed time at its memory.
    const functions = new Map(engine.lambdaFunctions.map((entry) => [entry.name, entry]));
    for (const name of ['runInit', 'dispatch', 'callEnded', 'recordAnswer', 'runFinalize']) {
      expect(functions.get(name)?.invocations, name).toBeGreaterThan(0);
      expect(functions.get(name)?.gbSeconds, name).toBeGreaterThan(0);
    }
    // Writes: every attempt settles a contact in a transaction (at least 2 units an item).
    const writes = engine.byService.find((entry) => entry.service === 'DynamoDB')?.lines[1]?.quantity ?? 0;
    expect(writes).toBeGreaterThan(2 * calls.length);
    // Telephony apart: the answered calls' connected minutes, voice usage and carrier, and no SMS in this campaign.
    const voice = telephony.lines.find((line) => line.service === 'Connect voice usage');
    expect(voice?.quantity).toBeGreaterThan(0);
    expect(telephony.lines.find((line) => line.service.startsWith('SMS'))?.quantity).toBe(0);
    expect(telephony.total).toBeGreaterThan(0);
  });

  it('exports one CSV row per contact with its attempts, downloadable from the presigned link', async () => {
    const response = await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}/contacts.csv`);
    expect(response.status).toBe(200);
    const { url, rows } = response.body as { url: string; rows: number };
    expect(rows).toBe(CONTACTS);
    const text = await (await fetch(url)).text();
    const lines = text
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter((line) => line !== '');
    expect(lines[0]).toBe(
      'phone,external_id,name,status,attempts,attempt_log,answer_q1,answer_q2,opted_out,follow_ups,lawful_basis,held_by,other_attributes',
    );
    expect(lines).toHaveLength(CONTACTS + 1);
    let reached = 0;
    for (const line of lines.slice(1)) {
      const [phone = '', , , , attempts, attemptLog = ''] = line.split(',');
      const dialed = calls.filter((call) => call.destination === phone).length;
      expect(Number(attempts), phone).toBe(dialed);
      if (/ (COMPLETED|PARTIAL|OPTED_OUT)(;|$)/.test(attemptLog)) reached++;
    }
    // Reached: a person picked up at least once, whatever the last attempt was (with seed 31 one
    // contact is retried after a PARTIAL and not reached again: final statuses alone say 50, not 51).
    expect(summary.reachRate).toBe(Math.round((reached / CONTACTS) * 10_000) / 10_000);
  });

  it('hands a large export to the worker: 202 with where to ask, then the same file once done', async () => {
    const base = `/campaigns/${CAMPAIGN}/reports/${today()}`;
    const started = await api('GET', `${base}/contacts.csv?wait=0`);
    expect(started.status).toBe(202);
    const { exportId, statusUrl, status } = started.body as { exportId: string; statusUrl: string; status: string };
    expect(status).toBe('RUNNING');
    expect(statusUrl).toBe(`${base}/exports/${exportId}`);
    expect(started.headers.get('location')).toBe(statusUrl);
    const done = await waitFor(
      'the export job to finish',
      async () => {
        const job = await api('GET', statusUrl);
        return (job.body as { status: string }).status === 'DONE' ? job : undefined;
      },
      30_000,
    );
    const { url, rows, fileName } = done.body as { url: string; rows: number; fileName: string };
    expect(rows).toBe(CONTACTS);
    expect(fileName).toBe(`${CAMPAIGN}-${today()}-contacts.csv`);
    const direct = (await api('GET', `${base}/contacts.csv`)).body as { url: string };
    expect(await (await fetch(url)).text()).toBe(await (await fetch(direct.url)).text());
    // Lambda delivers asynchronous events at least once: a second delivery finds the job taken.
    const ref = { campaignId: CAMPAIGN, date: today(), exportId };
    expect(await invokeFunction('exportContacts', ref)).toEqual({ outcome: 'ALREADY_TAKEN' });
    expect((await api('GET', `${base}/exports/00000000t000000000z-000000`)).status).toBe(404);
    expect((await api('GET', `${base}/contacts.csv?wait=26`)).status).toBe(400);
  });

  it('filters the export by answer and refuses a malformed filter or an overlong range', async () => {
    const filtered = await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}/contacts.csv?answer=q1:2`);
    const q1No = summary.questions.find((question) => question.id === 'q1')?.answers.find((a) => a.key === '2');
    expect((filtered.body as { rows: number }).rows).toBeLessThanOrEqual(q1No?.count ?? 0);
    expect((await api('GET', `/campaigns/${CAMPAIGN}/reports/${today()}/contacts.csv?answer=q1`)).status).toBe(400);
    const tooLong = await api('GET', `/campaigns/${CAMPAIGN}/reports?from=2026-01-01&to=2026-12-31`);
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('query.to');
  });

  it('sums days in the range report', async () => {
    const range = await api('GET', `/campaigns/${CAMPAIGN}/reports?from=${today()}&to=${today()}`);
    expect(range.status).toBe(200);
    expect((range.body as Summary).contacts.total).toBe(CONTACTS);
  });
});
