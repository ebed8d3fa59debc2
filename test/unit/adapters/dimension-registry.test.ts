import { describe, expect, it } from 'vitest';
import type { documentClient } from '../../../functions/adapters/aws-clients.ts';
import { DimensionRegistry } from '../../../functions/adapters/dimension-registry.ts';
import { RecordingClient } from './recording-client.ts';

class ConditionFailed extends Error {
  override name = 'ConditionalCheckFailedException';
}

/** A registry item that holds at most `limit` values, as the conditional update enforces in DynamoDB. */
function registryTable(limit: number) {
  const values = new Set<string>();
  return new RecordingClient((command) => {
    if (command.name === 'GetCommand') return { Item: values.size > 0 ? { values: new Set(values) } : undefined };
    const value =
      [...((command.input.ExpressionAttributeValues as Record<string, Set<string>>)[':value'] ?? [])][0] ?? '';
    if (!values.has(value) && values.size >= limit) return new ConditionFailed('full');
    values.add(value);
    return { Attributes: { values: new Set(values) } };
  });
}

describe('DimensionRegistry', () => {
  it('admits values until the bound, then refuses new ones for good, reading the item once', async () => {
    const client = registryTable(2);
    const registry = new DimensionRegistry('table', client as unknown as typeof documentClient, 2);

    expect([...(await registry.admit('demo', 'clinic', ['Wola', 'Praga']))]).toEqual(['Wola', 'Praga']);
    expect([...(await registry.admit('demo', 'clinic', ['Mokotów', 'Wola']))]).toEqual(['Wola']);
    expect([...(await registry.admit('demo', 'clinic', ['Ursynów']))]).toEqual([]);

    // Once the set is seen full, a new value costs no write: the set never shrinks.
    expect(client.named('UpdateCommand')).toHaveLength(2);
    expect(client.named('GetCommand')).toHaveLength(1);
    expect(client.named('UpdateCommand')[0]?.input.ConditionExpression).toContain('size(#values) < :limit');
  });
});
