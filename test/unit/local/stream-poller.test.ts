import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { lambdaAttributeValue, streamMappings } from '../../../local/stream-poller.ts';

describe('local stream → Lambda', () => {
  it("gives attribute values Lambda's JSON shape, empty maps included", () => {
    // The Streams SDK client returns an empty map as {}; Lambda's event has {"M": {}}.
    const image = { answers: {}, attemptLog: { L: [{ M: { n: { N: '1' }, flow: {} } }] }, ok: { BOOL: true } };
    const converted = Object.fromEntries(
      Object.entries(image).map(([name, value]) => [name, lambdaAttributeValue(value)]),
    );
    expect(converted).toEqual({
      answers: { M: {} },
      attemptLog: { L: [{ M: { n: { N: '1' }, flow: { M: {} } } }] },
      ok: { BOOL: true },
    });
    expect(unmarshall(converted as never)).toEqual({ answers: {}, attemptLog: [{ n: 1, flow: {} }], ok: true });
  });

  it("finds the functions reading a table's stream, with their mapping settings", () => {
    const mappings = streamMappings(
      {
        analyticsStream: {
          events: [
            {
              stream: {
                type: 'dynamodb',
                arn: { 'Fn::GetAtt': ['MainTable', 'StreamArn'] },
                batchSize: 1000,
                batchWindow: '2',
                bisectBatchOnFunctionError: true,
              },
            },
          ],
        },
        other: { events: [{ schedule: 'rate(1 minute)' }] },
      },
      { MainTable: { Type: 'AWS::DynamoDB::Table', Properties: { TableName: 'engine-local' } } },
      (key) => `engine-local-${key}`,
    );
    expect(mappings).toEqual([
      {
        functionName: 'engine-local-analyticsStream',
        tableName: 'engine-local',
        event: expect.objectContaining({ batchSize: 1000, batchWindow: 2, bisectBatchOnFunctionError: true }),
      },
    ]);
  });
});
