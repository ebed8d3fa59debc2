import { describe, expect, it } from 'vitest';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { DoNotCallStore, SUPPRESSED_STATUS } from '../../../functions/adapters/do-not-call-store.ts';
import { bucketOf, contactKey, runCountersKey } from '../../../functions/core/keys.ts';
import { RecordingClient, type SentCommand } from './recording-client.ts';

const AT = new Date('2026-03-02T10:00:00Z');
const asClient = (client: RecordingClient) => client as unknown as typeof documentClient;

function keysOf(command: SentCommand): Array<{ pk: string; sk: string }> {
  const requests = command.input.RequestItems as Record<string, { Keys: Array<{ pk: string; sk: string }> }>;
  return requests.engine?.Keys ?? [];
}

describe('DoNotCallStore.optOut', () => {
  it('lists the number as an opt-out and suppresses its waiting contacts in the given runs', async () => {
    const client = new RecordingClient((command) =>
      command.name === 'TransactWriteCommand' && JSON.stringify(command.input).includes('2026-03-03')
        ? Object.assign(new Error('contact is not waiting'), {
            name: 'TransactionCanceledException',
            CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
          })
        : command.name === 'GetCommand'
          ? { Item: { sk: 'CONTACT#+48601234567', status: 'PENDING', attempts: 1, timeZone: 'Europe/Warsaw' } }
          : {},
    );
    const store = new DoNotCallStore('engine', asClient(client));

    const suppressed = await store.optOut(
      '+48601234567',
      [
        { campaignId: 'spring-survey', date: '2026-03-02' },
        { campaignId: 'spring-survey', date: '2026-03-03' },
        { campaignId: 'reminders', date: '2026-03-02' },
      ],
      AT,
    );

    expect(suppressed).toBe(2);
    const [entry] = client.named('UpdateCommand');
    expect(entry?.input).toMatchObject({
      TableName: 'engine',
      Key: { pk: 'DNC', sk: '+48601234567' },
      ExpressionAttributeValues: { ':source': 'opt-out', ':at': AT.toISOString() },
    });
    expect(String(entry?.input.UpdateExpression)).toContain('addedAt = if_not_exists(addedAt, :at)');
    const transactions = client.named('TransactWriteCommand');
    expect(transactions).toHaveLength(3);
    const [contact, run] = (transactions[0]?.input.TransactItems as Array<{ Update: Record<string, unknown> }>) ?? [];
    expect(contact?.Update).toMatchObject({
      Key: contactKey('spring-survey', '2026-03-02', '+48601234567'),
      ConditionExpression: '#status = :pending AND attempts = :attempts',
      ExpressionAttributeValues: { ':status': SUPPRESSED_STATUS, ':pending': 'PENDING', ':attempts': 1 },
    });
    expect(contact?.Update.UpdateExpression).toContain('REMOVE gsi1pk, gsi1sk');
    expect(run?.Update).toMatchObject({
      Key: runCountersKey('spring-survey', '2026-03-02', bucketOf('+48601234567')),
    });
    expect(Object.values(run?.Update.ExpressionAttributeNames ?? {})).toContain('t_1');
  });

  it('retries throttling, and says "try again later" when it lasts', async () => {
    const client = new RecordingClient((command) =>
      command.name === 'TransactWriteCommand'
        ? Object.assign(new Error('slow down'), { name: 'ThrottlingException' })
        : command.name === 'GetCommand'
          ? { Item: { sk: 'CONTACT#+48601234567', status: 'PENDING', attempts: 0, timeZone: 'Europe/Warsaw' } }
          : {},
    );

    await expect(
      new DoNotCallStore('engine', asClient(client)).optOut(
        '+48601234567',
        [{ campaignId: 'a', date: '2026-03-02' }],
        AT,
      ),
    ).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('ThrottlingException') });
    expect(client.named('TransactWriteCommand')).toHaveLength(8);
  });
});

describe('DoNotCallStore.listed and add', () => {
  it('looks numbers up 100 at a time and asks again for unprocessed keys', async () => {
    let round = 0;
    const client = new RecordingClient((command) => {
      const keys = keysOf(command);
      round++;
      // The first answer leaves its last key unprocessed; every number ending in 7 is listed.
      const unprocessed = round === 1 ? keys.slice(-1) : [];
      const answered = round === 1 ? keys.slice(0, -1) : keys;
      return {
        Responses: { engine: answered.filter((key) => key.sk.endsWith('7')) },
        UnprocessedKeys: unprocessed.length === 0 ? {} : { engine: { Keys: unprocessed } },
      };
    });
    const phones = Array.from({ length: 150 }, (_, index) => `+48600000${String(index).padStart(3, '0')}`);

    const listed = await new DoNotCallStore('engine', asClient(client)).listed([...phones, phones[0] ?? '']);

    expect([...listed].sort()).toEqual(phones.filter((phone) => phone.endsWith('7')));
    expect(client.sent.map((command) => keysOf(command).length)).toEqual([100, 1, 50]);
    expect(client.sent[0]?.input).toMatchObject({ RequestItems: { engine: { ConsistentRead: true } } });
  });

  it('adds only numbers not yet listed, 25 per batch write, and counts both', async () => {
    const client = new RecordingClient((command) =>
      command.name === 'BatchGetCommand'
        ? { Responses: { engine: keysOf(command).filter((key) => key.sk === '+48600000003') } }
        : {},
    );
    const phones = Array.from({ length: 30 }, (_, index) => `+48600000${String(index).padStart(3, '0')}`);

    const counts = await new DoNotCallStore('engine', asClient(client)).add([...phones, '+48600000001'], 'upload', AT);

    expect(counts).toEqual({ added: 29, alreadyListed: 1 });
    const writes = client.named('BatchWriteCommand');
    expect(writes.map((write) => (write.input.RequestItems as { engine: unknown[] }).engine.length)).toEqual([25, 4]);
    expect((writes[0]?.input.RequestItems as { engine: unknown[] } | undefined)?.engine[0]).toEqual({
      PutRequest: {
        Item: { pk: 'DNC', sk: '+48600000000', phone: '+48600000000', source: 'upload', addedAt: AT.toISOString() },
      },
    });
  });
});
