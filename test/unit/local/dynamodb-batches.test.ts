/** Batches the fault proxy answers in part: what it forwards, and what it hands back as unprocessed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeStatementResponses, mergeUnprocessed, splitBatch } from '../../../local/dynamodb-batches.ts';

const put = (pk: string) => ({ PutRequest: { Item: { pk: { S: pk }, sk: { S: 'META' } } } });
const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'META' } });

describe('dynamodb batches', () => {
  it('splits a BatchWriteItem by index across tables, keeping the rest of the request', () => {
    const request = {
      RequestItems: { a: [put('1'), put('2')], b: [put('3')] },
      ReturnConsumedCapacity: 'TOTAL',
    };

    const { forwarded, unprocessed } = splitBatch('batchWrite', request, new Set([1, 2]));

    expect(forwarded).toEqual({ RequestItems: { a: [put('1')] }, ReturnConsumedCapacity: 'TOTAL' });
    expect(unprocessed).toEqual({ a: [put('2')], b: [put('3')] });
  });

  it('gives a BatchGetItem’s unprocessed keys the projection and consistency of their table entry', () => {
    const request = {
      RequestItems: { a: { Keys: [key('1'), key('2')], ConsistentRead: true, ProjectionExpression: 'pk' } },
    };

    const { forwarded, unprocessed } = splitBatch('batchGet', request, new Set([0]));

    expect(forwarded).toEqual({
      RequestItems: { a: { Keys: [key('2')], ConsistentRead: true, ProjectionExpression: 'pk' } },
    });
    expect(unprocessed).toEqual({ a: { Keys: [key('1')], ConsistentRead: true, ProjectionExpression: 'pk' } });
  });

  it('loses and duplicates no entry whatever is throttled', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(30)),
        (tables, throttled) => {
          const request = { RequestItems: Object.fromEntries(tables.map((pks, index) => [`t${index}`, pks.map(put)])) };
          const { forwarded, unprocessed } = splitBatch('batchWrite', request, new Set(throttled));
          const entries = (items: unknown) =>
            Object.entries(items as Record<string, unknown[]>).flatMap(([table, list]) =>
              list.map((entry) => JSON.stringify([table, entry])),
            );

          expect([...entries(forwarded.RequestItems), ...entries(unprocessed)].sort()).toEqual(
            entries(request.RequestItems).sort(),
          );
        },
      ),
    );
  });

  it('adds its unprocessed entries to DynamoDB Local’s own', () => {
    expect(mergeUnprocessed('batchWrite', { a: [put('1')] }, { a: [put('2')], b: [put('3')] })).toEqual({
      a: [put('1'), put('2')],
      b: [put('3')],
    });
    expect(
      mergeUnprocessed('batchGet', { a: { Keys: [key('1')] } }, { a: { Keys: [key('2')], ConsistentRead: true } }),
    ).toEqual({ a: { Keys: [key('1'), key('2')], ConsistentRead: true } });
    expect(mergeUnprocessed('batchWrite', undefined, { a: [put('2')] })).toEqual({ a: [put('2')] });
  });

  it('puts statement errors and forwarded responses back in statement order', () => {
    const errors = new Map([
      [0, { Code: 'ThrottlingError', Message: 'slow down', TableName: 'calls' }],
      [2, { Code: 'TransactionConflict', Message: 'held' }],
    ]);

    expect(mergeStatementResponses(4, errors, [{ Item: 1 }, { Item: 3 }])).toEqual([
      { Error: { Code: 'ThrottlingError', Message: 'slow down' }, TableName: 'calls' },
      { Item: 1 },
      { Error: { Code: 'TransactionConflict', Message: 'held' } },
      { Item: 3 },
    ]);
  });
});
