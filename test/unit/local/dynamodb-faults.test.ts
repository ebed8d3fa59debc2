/**
 * The DynamoDB fault proxy with the real SDK client in front and a fake DynamoDB behind (the
 * integration test runs it against DynamoDB Local): the SDK must read every injected fault as the
 * same exception class, with the same fields, as it reads DynamoDB's.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchExecuteStatementCommand,
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  ThrottlingException,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDynamoDbFaults } from '../../../local/dynamodb-fault-settings.ts';
import { type DynamoDbFaultProxy, startDynamoDbFaultProxy } from '../../../local/dynamodb-faults.ts';
import { listen, sendJson } from '../../../local/http-server.ts';

interface Received {
  operation: string;
  body: Record<string, unknown>;
}

/** A fake DynamoDB: tables keyed `pk`/`sk`, every write succeeds after `delayMs`, an item with `failCondition` fails its condition. */
async function fakeDynamoDb(delayMs = 0) {
  const received: Received[] = [];
  const server = await listen(0, async (request, body, response) => {
    const operation = String(request.headers['x-amz-target']).split('.')[1] ?? '';
    const input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    received.push({ operation, body: input });
    const reply = (status: number, payload: unknown) =>
      sendJson(response, status, payload, { 'content-type': 'application/x-amz-json-1.0' });
    if (operation === 'DescribeTable') {
      return reply(200, {
        Table: {
          TableName: input.TableName,
          KeySchema: [
            { AttributeName: 'sk', KeyType: 'RANGE' },
            { AttributeName: 'pk', KeyType: 'HASH' },
          ],
        },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (body.includes('failCondition')) {
      return reply(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }],
        Message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed]',
      });
    }
    if (operation === 'GetItem') return reply(200, { Item: input.Key });
    if (operation === 'BatchWriteItem') return reply(200, { UnprocessedItems: {} });
    if (operation === 'BatchExecuteStatement') {
      return reply(200, { Responses: (input.Statements as unknown[]).map(() => ({ TableName: 'calls' })) });
    }
    return reply(200, {});
  });
  return { server, received, operations: () => received.map((entry) => entry.operation) };
}

const key = (pk: string, sk = 'META') => ({ pk: { S: pk }, sk: { S: sk } });
const put = (pk: string): NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number] => ({
  Put: { TableName: 'calls', Item: { ...key(pk), n: { N: '1' } } },
});
const update = (pk: string): NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number] => ({
  Update: {
    TableName: 'calls',
    Key: key(pk),
    UpdateExpression: 'SET n = :n',
    ExpressionAttributeValues: { ':n': { N: '2' } },
  },
});

let upstream: Awaited<ReturnType<typeof fakeDynamoDb>> | undefined;
let proxy: DynamoDbFaultProxy | undefined;
let client: DynamoDBClient | undefined;
let directory: string | undefined;

afterEach(async () => {
  client?.destroy();
  await proxy?.close();
  await upstream?.server.close();
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  upstream = undefined;
  proxy = undefined;
  client = undefined;
  directory = undefined;
});

async function start(faults: string, options: { delayMs?: number; maxAttempts?: number } = {}) {
  upstream = await fakeDynamoDb(options.delayMs);
  directory = mkdtempSync(join(tmpdir(), 'dynamodb-faults-'));
  const countsFile = join(directory, 'dynamodb-faults.json');
  proxy = await startDynamoDbFaultProxy({
    port: 0,
    upstream: upstream.server.url,
    faults: parseDynamoDbFaults(faults),
    countsFile,
    countsIntervalMs: 20,
  });
  client = new DynamoDBClient({
    endpoint: proxy.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: options.maxAttempts ?? 3,
  });
  return { proxy, client, upstream, countsFile };
}

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

describe('DynamoDB fault proxy', () => {
  it('only forwards when faults are off, and counts what went through', async () => {
    const { client, upstream, countsFile } = await start('');

    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('A'), put('B')] }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [update('A')] }));
    await client.send(new PutItemCommand({ TableName: 'calls', Item: key('A') }));
    const failing = { Put: { TableName: 'calls', Item: { ...key('A'), failCondition: { BOOL: true } } } };
    const error = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: [failing] })));

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(upstream.operations()).toEqual([
      'TransactWriteItems',
      'TransactWriteItems',
      'PutItem',
      'TransactWriteItems',
    ]);
    await proxy?.close();
    expect(JSON.parse(readFileSync(countsFile, 'utf8'))).toMatchObject({
      requests: 4,
      conflicts: 0,
      throttles: 0,
      faults: 'off',
    });
  });

  it('cancels a transaction that names an item another one holds, at that item, without an SDK retry', async () => {
    const { client, upstream } = await start('conflicts=300ms');

    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('A'), put('B')] }));
    const error = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: [put('C'), update('B')] })));

    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    expect((error as Error).message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
    );
    expect(upstream.operations().filter((operation) => operation === 'TransactWriteItems')).toHaveLength(1);
    expect(proxy?.counts()).toMatchObject({ transactions: 2, conflicts: 1 });

    await sleep(320);
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('C'), update('B')] }));
  });

  it('cancels one of two transactions that overlap while in flight', async () => {
    const { client } = await start('conflicts=1ms', { delayMs: 100 });

    const results = await Promise.allSettled([
      client.send(new TransactWriteItemsCommand({ TransactItems: [put('A')] })),
      client.send(new TransactWriteItemsCommand({ TransactItems: [put('X'), update('A')] })),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(TransactionCanceledException);
  });

  it('refuses a plain write on a held item with TransactionConflictException, and lets reads and other items through', async () => {
    const { client } = await start('conflicts=300ms');
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('A')] }));

    const error = await failure(
      client.send(new PutItemCommand({ TableName: 'calls', Item: { ...key('A'), x: { S: 'y' } } })),
    );
    await client.send(new PutItemCommand({ TableName: 'calls', Item: key('B') }));
    const read = await client.send(new GetItemCommand({ TableName: 'calls', Key: key('A') }));

    expect(error).toBeInstanceOf(TransactionConflictException);
    expect((error as Error).message).toBe('Transaction is ongoing for the item');
    expect(read.Item).toEqual(key('A'));
    expect(proxy?.counts().conflicts).toBe(1);
  });

  it('frees the items of a transaction DynamoDB refused', async () => {
    const { client } = await start('conflicts=5000ms');

    const failing = { Put: { TableName: 'calls', Item: { ...key('A'), failCondition: { BOOL: true } } } };
    const error = await failure(client.send(new TransactWriteItemsCommand({ TransactItems: [failing] })));
    await client.send(new PutItemCommand({ TableName: 'calls', Item: key('A') }));

    expect((error as TransactionCanceledException).CancellationReasons?.[0]?.Code).toBe('ConditionalCheckFailed');
  });

  it('cancels a TransactGetItems on a held item or one a plain write is writing', async () => {
    const { client } = await start('conflicts=300ms', { delayMs: 100 });
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('A')] }));
    const writing = client.send(new PutItemCommand({ TableName: 'calls', Item: key('W') }));
    await sleep(30);

    const get = (pk: string) => ({ Get: { TableName: 'calls', Key: key(pk) } });
    const onHeld = await failure(client.send(new TransactGetItemsCommand({ TransactItems: [get('Z'), get('A')] })));
    const onWritten = await failure(client.send(new TransactGetItemsCommand({ TransactItems: [get('W')] })));
    await writing;

    expect((onHeld as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual([
      'None',
      'TransactionConflict',
    ]);
    expect((onWritten as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code)).toEqual([
      'TransactionConflict',
    ]);
  });

  it('fails a BatchExecuteStatement write on a held item for that statement only', async () => {
    const { client, upstream } = await start('conflicts=300ms');
    await client.send(new TransactWriteItemsCommand({ TransactItems: [put('A')] }));

    const result = await client.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `UPDATE "calls" SET n = 3 WHERE pk = 'B' AND sk = 'META'` },
          { Statement: `UPDATE "calls" SET n = 3 WHERE pk = ? AND sk = 'META'`, Parameters: [{ S: 'A' }] },
        ],
      }),
    );

    expect(result.Responses?.map((entry) => entry.Error?.Code)).toEqual([undefined, 'TransactionConflict']);
    const forwarded = upstream.received.find((entry) => entry.operation === 'BatchExecuteStatement');
    expect(forwarded?.body.Statements).toHaveLength(1);
  });

  it('throttles plain requests as DynamoDB does, and the SDK retries them', async () => {
    const { client, upstream } = await start('throttle=1');

    const error = await failure(client.send(new PutItemCommand({ TableName: 'calls', Item: key('A') })));

    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect((error as ProvisionedThroughputExceededException).ThrottlingReasons).toEqual([
      {
        reason: 'TableWriteKeyRangeThroughputExceeded',
        resource: 'arn:aws:dynamodb:eu-west-1:000000000000:table/calls',
      },
    ]);
    expect((error as ProvisionedThroughputExceededException).$metadata.attempts).toBe(3);
    expect(upstream.operations().filter((operation) => operation !== 'DescribeTable')).toEqual([]);
    expect(proxy?.counts().throttles).toBe(3);
  });

  it('denies requests with AccessDeniedException at deny=1, which the SDK does not retry', async () => {
    const { client, upstream } = await start('deny=1');

    const error = await failure(client.send(new GetItemCommand({ TableName: 'calls', Key: key('A') })));

    expect((error as Error).name).toBe('AccessDeniedException');
    expect((error as Error).message).toContain(
      'dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:000000000000:table/calls',
    );
    expect((error as { $metadata: { attempts?: number } }).$metadata.attempts).toBe(1);
    expect(upstream.operations().filter((operation) => operation !== 'DescribeTable')).toEqual([]);
    expect(proxy?.counts().denied).toBe(1);
  });

  it('can throttle with ThrottlingException instead', async () => {
    const { client } = await start('throttle=1,throttleError=ThrottlingException', { maxAttempts: 1 });

    const error = await failure(client.send(new GetItemCommand({ TableName: 'calls', Key: key('A') })));

    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as ThrottlingException).throttlingReasons?.[0]?.reason).toBe('TableReadKeyRangeThroughputExceeded');
  });

  it('cancels a throttled transaction with ThrottlingError at one item', async () => {
    const { client } = await start('throttle=1,seed=3');

    const error = await failure(
      client.send(new TransactWriteItemsCommand({ TransactItems: [put('A'), put('B'), put('C')] })),
    );

    expect(error).toBeInstanceOf(TransactionCanceledException);
    const codes = (error as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code) ?? [];
    expect(codes).toHaveLength(3);
    expect(codes.filter((code) => code === 'ThrottlingError')).toHaveLength(1);
    expect(codes.filter((code) => code === 'None')).toHaveLength(2);
    expect((error as TransactionCanceledException).$metadata.attempts).toBe(1);
  });

  it('returns throttled batch items unprocessed and forwards the others', async () => {
    const { client, upstream } = await start('throttle=0.5,seed=11');
    const items = Array.from({ length: 20 }, (_, index) => ({ PutRequest: { Item: key(`K${index}`) } }));

    const result = await client.send(new BatchWriteItemCommand({ RequestItems: { calls: items } }));

    const forwarded = upstream.received.find((entry) => entry.operation === 'BatchWriteItem')?.body.RequestItems as {
      calls: unknown[];
    };
    const unprocessed = result.UnprocessedItems?.calls ?? [];
    expect(unprocessed.length).toBeGreaterThan(0);
    expect(forwarded.calls.length).toBeGreaterThan(0);
    expect([...forwarded.calls, ...unprocessed].map((entry) => JSON.stringify(entry)).sort()).toEqual(
      items.map((entry) => JSON.stringify(entry)).sort(),
    );
    expect(proxy?.counts().throttledItems).toBe(unprocessed.length);
  });

  it('fails a batch whole when every item is throttled', async () => {
    const { client } = await start('throttle=1', { maxAttempts: 1 });

    const error = await failure(
      client.send(new BatchWriteItemCommand({ RequestItems: { calls: [{ PutRequest: { Item: key('A') } }] } })),
    );

    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
  });

  it('holds a matching request until the rule is cleared, and lets the others through', async () => {
    const { client, upstream } = await start('');
    const control = `${proxy?.url}/__faults/hang`;
    const rule = await fetch(control, {
      method: 'POST',
      body: JSON.stringify({ operation: 'PutItem', keyPrefix: 'CALL#', forward: true }),
    });
    expect(rule.status).toBe(201);

    let settled = false;
    const hung = client.send(new PutItemCommand({ TableName: 'calls', Item: key('CALL#1') })).finally(() => {
      settled = true;
    });
    hung.catch(() => undefined);
    await client.send(new PutItemCommand({ TableName: 'calls', Item: key('OTHER#1') }));
    await client.send(new GetItemCommand({ TableName: 'calls', Key: key('CALL#1') }));
    await sleep(200);

    expect(settled).toBe(false);
    // forward: the write reached DynamoDB before its answer was swallowed.
    expect(upstream.received.filter((entry) => entry.operation === 'PutItem').map((entry) => entry.body.Item)).toEqual([
      key('CALL#1'),
      key('OTHER#1'),
    ]);
    const status = (await (await fetch(control)).json()) as { rules: unknown[]; held: number };
    expect(status).toEqual({ rules: [], held: 1 });

    const cleared = await fetch(control, { method: 'DELETE' });
    expect(await cleared.json()).toEqual({ released: 1 });
    // The connection is reset; the SDK retries that as a transient error and, with no rule left, gets through.
    await hung;
    expect(proxy?.counts().hung).toBe(1);
  });

  it('changes faults at run time and refuses bad settings or rules with a 400 naming the problem', async () => {
    const { client, countsFile } = await start('');
    const control = `${proxy?.url}/__faults`;

    const bad = await fetch(control, { method: 'PUT', body: JSON.stringify({ conflicts: '10ms', holds: 1 }) });
    const badRule = await fetch(`${control}/hang`, { method: 'POST', body: JSON.stringify({ times: 0 }) });
    const good = await fetch(control, { method: 'PUT', body: JSON.stringify({ throttle: 1 }) });
    const error = await failure(client.send(new GetItemCommand({ TableName: 'calls', Key: key('A') })));

    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      'PUT /__faults: unknown key "holds"; known keys: conflicts, throttle, deny, seed, throttleError',
    );
    expect(badRule.status).toBe(400);
    expect(((await badRule.json()) as { message: string }).message).toContain('times:');
    expect(((await good.json()) as { faults: string }).faults).toBe('throttle=1');
    expect(error).toBeInstanceOf(ProvisionedThroughputExceededException);
    await sleep(100);
    expect(JSON.parse(readFileSync(countsFile, 'utf8'))).toMatchObject({ throttles: 3, faults: 'throttle=1' });
  });
});
