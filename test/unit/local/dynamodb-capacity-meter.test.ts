import { describe, expect, it } from 'vitest';
import { CapacityMeter, keyClass, writtenItems } from '../../../local/dynamodb-capacity-meter.ts';

const key = (pk: string, sk: string) => ({ pk: { S: pk }, sk: { S: sk } });

describe('the capacity meter', () => {
  it('names the kind of every key the engine writes', () => {
    expect(keyClass('LINES#003', 'LINES')).toBe('line shard');
    expect(keyClass('LINES#003', 'LEASE#demo#2026-03-02#+48601#1')).toBe('lease');
    expect(keyClass('RUN#demo#2026-03-02#B07', 'COUNTERS')).toBe('run counters');
    expect(keyClass('RUN#demo#2026-03-02#B07', 'CONTACT#+48601')).toBe('contact');
    expect(keyClass('RUN#demo#2026-03-02', 'RUN')).toBe('run item');
    expect(keyClass('PACING', 'DIAL_RATE')).toBe('dial rate');
    expect(keyClass('CALL#abc', 'CALL')).toBe('call map');
  });

  it('reads the items of every kind of write request', () => {
    expect(
      writtenItems('TransactWriteItems', {
        TransactItems: [
          { Update: { TableName: 't', Key: key('RUN#a#d#B01', 'CONTACT#+1') } },
          { Put: { TableName: 't', Item: { ...key('LINES#000', 'LEASE#x'), other: { N: '1' } } } },
        ],
      }),
    ).toEqual([
      { table: 't', pk: 'RUN#a#d#B01', sk: 'CONTACT#+1' },
      { table: 't', pk: 'LINES#000', sk: 'LEASE#x' },
    ]);
    expect(
      writtenItems('BatchWriteItem', { RequestItems: { t: [{ DeleteRequest: { Key: key('DNC', '+1') } }] } }),
    ).toEqual([{ table: 't', pk: 'DNC', sk: '+1' }]);
    expect(writtenItems('GetItem', { TableName: 't', Key: key('a', 'b') })).toEqual([]);
  });

  it("books a transaction's measured total: two units per small item, the rest to the large ones", () => {
    const meter = new CapacityMeter();
    const claim = {
      TransactItems: [
        { Update: { TableName: 't', Key: key('RUN#a#d#B01', 'CONTACT#+1') } },
        { Update: { TableName: 't', Key: key('LINES#000', 'LINES') } },
        { Put: { TableName: 't', Item: key('LINES#000', 'LEASE#x') } },
        { Update: { TableName: 't', Key: key('RUN#a#d#B01', 'COUNTERS') } },
      ],
    };
    meter.record('TransactWriteItems', claim, {
      ConsumedCapacity: [
        {
          TableName: 't',
          CapacityUnits: 12,
          Table: { CapacityUnits: 10 },
          GlobalSecondaryIndexes: { gsi1: { CapacityUnits: 2 } },
        },
      ],
    });
    meter.record('TransactWriteItems', claim, {
      ConsumedCapacity: [{ TableName: 't', CapacityUnits: 8, Table: { CapacityUnits: 8 } }],
    });

    const report = meter.report();
    expect(report.tableWcu).toBe(18);
    expect(report.indexWcu).toEqual({ gsi1: 2 });
    expect(report.classes['line shard']).toMatchObject({ writes: 2, wcu: 4, items: 1, hottestItemWrites: 2 });
    expect(report.classes.contact).toMatchObject({ writes: 2, wcu: 6 });
    // The contact and the counters share a partition: 6 + 4 units.
    expect(report.classes.contact?.hottestPartitionWcu).toBe(10);
  });
});
