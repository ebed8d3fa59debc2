/**
 * Every failure class reaches the operator as exactly one clear message on the alerts topic (the
 * local SNS log), however often the condition repeats within its period: each class is provoked
 * through the real handlers, state machine and local cloud, and its message must say what happened,
 * which campaign/run, since when, and the next step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectClient, StartOutboundVoiceContactCommand } from '@aws-sdk/client-connect';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbLineLeases } from '../../functions/adapters/line-leases.ts';
import type { DueContact } from '../../functions/use-cases/dialing/ports.ts';
import { DEAD_LETTER_FILE_NAME } from '../../local/connect.ts';
import {
  api,
  cloud,
  invokeFunction,
  localDocumentClient,
  runItems,
  type SnsRecord,
  setDynamoDbFaults,
  setScenario,
  snsMessages,
  testCampaign,
  today,
  waitFor,
  waitForExecution,
  writeContacts,
} from './support.ts';

const documents = localDocumentClient();
const leases = new DynamoDbLineLeases(cloud.tableName, cloud.caps, 90, documents);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
/** `<service>-<stage>`, the prefix of every resource name of the stack. */
const stackPrefix = String(cloud.alertsTopicArn.split(':').at(-1)).replace(/-alerts$/, '');
const ISO_TIME = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/;

/** Callees who answer 1 and so get the follow-up SMS. */
const FOLLOW_UP_PHONES = Array.from({ length: 6 }, (_, index) => `+4860140000${index}`);
/** Calls placed on the Connect instance by something other than the dispatcher (their ends fail while DynamoDB refuses). */
const FOREIGN_CALLS = ['+48600900001', '+48600900002'];

/** Alerts-topic messages whose subject matches, published after `mark` (the log's length before). */
function alertsAfter(mark: number, subject: string | RegExp): SnsRecord[] {
  return snsMessages()
    .slice(mark)
    .filter((message) => message.topicArn === cloud.alertsTopicArn)
    .filter((message) =>
      typeof subject === 'string' ? message.subject === subject : subject.test(message.subject ?? ''),
    );
}

/** Waits for the first message of a class, then lets `settleMs` pass so a duplicate would have arrived. */
async function oneAlert(mark: number, subject: string | RegExp, settleMs = 1_500): Promise<SnsRecord> {
  await waitFor(`alert "${subject}"`, async () => (alertsAfter(mark, subject).length > 0 ? true : undefined), 30_000);
  await new Promise((resolve) => setTimeout(resolve, settleMs));
  const messages = alertsAfter(mark, subject);
  expect(messages, `messages "${subject}"`).toHaveLength(1);
  return messages[0] as SnsRecord;
}

/** What, which campaign/run, since when, the next step. */
function expectClear(message: string, what: RegExp, run: string | undefined): void {
  expect(message).toMatch(what);
  if (run !== undefined) expect(message).toContain(run);
  expect(message).toMatch(ISO_TIME);
  expect(message).toMatch(/Next step: \S/);
}

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  await setScenario({
    seed: 7,
    timeScale: 0.02,
    numbers: {
      ...Object.fromEntries(FOLLOW_UP_PHONES.map((phone) => [phone, { outcome: 'ANSWERED', presses: ['1'] }])),
      ...Object.fromEntries(FOREIGN_CALLS.map((phone) => [phone, { outcome: 'BUSY' }])),
    },
  });
  // Engine-wide conditions are deduplicated for an hour: another test file on this stack may have raised one.
  for (const condition of ['connect-throttling', 'leaked-leases']) {
    await documents.send(new DeleteCommand({ TableName: cloud.tableName, Key: { pk: 'ALERTS', sk: condition } }));
  }
});

afterAll(async () => {
  await setScenario({ seed: 7, timeScale: 0.02 });
});

describe('alerts: one clear SNS message per failure class', () => {
  it('dial errors repeating: one alert for the run, then one run-failed alert when the run gives up', async () => {
    const campaign = 'alert-dial-errors';
    await api('PUT', `/campaigns/${campaign}`, testCampaign(campaign));
    // Connect refuses every call: the contacts' attributes (a 33 KB name) exceed its 32 KB limit.
    const phones = Array.from({ length: 72 }, (_, index) => `+4860100${String(index).padStart(4, '0')}`);
    const hugeName = 'N'.repeat(33_000);
    for (let start = 0; start < phones.length; start += 24) {
      const group = phones.slice(start, start + 24);
      await writeContactsNamed(campaign, group, hugeName);
    }
    const mark = snsMessages().length;

    const started = await api('POST', `/campaigns/${campaign}/runs`, { date: today() });
    const execution = await waitForExecution((started.body as { executionArn: string }).executionArn);

    expect(execution.status).toBe('FAILED');
    // Five ticks in a row with errors (twelve refused dials each): alerted at the second, quiet at the third to
    // fifth, then the run gave up.
    expect(await runItem(campaign)).toMatchObject({ consecutiveDialErrors: 5 });
    const dialErrors = await oneAlert(mark, `[ALERT] dial errors repeating: ${campaign} ${today()}`, 0);
    expectClear(
      dialErrors.message,
      /DIAL ERRORS REPEATING: .* in 2 ticks in a row .*attributes exceed 32768 bytes/,
      `${campaign} run ${today()}`,
    );
    expect(dialErrors.message).toMatch(/since about \d{4}-/);
    const failed = alertsAfter(mark, '[ALERT] campaign run failed').filter((message) =>
      message.message.includes(`campaign ${campaign} run ${today()}`),
    );
    expect(failed).toHaveLength(1);
    expectClear(
      String(failed[0]?.message),
      /RUN FAILED: .* failed with DispatcherError: 5 ticks in a row failed to start calls; last error: InvalidParameterException/,
      `${campaign} run ${today()}`,
    );
    expect(failed[0]?.message).toMatch(/started \d{4}-/);
  });

  it('leaked leases: one alert for the calls that ended without an event, none for more within the hour', async () => {
    const campaign = 'alert-leaks';
    await api('PUT', `/campaigns/${campaign}`, testCampaign(campaign));
    const leak = async (phones: string[]) => {
      await writeContactsNamed(campaign, phones);
      // Calls placed a minute ago (leases last 10 s here) whose ends were never reported, and which Connect no
      // longer knows (their ContactIds are unknown to DescribeContact): nothing can say how they ended.
      const claimedAt = new Date(Date.now() - 60_000);
      for (const phone of phones) {
        const contact: DueContact = {
          campaignId: campaign,
          date: today(),
          phone,
          attempts: 0,
          status: 'PENDING',
          timeZone: 'Europe/Warsaw',
        };
        const line = (await leases.shards()).find((shard) => shard.inFlight < shard.cap);
        if (line === undefined) throw new Error('no free line');
        expect(await leases.claim(contact, line, claimedAt, 10)).toBe('CLAIMED');
        const ref = { campaignId: campaign, date: today(), phone, attempt: 1 };
        await leases.noteContactId(ref, line.shard, `forgotten-by-connect-${phone}`);
      }
    };
    const mark = snsMessages().length;

    // Five, so that even a scheduled sweep racing this one settles three of them in one of the two.
    await leak(['+48601200001', '+48601200002', '+48601200003', '+48601200004', '+48601200005']);
    await invokeFunction('sweeper');
    const alert = await oneAlert(mark, '[ALERT] calls ended without a contact event', 0);
    await leak(['+48601200006', '+48601200007', '+48601200008', '+48601200009', '+48601200010']);
    await invokeFunction('sweeper');

    for (const contact of await runItems(campaign, today(), 'CONTACT#')) expect(contact.status).not.toBe('DIALING');
    expect(alertsAfter(mark, '[ALERT] calls ended without a contact event')).toHaveLength(1);
    expectClear(alert.message, /LEAKED LINES: \d call attempts/, `campaign ${campaign} run ${today()} (`);
  });

  it('run not finished: one alert for a run still active after its date ended everywhere', async () => {
    const campaign = 'alert-overdue';
    const date = daysAgo(3);
    await api('PUT', `/campaigns/${campaign}`, testCampaign(campaign));
    // Init opened the run three days ago, then its execution was lost (aborted: no Catch runs).
    await invokeFunction('runInit', { campaignId: campaign, date, generation: 0 });
    const mark = snsMessages().length;

    try {
      await invokeFunction('sweeper');
      const alert = await oneAlert(mark, `[ALERT] run not finished: ${campaign} ${date}`, 0);
      await invokeFunction('sweeper');

      expect(alertsAfter(mark, `[ALERT] run not finished: ${campaign} ${date}`)).toHaveLength(1);
      expectClear(alert.message, /RUN NOT FINISHED: .* is still RUNNING/, `campaign ${campaign} run ${date}`);
      expect(alert.message).toMatch(/over in every time zone since \d{4}-/);
    } finally {
      await invokeFunction('runFinalize', { campaignId: campaign, date });
    }
  });

  it('import rejection rate: one alert for a list above the threshold, none for a duplicate upload event', async () => {
    const campaign = 'alert-import';
    await api('PUT', `/campaigns/${campaign}`, testCampaign(campaign, { import: { rejectionAlertThreshold: 0.2 } }));
    const csv = ['phone,name', '+48601234567,A', '+48601234568,B', '12,C', 'abc,D', '+48601234569,E', ''].join('\n');
    const mark = snsMessages().length;

    const requested = await api(
      'POST',
      `/campaigns/${campaign}/lists/upload-url?date=${today()}&size=${Buffer.byteLength(csv)}`,
    );
    const { listId, uploadUrl } = requested.body as { listId: string; uploadUrl: string };
    expect((await fetch(uploadUrl, { method: 'PUT', body: csv })).status).toBe(200);
    const list = await waitFor('list imported', async () => {
      const response = await api('GET', `/campaigns/${campaign}/lists/${listId}`);
      const body = response.body as { status: string; rejected?: number };
      return body.status === 'DONE' ? body : undefined;
    });
    // S3 delivers events at least once: the same upload event again.
    const [, bucket, ...key] = new URL(uploadUrl).pathname.split('/');
    await invokeFunction('listUploaded', {
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: bucket }, object: { key: key.join('/'), size: csv.length } },
        },
      ],
    });

    expect(list.rejected).toBe(2);
    const alert = await oneAlert(mark, `[ALERT] list import rejected 40 % of rows: ${campaign} ${today()}`);
    expectClear(
      alert.message,
      /IMPORT REJECTION RATE: .*rejected 2 of 5 rows \(40\.0 %, threshold 20 %\)/,
      `list ${listId} of campaign ${campaign} run ${today()}`,
    );
    expect(alert.message).toContain(`GET /campaigns/${campaign}/lists/${listId}/rejected.csv`);
  });

  it('event-handler failures in the dead-letter queue: one alarm notification while the queue holds messages', async () => {
    const deadLetterFile = join(cloud.stateDirectory, DEAD_LETTER_FILE_NAME);
    // Purged (as an operator would the queue) so the alarm starts from OK, whatever earlier tests left there.
    writeFileSync(deadLetterFile, '');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const connect = new ConnectClient({ endpoint: cloud.endpoints.connect, region: 'eu-west-1', credentials });
    // A call ends while DynamoDB refuses every request (the fault proxy denies all of them, as a deploy whose policy
    // lacks the table would; a denial is not retried, so each delivery fails at once): call-ended cannot even look
    // the call up, on any delivery, and the event lands in the dead-letter queue.
    const callEndingWhileDynamoDbRefuses = async (destination: string, deadLetters: number) => {
      await setDynamoDbFaults({ deny: 1 });
      try {
        await connect.send(
          new StartOutboundVoiceContactCommand({
            InstanceId: cloud.connectInstanceId,
            ContactFlowId: 'manual-flow',
            DestinationPhoneNumber: destination,
            SourcePhoneNumber: '+48221234567',
          }),
        );
        await waitFor(
          'dead letter',
          async () => (deadLetterCount(deadLetterFile) >= deadLetters ? true : undefined),
          90_000,
        );
      } finally {
        await setDynamoDbFaults({});
      }
    };
    const subject = `ALARM: "${stackPrefix}-call-events-dlq" in EU (Ireland)`;
    const mark = snsMessages().length;

    await callEndingWhileDynamoDbRefuses(FOREIGN_CALLS[0] as string, 1);
    const alarm = await oneAlert(mark, subject, 0);
    await callEndingWhileDynamoDbRefuses(FOREIGN_CALLS[1] as string, 2);
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(alertsAfter(mark, subject)).toHaveLength(1);
    const notification = JSON.parse(alarm.message) as Record<string, string>;
    expect(notification).toMatchObject({ NewStateValue: 'ALARM', AlarmName: `${stackPrefix}-call-events-dlq` });
    // Contact events carry only a ContactId, so the alarm cannot name the run (the sweeper's alerts do).
    expectClear(`${notification.AlarmDescription} ${notification.StateChangeTime}`, /dead-letter queue/, undefined);
  });

  it('follow-up SMS failures: one alert per run and hour, each failure recorded on its item', async () => {
    const campaign = 'alert-followup';
    await api(
      'PUT',
      `/campaigns/${campaign}`,
      testCampaign(campaign, { followUps: [{ id: 'callback', when: { q1: ['1'] }, sms: 'We will call you back.' }] }),
    );
    await writeContactsNamed(campaign, FOLLOW_UP_PHONES);
    const mark = snsMessages().length;
    // Another application on the same account sends SMS as fast as SNS lets it: the follow-ups are throttled.
    const hog = startQuotaHog(() =>
      fetch(cloud.endpoints.sns, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ Action: 'Publish', PhoneNumber: '+48609999999', Message: 'other app' }),
      }),
    );
    let followUps: Record<string, unknown>[];
    try {
      const started = await api('POST', `/campaigns/${campaign}/runs`, { date: today() });
      const execution = await waitForExecution((started.body as { executionArn: string }).executionArn);
      expect(execution.status).toBe('SUCCEEDED');
      followUps = await waitFor('follow-ups recorded', async () => {
        const items = await runItems(campaign, today(), 'FOLLOWUP#');
        const settled = items.filter((item) => item.status === 'SENT' || item.status === 'FAILED');
        return settled.length === FOLLOW_UP_PHONES.length ? items : undefined;
      });
    } finally {
      hog.stop();
    }

    const failed = followUps.filter((item) => item.status === 'FAILED');
    expect(failed.length).toBeGreaterThan(0);
    for (const item of failed) expect(String(item.error)).toMatch(/Throttled|Rate exceeded/);
    const alert = await oneAlert(mark, '[ALERT] follow-up SMS failed');
    expectClear(alert.message, /FOLLOW-UP NOT DELIVERED: .*Rate exceeded/, `campaign ${campaign}, run ${today()}`);
  });

  it('sustained Connect throttling: one alert engine-wide, however many ticks stay throttled', async () => {
    const campaign = 'alert-throttling';
    await api(
      'PUT',
      `/campaigns/${campaign}`,
      testCampaign(campaign, { retryPolicy: { maxAttempts: 1, maxAttemptsPerDay: 1, retryDelays: {} } }),
    );
    await writeContactsNamed(
      campaign,
      Array.from({ length: 40 }, (_, index) => `+4860130${String(index).padStart(4, '0')}`),
    );
    const mark = snsMessages().length;
    // Another application on the same Connect account uses up the StartOutboundVoiceContact quota.
    const hammer = startQuotaHog(() =>
      fetch(`${cloud.endpoints.connect}/contact/outbound-voice`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
    );
    try {
      const started = await api('POST', `/campaigns/${campaign}/runs`, { date: today() });
      const { executionArn } = started.body as { executionArn: string };
      const alert = await oneAlert(mark, '[ALERT] sustained Amazon Connect throttling', 0);
      // Alerted at the third throttled tick in a row; the fourth and fifth repeat the condition within its hour.
      await waitFor(
        'two more throttled ticks',
        async () => (Number((await runItem(campaign)).consecutiveThrottledTicks) >= 5 ? true : undefined),
        30_000,
      );
      hammer.stop();
      await api('POST', `/campaigns/${campaign}/runs/${today()}/stop`);
      await waitForExecution(executionArn);

      expect(alertsAfter(mark, '[ALERT] sustained Amazon Connect throttling')).toHaveLength(1);
      expectClear(alert.message, /CONNECT THROTTLING: .*throttled in 3 ticks in a row/, `${campaign} run ${today()}`);
      expect(alert.message).toMatch(/since about \d{4}-/);
    } finally {
      hammer.stop();
    }
  });
});

/** Contacts due now, as an import would have written them (optionally with a name). */
async function writeContactsNamed(campaignId: string, phones: readonly string[], name?: string): Promise<void> {
  const names = name === undefined ? {} : Object.fromEntries(phones.map((phone) => [phone, name]));
  await writeContacts(campaignId, today(), phones, new Date(), names);
}

/** The run item (counters, consecutive error and throttle ticks). */
async function runItem(campaignId: string, date = today()): Promise<Record<string, unknown>> {
  const item = (await runItems(campaignId, date, 'RUN')).find((candidate) => candidate.sk === 'RUN');
  if (item === undefined) throw new Error(`no run ${campaignId} ${date}`);
  return item;
}

function deadLetterCount(file: string): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '').length;
  } catch {
    return 0;
  }
}

/**
 * Another application sharing an account quota: sends `request` every 5 ms until stopped (a
 * StartOutboundVoiceContact that only takes a rate token, an SMS), so the quota's bucket stays empty.
 */
function startQuotaHog(request: () => Promise<Response>): { stop(): void } {
  const timer = setInterval(() => {
    void request()
      .then((response) => response.arrayBuffer())
      .catch(() => undefined);
  }, 5);
  return { stop: () => clearInterval(timer) };
}
