/**
 * Every personal item the adapters write expires at its run's date plus the retention (docs/retention.md): written
 * today for a run 120 days ahead, none expires before its run is over, and none outlives the retention.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AnswerStore } from '../../../functions/adapters/answer-store.ts';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { ContactWriter } from '../../../functions/adapters/contact-writer.ts';
import { ExportJobStore } from '../../../functions/adapters/export-jobs.ts';
import { FollowUpStore } from '../../../functions/adapters/follow-up-store.ts';
import { ListStore } from '../../../functions/adapters/list-store.ts';
import { RunHistory } from '../../../functions/adapters/run-history.ts';
import { runEndsAt } from '../../../functions/core/run-clock.ts';
import { RecordingClient, type SentCommand } from './recording-client.ts';

const asClient = (client: RecordingClient) => client as unknown as typeof documentClient;
const NOW = new Date('2026-12-04T10:00:00Z');
const RUN_DATE = '2027-04-03';
const RETENTION_DAYS = 90;
const DAY = 86_400;

/** Every `expiresAt` the commands carried, wherever in the request it sits. */
function expiries(sent: readonly SentCommand[]): number[] {
  const found: number[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) {
      for (const [name, inner] of Object.entries(value)) {
        if ((name === 'expiresAt' || name === ':expires') && typeof inner === 'number') found.push(inner);
        else visit(inner);
      }
    }
  };
  for (const command of sent) visit(command.input);
  return found;
}

function expectWithinRetention(sent: readonly SentCommand[]): void {
  const found = expiries(sent);
  expect(found.length).toBeGreaterThan(0);
  for (const expiresAt of found) {
    expect(expiresAt).toBeGreaterThanOrEqual(runEndsAt(RUN_DATE).getTime() / 1000 + RETENTION_DAYS * DAY);
    expect(expiresAt).toBeLessThanOrEqual(Date.parse(`${RUN_DATE}T00:00:00Z`) / 1000 + (RETENTION_DAYS + 2) * DAY);
  }
}

describe('personal items written 120 days before their run', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('contacts', async () => {
    const client = new RecordingClient();

    await new ContactWriter('table', RETENTION_DAYS, asClient(client)).write('demo', RUN_DATE, [
      {
        phone: '+48601234567',
        timeZone: 'Europe/Warsaw',
        name: 'Anna',
        attributes: {},
        listId: '20270403-0123456789abcdef',
        line: 2,
        dueAt: new Date(`${RUN_DATE}T08:00:00Z`),
      },
    ]);

    expectWithinRetention(client.sent);
  });

  it('answers', async () => {
    const client = new RecordingClient();

    await new AnswerStore('table', RETENTION_DAYS, asClient(client)).record({
      ref: { campaignId: 'demo', date: RUN_DATE, phone: '+48601234567', attempt: 1 },
      questionId: 'q1',
      key: '1',
      label: 'Yes',
      scriptVersion: 1,
      // An answer given long after the run (a carried-over contact, a clock far off) still goes with the run.
      answeredAt: new Date('2027-06-30T10:00:00Z'),
      connectContactId: 'c-1',
      progress: { attempt: 1, questionsAnswered: 1, completed: true, optedOut: false },
    });

    expectWithinRetention(client.sent);
  });

  it('follow-ups', async () => {
    const client = new RecordingClient();

    await new FollowUpStore('table', RETENTION_DAYS, asClient(client)).claim(
      { campaignId: 'demo', date: RUN_DATE, phone: '+48601234567', ruleId: 'thanks' },
      NOW,
    );

    expectWithinRetention(client.sent);
  });

  it('list items', async () => {
    const client = new RecordingClient();

    await new ListStore('table', RETENTION_DAYS, asClient(client)).create({
      campaignId: 'demo',
      date: RUN_DATE,
      listId: '20270403-0123456789abcdef',
      status: 'AWAITING_UPLOAD',
      source: 'upload-url',
      format: 'csv',
      objectKey: `lists/demo/${RUN_DATE}/20270403-0123456789abcdef.csv`,
      createdAt: NOW,
    });

    expectWithinRetention(client.sent);
  });

  it('export jobs', async () => {
    const client = new RecordingClient();

    await new ExportJobStore('table', RETENTION_DAYS, asClient(client)).create(
      { campaignId: 'demo', date: RUN_DATE, exportId: 'x-1', format: 'csv', filters: [] },
      NOW,
    );

    expectWithinRetention(client.sent);
  });

  it('run history samples', async () => {
    const client = new RecordingClient();

    await new RunHistory('table', RETENTION_DAYS, asClient(client)).recordSample('demo', RUN_DATE, {
      at: `${RUN_DATE}T09:00:00.000Z`,
      inFlight: 1,
      dialRate: 2,
      attemptsStarted: 3,
    });

    expectWithinRetention(client.sent);
  });
});
