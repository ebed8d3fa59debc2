/**
 * A campaign run end to end through the local stack (state machine, dispatcher, Connect simulator,
 * contact events with faults, call-ended, sweeper), judged against the simulator's ground-truth
 * call log: the caps hold, no attempt is dialled twice, and every contact ends accounted for.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactWriter } from '../../functions/adapters/contact-writer.ts';
import { FINAL_CONTACT_STATUSES } from '../../functions/core/policy/retry-policy.ts';
import {
  api,
  type CallLogRecord,
  callLog,
  cloud,
  invokeFunction,
  localDocumentClient,
  runItems,
  setScenario,
  simulatorStats,
  testCampaign,
  today,
  waitFor,
  waitForExecution,
} from './support.ts';

const CAMPAIGN = 'dial-e2e';
const CONTACTS = 200;
/** Where a contact can end: the retry policy's final statuses, or suppressed by the do-not-call list. */
const FINAL_STATUSES: readonly string[] = [...FINAL_CONTACT_STATUSES, 'SUPPRESSED'];
const phones = Array.from({ length: CONTACTS }, (_, index) => `+4860${String(1_000_000 + index).padStart(7, '0')}`);

interface StoredContact {
  phone: string;
  status: string;
  attempts: number;
}

let calls: CallLogRecord[];
let contacts: StoredContact[];
let runStatus: { status: string; contacts: Record<string, number>; callsInFlight: number };
let stats: Record<string, unknown>;

beforeAll(async () => {
  const documents = localDocumentClient();
  await setScenario({
    seed: 11,
    timeScale: 0.02,
    outcomes: { ANSWERED: 50, NO_ANSWER: 20, BUSY: 10, VOICEMAIL: 10, INVALID_NUMBER: 5, FAILED: 5 },
    faults: {
      duplicateProbability: 0.1,
      delayProbability: 0.1,
      delayMs: { min: 100, max: 3000 },
      dropProbability: 0.03,
    },
  });
  const retryDelays = { NO_ANSWER: 'PT1S', BUSY: 'PT1S', VOICEMAIL: 'PT1S', FAILED: 'PT1S', UNKNOWN: 'PT1S' };
  await api(
    'PUT',
    `/campaigns/${CAMPAIGN}`,
    testCampaign(CAMPAIGN, { retryPolicy: { maxAttempts: 3, maxAttemptsPerDay: 3, retryDelays } }),
  );
  const writer = new ContactWriter(cloud.tableName, 1, documents);
  const now = new Date();
  await writer.write(
    CAMPAIGN,
    today(),
    phones.map((phone, line) => ({
      phone,
      timeZone: 'Europe/Warsaw',
      attributes: {},
      listId: 'e2e',
      line: line + 2,
      dueAt: now,
    })),
  );

  const started = await api('POST', `/campaigns/${CAMPAIGN}/runs`, { date: today() });
  const { executionArn } = started.body as { executionArn: string };
  // The schedule runs the sweeper every minute; the test runs it more often so lost events settle quickly.
  const sweeping = setInterval(() => void invokeFunction('sweeper').catch(() => undefined), 3_000);
  try {
    const execution = await waitForExecution(executionArn, 240_000);
    expect(execution.status).toBe('SUCCEEDED');
  } finally {
    clearInterval(sweeping);
  }
  // Late (delayed or duplicated) events may still be in flight: wait until the simulator is idle.
  await waitFor('simulator idle', async () => ((await simulatorStats()).active === 0 ? true : undefined));

  calls = callLog().filter((call) => call.attributes.campaignId === CAMPAIGN);
  contacts = (await runItems(CAMPAIGN, today(), 'CONTACT#')) as unknown as StoredContact[];
  runStatus = (await api('GET', `/campaigns/${CAMPAIGN}/runs/${today()}`)).body as typeof runStatus;
  stats = await simulatorStats();
}, 300_000);

describe('a campaign run through the local stack, with contact-event faults', () => {
  it('ends every contact of the list in a final status, none waiting or in a call', () => {
    expect(contacts).toHaveLength(CONTACTS);
    for (const contact of contacts) expect(FINAL_STATUSES).toContain(contact.status);
    expect(runStatus.status).toBe('FINISHED');
    expect(runStatus.callsInFlight).toBe(0);
    expect(runStatus.contacts.PENDING ?? 0).toBe(0);
    expect(runStatus.contacts.DIALING ?? 0).toBe(0);
    const finalCount = FINAL_STATUSES.reduce((sum, status) => sum + (runStatus.contacts[status] ?? 0), 0);
    expect(finalCount).toBe(CONTACTS);
  });

  it('dials every (contact, attempt) at most once, and exactly the attempts the contacts record', () => {
    const attemptKeys = calls.map((call) => `${call.destination}#${call.attributes.attempt}`);
    expect(new Set(attemptKeys).size).toBe(calls.length);
    expect(new Set(calls.map((call) => call.clientToken)).size).toBe(calls.length);
    expect(calls.length).toBe(contacts.reduce((sum, contact) => sum + contact.attempts, 0));
    expect(new Set(calls.map((call) => call.destination))).toEqual(new Set(phones));
    for (const contact of contacts) expect(contact.attempts).toBeLessThanOrEqual(3);
  });

  it('never holds more calls than the concurrency cap', () => {
    const edges = calls.flatMap((call) => [
      { at: Date.parse(call.startedAt), delta: 1 },
      { at: Date.parse(call.endedAt), delta: -1 },
    ]);
    edges.sort((a, b) => a.at - b.at || a.delta - b.delta);
    let live = 0;
    let peak = 0;
    for (const edge of edges) {
      live += edge.delta;
      peak = Math.max(peak, live);
    }
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(cloud.caps.maxConcurrentCalls);
    expect(stats.limitExceeded).toBe(0);
  });

  it('never dials faster than the dial-rate quota (burst plus rate over any interval)', () => {
    const starts = calls.map((call) => Date.parse(call.startedAt)).sort((a, b) => a - b);
    const { dialsPerSecond, dialBurst } = cloud.caps;
    for (let first = 0; first < starts.length; first++) {
      for (let last = first; last < starts.length; last++) {
        const seconds = ((starts[last] ?? 0) - (starts[first] ?? 0)) / 1000;
        if (seconds > 5) break;
        expect(last - first + 1).toBeLessThanOrEqual(dialBurst + dialsPerSecond * seconds + 1);
      }
    }
  });

  it('retried the people it did not reach', () => {
    expect(contacts.some((contact) => contact.attempts > 1)).toBe(true);
    expect(calls.length).toBeGreaterThan(CONTACTS);
  });
});
