/** Which requests the fault proxy's crash rules hold. */
import { describe, expect, it } from 'vitest';
import { HangRuleError, HangRules } from '../../../local/dynamodb-hang-rules.ts';

const request = (...items: Array<[table: string, ...keys: string[]]>) => ({
  items: items.map(([table, ...keys]) => ({ table, keys })),
});

describe('HangRules', () => {
  it('matches on operation, table and key prefix together, and is used up after its times', () => {
    const rules = new HangRules();
    rules.add({ operation: 'PutItem', table: 'calls', keyPrefix: 'CALL#', times: 2 });

    expect(rules.needsTargets('PutItem')).toBe(true);
    expect(rules.needsTargets('GetItem')).toBe(false);
    expect(rules.take('GetItem', request(['calls', 'CALL#1']))).toBeUndefined();
    expect(rules.take('PutItem', request(['other', 'CALL#1']))).toBeUndefined();
    expect(rules.take('PutItem', request(['calls', 'RUN#1', 'CALL']))).toBeUndefined();
    expect(rules.take('PutItem', request(['calls', 'RUN#1', 'CALL#9']))).toMatchObject({ id: 1, remaining: 1 });
    expect(rules.take('PutItem', request(['calls', 'CALL#2']))).toMatchObject({ id: 1, remaining: 0 });
    expect(rules.take('PutItem', request(['calls', 'CALL#3']))).toBeUndefined();
    expect(rules.active).toBe(false);
  });

  it('matches any item of a transaction or batch, and any request when it names nothing but the operation', () => {
    const rules = new HangRules();
    rules.add({ keyPrefix: 'LEASE#' });
    rules.add({ operation: 'TransactWriteItems' });

    expect(rules.take('TransactWriteItems', request(['calls', 'RUN#1'], ['calls', 'LEASE#4']))).toMatchObject({
      id: 1,
    });
    expect(rules.take('TransactWriteItems', request(['calls', 'RUN#1']))).toMatchObject({ id: 2, forward: false });
    expect(rules.list()).toEqual([]);
  });

  it('refuses a rule with unknown or bad fields, naming them', () => {
    const rules = new HangRules();

    expect(() => rules.add({ operation: 'Put Item' })).toThrow(HangRuleError);
    expect(() => rules.add({ operation: 'Put Item' })).toThrow('operation: an operation name such as PutItem');
    expect(() => rules.add({ times: 1.5 })).toThrow('times:');
    expect(() => rules.add({ keyprefix: 'CALL#' })).toThrow('invalid hang rule');
    expect(() => rules.add(undefined)).toThrow('invalid hang rule');
    expect(rules.active).toBe(false);
  });
});
