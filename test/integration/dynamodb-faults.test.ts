/**
 * The local cloud's DynamoDB endpoint is the fault proxy in front of DynamoDB Local: switched on
 * through its control routes, it gives the real SDK the conflicts and throttling real DynamoDB gives,
 * counts them in `dynamodb-faults.json`, and holds the requests a crash rule names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { cloud, waitFor } from './support.ts';

const control = `${cloud.endpoints.dynamodb}/__faults`;
const table = cloud.tableName;
const run = `FAULTS#${Date.now()}`;
const key = (name: string) => ({ pk: { S: `${run}#${name}` }, sk: { S: 'META' } });
const client = new DynamoDBClient({
  endpoint: cloud.endpoints.dynamodb,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  maxAttempts: 1,
});

type Entry = NonNullable<TransactWriteItemsCommandInput['TransactItems']>[number];
const put = (name: string): Entry => ({ Put: { TableName: table, Item: { ...key(name), n: { N: '0' } } } });
const bump = (name: string): Entry => ({
  Update: {
    TableName: table,
    Key: key(name),
    UpdateExpression: 'ADD n :one',
    ExpressionAttributeValues: { ':one': { N: '1' } },
  },
});
const transact = (...entries: Entry[]) => client.send(new TransactWriteItemsCommand({ TransactItems: entries }));

async function setFaults(faults: Record<string, string | number>): Promise<void> {
  const response = await fetch(control, { method: 'PUT', body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`faults refused: ${await response.text()}`);
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

interface Counts {
  requests: number;
  transactions: number;
  conflicts: number;
  throttles: number;
  hung: number;
}
const countsFile = join(cloud.stateDirectory, 'dynamodb-faults.json');
const fileCounts = (): Counts | undefined =>
  existsSync(countsFile) ? (JSON.parse(readFileSync(countsFile, 'utf8')) as Counts) : undefined;

afterEach(async () => {
  await fetch(`${control}/hang`, { method: 'DELETE' });
  await setFaults({});
});

describe('DynamoDB fault proxy in the local cloud', () => {
  it('only forwards while faults are off: back-to-back transactions on one item both commit', async () => {
    await transact(put('off'), put('off-2'));
    await transact(bump('off'));

    const item = await client.send(new GetItemCommand({ TableName: table, Key: key('off'), ConsistentRead: true }));
    expect(item.Item?.n).toEqual({ N: '1' });
  });

  it('cancels a transaction on an item another transaction holds, and refuses a plain write to it', async () => {
    const before = fileCounts();
    await setFaults({ conflicts: '1500ms' });

    await transact(put('held'), put('other'));
    const cancelled = await failure(transact(put('free'), bump('held')));
    const refused = await failure(
      client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: key('held'),
          UpdateExpression: 'SET touched = :t',
          ExpressionAttributeValues: { ':t': { BOOL: true } },
        }),
      ),
    );
    await client.send(new PutItemCommand({ TableName: table, Item: key('unrelated') }));
    const read = await client.send(new GetItemCommand({ TableName: table, Key: key('held') }));

    expect(cancelled).toBeInstanceOf(TransactionCanceledException);
    expect((cancelled as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);
    expect(refused).toBeInstanceOf(TransactionConflictException);
    expect(read.Item?.n).toEqual({ N: '0' });
    // Nothing of the cancelled transaction was written.
    const free = await client.send(new GetItemCommand({ TableName: table, Key: key('free'), ConsistentRead: true }));
    expect(free.Item).toBeUndefined();

    const counts = await waitFor('the counts file to show both conflicts', async () => {
      const now = fileCounts();
      return now !== undefined && now.conflicts - (before?.conflicts ?? 0) >= 2 ? now : undefined;
    });
    // At least: the local cloud's own functions may run in the background.
    expect(counts.conflicts - (before?.conflicts ?? 0)).toBeGreaterThanOrEqual(2);
    expect(counts.transactions - (before?.transactions ?? 0)).toBeGreaterThanOrEqual(2);
  });

  it('cancels one of two transactions that overlap on one item', async () => {
    await setFaults({ conflicts: '200ms' });

    const results = await Promise.allSettled([
      transact(put('race'), put('race-a')),
      transact(put('race-b'), put('race')),
    ]);

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(TransactionCanceledException);
    const reasons = (rejected?.reason as TransactionCanceledException | undefined)?.CancellationReasons;
    expect(reasons?.map((reason) => reason.Code)).toContain('TransactionConflict');
  });

  it('throttles everything at throttle=1 as DynamoDB does: transactions cancelled, plain requests refused', async () => {
    const before = fileCounts();
    await setFaults({ throttle: 1, seed: 1 });

    const cancelled = await failure(transact(put('t1'), put('t2')));
    const refused = await failure(client.send(new PutItemCommand({ TableName: table, Item: key('t3') })));
    const read = await failure(client.send(new GetItemCommand({ TableName: table, Key: key('t3') })));
    await setFaults({});

    expect(cancelled).toBeInstanceOf(TransactionCanceledException);
    expect(
      (cancelled as TransactionCanceledException).CancellationReasons?.map((reason) => reason.Code).sort(),
    ).toEqual(['None', 'ThrottlingError']);
    expect(refused).toBeInstanceOf(ProvisionedThroughputExceededException);
    expect(read).toBeInstanceOf(ProvisionedThroughputExceededException);
    const counts = await waitFor('the counts file to show the throttles', async () => {
      const now = fileCounts();
      return now !== undefined && now.throttles - (before?.throttles ?? 0) >= 3 ? now : undefined;
    });
    expect(counts.throttles - (before?.throttles ?? 0)).toBeGreaterThanOrEqual(3);
  });

  it('holds the request a hang rule names until the rule is cleared, and lets the others through', async () => {
    const rule = await fetch(`${control}/hang`, {
      method: 'POST',
      body: JSON.stringify({ operation: 'PutItem', keyPrefix: `${run}#CALL`, forward: true }),
    });
    expect(rule.status).toBe(201);

    let answered = false;
    const hung = client.send(new PutItemCommand({ TableName: table, Item: key('CALL-1') })).finally(() => {
      answered = true;
    });
    const hungOutcome = hung.then(
      () => 'answered',
      (error: Error) => error.name,
    );
    await client.send(new PutItemCommand({ TableName: table, Item: key('OTHER-1') }));
    // forward: the write landed before its answer was withheld (a process killed after its write).
    const landed = await waitFor('the held write to land', async () => {
      const item = await client.send(
        new GetItemCommand({ TableName: table, Key: key('CALL-1'), ConsistentRead: true }),
      );
      return item.Item;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect(landed).toMatchObject(key('CALL-1'));
    expect(answered).toBe(false);
    const status = (await (await fetch(`${control}/hang`)).json()) as { held: number };
    expect(status.held).toBe(1);

    const cleared = (await (await fetch(`${control}/hang`, { method: 'DELETE' })).json()) as { released: number };
    expect(cleared.released).toBe(1);
    // The held connection is reset: with one attempt the SDK gives up with a network error.
    expect(await hungOutcome).not.toBe('answered');
  });
});
