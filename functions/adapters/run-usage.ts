/**
 * A run's usage counters (docs/cost-model.md): added to one of the run's RUN_BUCKETS USAGE items, picked at random
 * per write, and read back with the run's counters (functions/adapters/run-counters.ts).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RUN_BUCKETS, runUsageKey } from '../core/keys.ts';
import type { RunUsageSink } from '../lib/run-usage.ts';
import { documentClient } from './aws-clients.ts';

/** Attribute names a usage write may add (functions/core/report/run-cost.ts). */
const USAGE_NAME = /^u_[A-Za-z0-9_]{1,60}$/;
/** Attributes one write adds at most: the engine counts 7 and 3 per function; a write carries one invocation's. */
const MAX_COUNTERS = 40;

export class RunUsageStore implements RunUsageSink {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly pickBucket: () => number;

  constructor(
    tableName: string,
    client = documentClient,
    pickBucket: () => number = () => Math.floor(Math.random() * RUN_BUCKETS),
  ) {
    this.tableName = tableName;
    this.client = client;
    this.pickBucket = pickBucket;
  }

  /** Adds `counters` (names `u_…`, finite non-negative numbers) to the run's usage. */
  async addRunUsage(campaignId: string, date: string, counters: Readonly<Record<string, number>>): Promise<void> {
    const entries = Object.entries(counters).filter(([, value]) => value !== 0);
    if (entries.length === 0) return;
    if (entries.length > MAX_COUNTERS) throw new RangeError(`a usage write adds at most ${MAX_COUNTERS} counters`);
    const names: Record<string, string> = {};
    const values: Record<string, number> = {};
    const terms = entries.map(([name, value], index) => {
      if (!USAGE_NAME.test(name)) throw new RangeError(`not a usage counter: ${name}`);
      if (!Number.isFinite(value) || value < 0) throw new RangeError(`usage counter ${name}: ${value}`);
      names[`#u${index}`] = name;
      values[`:u${index}`] = value;
      return `#u${index} :u${index}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: runUsageKey(campaignId, date, this.pickBucket()),
        UpdateExpression: `ADD ${terms.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
