import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { keyClassOf } from '../../../functions/core/key-classes.ts';
import { contactKey, leaseKey, lineShardKey, runCountersKey, runKey } from '../../../functions/core/keys.ts';
import { type ConsumedShare, meterDynamoDb, meterRequests, UsageMeter } from '../../../functions/lib/usage-meter.ts';

/** A DynamoDB client whose "network" answers every request with `answer(target, body)`: no I/O. */
function fakeDynamoDb(answer: (target: string, body: Record<string, unknown>) => unknown) {
  const requests: Array<Record<string, unknown>> = [];
  const client = new DynamoDBClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body?: unknown }) => {
        const body = JSON.parse(String(request.body)) as Record<string, unknown>;
        requests.push(body);
        const target = request.headers['x-amz-target']?.split('.').at(-1) ?? '';
        const { Readable } = await import('node:stream');
        return {
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from(JSON.stringify(answer(target, body)))]),
          },
        };
      },
    } as never,
  });
  return { client, requests };
}

describe('key classes', () => {
  it('names what each key of the data model addresses', () => {
    expect(keyClassOf(lineShardKey(3).pk, lineShardKey(3).sk)).toBe('line-shard');
    const lease = leaseKey(3, 'demo', '2026-03-02', '+48600000000', 2);
    expect(keyClassOf(lease.pk, lease.sk)).toBe('lease');
    const contact = contactKey('demo', '2026-03-02', '+48600000000');
    expect(keyClassOf(contact.pk, contact.sk)).toBe('contact');
    const counters = runCountersKey('demo', '2026-03-02', 7);
    expect(keyClassOf(counters.pk, counters.sk)).toBe('run-bucket');
    expect(keyClassOf(runKey('demo', '2026-03-02').pk, 'RUN')).toBe('run-item');
    expect(keyClassOf('PACING', 'DIAL_RATE')).toBe('pacing');
    expect(keyClassOf('CALL#abc', 'CALL')).toBe('call-map');
    expect(keyClassOf('DUE#demo#2026-03-02')).toBe('due-index');
    expect(keyClassOf('SOMETHING')).toBe('other');
  });
});

describe('usage meter', () => {
  it('asks DynamoDB for consumed capacity and counts it per key class, a transaction shared by its items', async () => {
    const lines: string[] = [];
    let now = 0;
    const meter = new UsageMeter({ writeLine: (line) => lines.push(line), now: () => now });
    const shares: ConsumedShare[] = [];
    meter.onConsumedCapacity((share) => shares.push(share));
    const { client, requests } = fakeDynamoDb((target) => {
      if (target === 'TransactWriteItems')
        return { ConsumedCapacity: [{ TableName: 't', CapacityUnits: 8, WriteCapacityUnits: 8 }] };
      if (target === 'Query') {
        return {
          Items: [],
          ConsumedCapacity: {
            TableName: 't',
            CapacityUnits: 0.5,
            GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 0.5 } },
          },
        };
      }
      return { ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } };
    });
    meterDynamoDb(client, meter);
    const documents = DynamoDBDocumentClient.from(client);
    const lease = leaseKey(1, 'demo', '2026-03-02', '+48600000000', 1);
    const contact = contactKey('demo', '2026-03-02', '+48600000000');

    await documents.send(new GetCommand({ TableName: 't', Key: contact }));
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: 't',
              Key: contact,
              UpdateExpression: 'SET a = :a',
              ExpressionAttributeValues: { ':a': 1 },
            },
          },
          { Put: { TableName: 't', Item: { ...lease, startedAt: 'x' } } },
          {
            Update: {
              TableName: 't',
              Key: lineShardKey(1),
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
          {
            Update: {
              TableName: 't',
              Key: runCountersKey('demo', '2026-03-02', 4),
              UpdateExpression: 'ADD n :one',
              ExpressionAttributeValues: { ':one': 1 },
            },
          },
        ],
      }),
    );
    await documents.send(
      new QueryCommand({
        TableName: 't',
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
        ExpressionAttributeValues: { ':pk': 'DUE#demo#2026-03-02', ':now': 'z' },
      }),
    );

    expect(requests.every((request) => request.ReturnConsumedCapacity === 'INDEXES')).toBe(true);
    const totals = meter.snapshot().dynamodb;
    expect(totals.contact).toEqual({ readUnits: 1, writeUnits: 2, requests: 2 });
    expect(totals.lease).toEqual({ readUnits: 0, writeUnits: 2, requests: 1 });
    expect(totals['line-shard']?.writeUnits).toBe(2);
    expect(totals['run-bucket']?.writeUnits).toBe(2);
    expect(totals['due-index']).toEqual({ readUnits: 1, writeUnits: 0, requests: 2 });
    expect(shares.find((share) => share.keyClass === 'lease')?.partitionKey).toBe('LINES#001');

    // Nothing written before the interval; then one line with what was counted since.
    expect(lines).toEqual([]);
    now = 6_000;
    await documents.send(new GetCommand({ TableName: 't', Key: contact }));
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '{}') as { usage: { dynamodb: Record<string, { readUnits: number }> } };
    expect(line.usage.dynamodb.contact?.readUnits).toBe(2);
  });

  it('books a transaction at least two units per item and one per indexed put, as AWS bills it', async () => {
    // DynamoDB Local answers a whole TransactWriteItems as if it wrote one item (local/ probe, docs/cost-model.md).
    const meter = new UsageMeter({ writeLine: () => undefined });
    const { client } = fakeDynamoDb(() => ({
      ConsumedCapacity: [
        {
          TableName: 't',
          CapacityUnits: 4,
          Table: { CapacityUnits: 2 },
          GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 2 }, gsi2: { CapacityUnits: 2 } },
        },
      ],
    }));
    meterDynamoDb(client, meter);
    const phones = ['+48600000001', '+48600000002', '+48600000003', '+48600000004'];
    await DynamoDBDocumentClient.from(client).send(
      new TransactWriteCommand({
        TransactItems: [
          ...phones.map((phone, index) => ({
            Put: {
              TableName: 't',
              Item: { ...contactKey('demo', '2026-03-02', phone), ...(index < 3 && { gsi1pk: 'DUE#demo#2026-03-02' }) },
            },
          })),
          {
            Update: {
              TableName: 't',
              Key: runCountersKey('demo', '2026-03-02', 1),
              UpdateExpression: 'ADD n :n',
              ExpressionAttributeValues: { ':n': 4 },
            },
          },
        ],
      }),
    );
    const totals = meter.snapshot().dynamodb;
    expect((totals.contact?.writeUnits ?? 0) + (totals['run-bucket']?.writeUnits ?? 0)).toBeCloseTo(10);
    // The index is not doubled inside a transaction: three puts carrying its key cost it at least 3 units.
    expect(totals['due-index']?.writeUnits).toBe(3);
    // The phone index is its own class (spread over numbers, not one partition per run like the due index).
    expect(totals['phone-index']?.writeUnits).toBe(2);

    // What AWS reports above the floor is kept as reported (items over 1 KB cost more).
    const aws = new UsageMeter({ writeLine: () => undefined });
    const { client: awsClient } = fakeDynamoDb(() => ({
      ConsumedCapacity: [{ TableName: 't', CapacityUnits: 30, Table: { CapacityUnits: 30 } }],
    }));
    meterDynamoDb(awsClient, aws);
    await DynamoDBDocumentClient.from(awsClient).send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName: 't', Item: contactKey('demo', '2026-03-02', phones[0] ?? '') } }],
      }),
    );
    expect(aws.snapshot().dynamodb.contact?.writeUnits).toBe(30);
  });

  it('counts SNS publishes and, apart, those that are SMS', async () => {
    const meter = new UsageMeter({ writeLine: () => undefined });
    const client = new SNSClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async () => {
          const { Readable } = await import('node:stream');
          return {
            response: {
              statusCode: 200,
              headers: { 'content-type': 'text/xml' },
              body: Readable.from([
                Buffer.from(
                  '<PublishResponse><PublishResult><MessageId>1</MessageId></PublishResult></PublishResponse>',
                ),
              ]),
            },
          };
        },
      } as never,
    });
    meterRequests(client, 'sns', meter);
    await client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:000000000000:t', Message: 'm' }));
    await client.send(new PublishCommand({ PhoneNumber: '+48600000000', Message: 'm' }));
    expect(meter.snapshot().requests).toEqual({ 'sns:Publish': 2, 'sns:SMS': 1 });
  });
});
