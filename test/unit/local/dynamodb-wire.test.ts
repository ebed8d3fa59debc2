/** Item ids and the error bodies the fault proxy writes. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalNumber,
  itemId,
  operationOf,
  regionOf,
  throttled,
  transactionCanceled,
  transactionConflict,
} from '../../../local/dynamodb-wire.ts';

describe('dynamodb wire helpers', () => {
  it('names one item the same whether a request gives its whole item or its key, in any attribute order', () => {
    const keyNames = ['pk', 'sk'];
    const fromPut = itemId('t', keyNames, { name: { S: 'x' }, sk: { N: '1.50' }, pk: { S: 'CALL#1' } });
    const fromUpdate = itemId('t', keyNames, { sk: { N: '1.5' }, pk: { S: 'CALL#1' } });

    expect(fromPut).toBe(fromUpdate);
    expect(itemId('t', keyNames, { pk: { S: 'CALL#1' }, sk: { S: '1.5' } })).not.toBe(fromUpdate);
    expect(itemId('other', keyNames, { pk: { S: 'CALL#1' }, sk: { N: '1.5' } })).not.toBe(fromUpdate);
    expect(itemId('t', keyNames, { pk: { S: 'CALL#1' } })).toBeUndefined();
    expect(itemId('t', keyNames, { pk: { S: 'CALL#1' }, sk: { L: [] } })).toBeUndefined();
  });

  it('writes numbers that are equal as one canonical number', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.integer({ min: 0, max: 6 }), (value, zeros) => {
        const plain = String(value);
        const padded = `${plain}.${'0'.repeat(zeros)}`;
        const scientific = `${plain}00e-2`;
        expect(canonicalNumber(padded)).toBe(canonicalNumber(plain));
        expect(canonicalNumber(scientific)).toBe(canonicalNumber(plain));
      }),
    );
    expect(canonicalNumber('0.0100')).toBe(canonicalNumber('1e-2'));
    expect(canonicalNumber('-0')).toBe('0');
    expect(canonicalNumber('10')).not.toBe(canonicalNumber('1'));
  });

  it('reads the operation from X-Amz-Target and the region from the credential scope', () => {
    expect(operationOf('DynamoDB_20120810.TransactWriteItems')).toBe('TransactWriteItems');
    expect(operationOf('DynamoDBStreams_20120810.GetRecords')).toBeUndefined();
    expect(operationOf(undefined)).toBeUndefined();
    expect(regionOf('AWS4-HMAC-SHA256 Credential=AKID/20261204/eu-west-1/dynamodb/aws4_request, Signature=x')).toBe(
      'eu-west-1',
    );
    expect(regionOf(undefined)).toBe('ddblocal');
  });

  it('cancels a transaction with one reason per item and the codes listed in the message', () => {
    const answer = transactionCanceled([
      { Code: 'None' },
      { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
    ]);

    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(answer.body)).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'TransactionConflict', Message: 'Transaction is ongoing for the item' },
      ],
      Message:
        'Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]',
    });
    expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  });

  it('refuses plain writes and throttles with the SDK model’s member names', () => {
    expect(JSON.parse(transactionConflict().body)).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionConflictException',
      message: 'Transaction is ongoing for the item',
    });
    const arn = 'arn:aws:dynamodb:eu-west-1:000000000000:table/t';
    expect(JSON.parse(throttled('ProvisionedThroughputExceededException', arn, true).body)).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
      ThrottlingReasons: [{ reason: 'TableWriteKeyRangeThroughputExceeded', resource: arn }],
    });
    expect(JSON.parse(throttled('ThrottlingException', arn, false).body)).toMatchObject({
      __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException',
      throttlingReasons: [{ reason: 'TableReadKeyRangeThroughputExceeded', resource: arn }],
    });
  });
});
