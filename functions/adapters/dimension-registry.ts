/**
 * The values each campaign's analytics dimensions have taken, bounded: an item per campaign and dimension
 * (`ANALYTICS` / `DIMENSION#<campaignId>#<dimension>`, a string set `values`). A value is admitted by a
 * conditional ADD while the set has room; once full it never shrinks, so a value refused once is refused for ever
 * and goes to the `other` bucket every time: the same fact gets the same value whenever it is written.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MAX_DIMENSION_VALUES } from '../core/analytics/dimensions.ts';
import { dimensionRegistryKey } from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { isConditionFailure } from './transaction-errors.ts';

export class DimensionRegistry {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly limit: number;
  /** Admitted values per campaign and dimension, and whether the set was seen full. */
  private readonly known = new Map<string, { values: Set<string>; full: boolean }>();

  constructor(tableName: string, client = documentClient, limit = MAX_DIMENSION_VALUES) {
    this.tableName = tableName;
    this.client = client;
    this.limit = limit;
  }

  /** Which of `values` are admitted for the dimension (the others count as `other`). */
  async admit(campaignId: string, dimension: string, values: Iterable<string>): Promise<Set<string>> {
    const cacheKey = `${campaignId}#${dimension}`;
    let known = this.known.get(cacheKey);
    if (known === undefined) {
      known = { values: await this.read(campaignId, dimension), full: false };
      known.full = known.values.size >= this.limit;
      this.known.set(cacheKey, known);
    }
    const admitted = new Set<string>();
    for (const value of values) {
      if (known.values.has(value)) {
        admitted.add(value);
        continue;
      }
      if (known.full) continue;
      const result = await this.add(campaignId, dimension, value);
      known.values = result.values;
      known.full = result.values.size >= this.limit;
      if (result.admitted) admitted.add(value);
    }
    return admitted;
  }

  private async read(campaignId: string, dimension: string): Promise<Set<string>> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: dimensionRegistryKey(campaignId, dimension),
        ConsistentRead: true,
      }),
    );
    return toSet(Item?.values);
  }

  private async add(campaignId: string, dimension: string, value: string) {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: dimensionRegistryKey(campaignId, dimension),
          UpdateExpression: 'ADD #values :value',
          ConditionExpression: 'attribute_not_exists(#values) OR contains(#values, :one) OR size(#values) < :limit',
          ExpressionAttributeNames: { '#values': 'values' },
          ExpressionAttributeValues: { ':value': new Set([value]), ':one': value, ':limit': this.limit },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { admitted: true, values: toSet(Attributes?.values) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { admitted: false, values: await this.read(campaignId, dimension) };
    }
  }
}

function toSet(value: unknown): Set<string> {
  if (value instanceof Set) return new Set([...value].map(String));
  return new Set();
}
