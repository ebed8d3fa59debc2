/**
 * Forged flow events against the local stack (issue 15, "Forged flow events are trusted"): the offline record-answer
 * function, the real DynamoDB Local. Each forged event of the issue is refused and leaves the table as it was; the
 * real call, resolved from the CALL# item the dispatcher writes, is recorded once.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { answerKey, contactKey, runKey } from '../../functions/core/keys.ts';
import {
  api,
  cloud,
  invokeFunction,
  localDocumentClient,
  runCounters,
  testCampaign,
  today,
  writeContacts,
} from './support.ts';

const CAMPAIGN = 'forged-flow';
const CALLED = '+48700900001';
const NEVER_CALLED = '+48700900002';
const SOMEONE_ELSE = '+48700900003';
const CONTACT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const documents = localDocumentClient();
const instanceArn = `arn:aws:connect:eu-west-1:000000000000:instance/${cloud.connectInstanceId}`;
const base = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../events/connect/contact-flow-event-record-answer.json'), 'utf8'),
) as { Details: { ContactData: Record<string, unknown>; Parameters: Record<string, unknown> } };

/** A record-answer event: the real call's, with the given changes. */
function event(changes: { contactId?: string; phone?: string; date?: string; instance?: string; input?: string }) {
  const forged = structuredClone(base);
  const data = forged.Details.ContactData;
  data.ContactId = changes.contactId ?? CONTACT_ID;
  data.InstanceARN = changes.instance ?? instanceArn;
  data.CustomerEndpoint = { Address: changes.phone ?? CALLED, Type: 'TELEPHONE_NUMBER' };
  data.Attributes = { campaignId: CAMPAIGN, runDate: changes.date ?? today(), attempt: '1' };
  forged.Details.Parameters = {
    questionId: 'q1',
    retry: '0',
    answered: '0',
    scriptVersion: '1',
    input: changes.input ?? '1',
  };
  return forged;
}

const item = async (key: { pk: string; sk: string }) =>
  (await documents.send(new GetCommand({ TableName: cloud.tableName, Key: key, ConsistentRead: true }))).Item;
const refused = (payload: unknown) =>
  expect(invokeFunction('recordAnswer', payload)).rejects.toThrow(/ForgedCallError/);

describe('forged contact-flow events', () => {
  beforeAll(async () => {
    const put = await api(
      'PUT',
      `/campaigns/${CAMPAIGN}`,
      testCampaign(CAMPAIGN, {
        script: {
          greeting: 'Hello.',
          questions: [{ id: 'q1', prompt: 'Press 1 or 2.', keys: { '1': 'Yes', '2': 'No' } }],
          optOutKey: '9',
          closing: 'Bye.',
        },
      }),
    );
    expect(put.status).toBe(200);
    await writeContacts(CAMPAIGN, today(), [CALLED, NEVER_CALLED], new Date(Date.now() + 3_600_000));
    // As the dispatcher leaves a call it placed: the contact dialling attempt 1, and the CALL# item.
    await documents.send(
      new UpdateCommand({
        TableName: cloud.tableName,
        Key: contactKey(CAMPAIGN, today(), CALLED),
        UpdateExpression: 'SET #status = :dialing, attempts = :one, attemptLog = :log',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':dialing': 'DIALING',
          ':one': 1,
          ':log': [{ n: 1, at: new Date().toISOString() }],
        },
      }),
    );
    await documents.send(
      new PutCommand({
        TableName: cloud.tableName,
        Item: { pk: `CALL#${CONTACT_ID}`, sk: 'CALL', campaignId: CAMPAIGN, date: today(), phone: CALLED, attempt: 1 },
      }),
    );
  });

  it('refuses an event from another Connect instance', async () => {
    await refused(
      event({ instance: 'arn:aws:connect:eu-west-1:111111111111:instance/11111111-1111-1111-1111-111111111111' }),
    );
  });

  it('refuses answers for a contact never called, under ContactIds the dispatcher never placed, eleven times', async () => {
    for (let index = 0; index < 11; index++) {
      await refused(event({ contactId: `f0f0f0f0-0000-4000-8000-0000000000${10 + index}`, phone: NEVER_CALLED }));
    }
    expect(await item(answerKey(CAMPAIGN, today(), NEVER_CALLED, 1, 'q1'))).toBeUndefined();
    expect((await runCounters(CAMPAIGN, today())).answersTotal).toBeUndefined();
  });

  it('creates no run counters for a date with no run', async () => {
    await refused(event({ contactId: 'f0f0f0f0-0000-4000-8000-000000000099', date: '2031-01-01' }));
    expect(await item(runKey(CAMPAIGN, '2031-01-01'))).toBeUndefined();
    expect(await runCounters(CAMPAIGN, '2031-01-01')).toEqual({});
  });

  it("refuses a real call's ContactId pressing the opt-out key for another number", async () => {
    await refused(event({ phone: SOMEONE_ELSE, input: '9' }));
    expect(await item({ pk: 'DNC', sk: SOMEONE_ELSE })).toBeUndefined();
  });

  it('records the real call once, and takes the input "constructor" for an invalid key', async () => {
    const first = (await invokeFunction('recordAnswer', event({ input: 'constructor' }))) as Record<string, string>;
    const answer = (await invokeFunction('recordAnswer', event({ input: '1' }))) as Record<string, string>;
    const again = (await invokeFunction('recordAnswer', event({ input: '1' }))) as Record<string, string>;

    expect(first.result).toBe('INVALID');
    expect(answer.result).toBe('RECORDED');
    expect(again.result).toBe('DUPLICATE');
    expect(await item(answerKey(CAMPAIGN, today(), CALLED, 1, 'q1'))).toMatchObject({ key: '1' });
    const counters = await runCounters(CAMPAIGN, today());
    expect(counters.answersTotal).toBe(1);
    expect(counters.a_q1_constructor).toBeUndefined();
  });
});
