/**
 * A run's counters, spread over its RUN_BUCKETS bucket items (`RUN#<campaignId>#<date>#Bnn` / `COUNTERS`): every
 * write that changes a contact moves the counters of that contact's bucket in the same transaction, and a summary
 * adds the buckets up with one BatchGetItem. No item takes more than a bucket's share of a run's writes.
 *
 * Counter names (docs/data-model.md): `n_<STATUS>` contacts per status, `o_<OUTCOME>` attempts per outcome,
 * `t_<n>` contacts finished after n attempts, `a_<questionId>_<key>` answers, and `contacts`, `inFlight`,
 * `attemptsStarted`, `attemptsEnded`, `talkSeconds`, `answeredCalls`, `lineSeconds` and `lineAttempts` (the line
 * time of the attempts settled with it), `contactsReached`, `answersTotal`,
 * `followUpsSent`, `followUpsFailed`. The run's usage counters `u_…` (docs/cost-model.md) live in the buckets' USAGE
 * items and are read and summed with them.
 */
import { bucketOf, RUN_BUCKET_NUMBERS, runCountersKey, runUsageKey } from '../core/keys.ts';
import type { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';

/** Run counters live as top-level attributes `n_<STATUS>` and `o_<OUTCOME>` so ADD can create them. */
export const statusCounter = (status: string): string => `n_${status}`;
export const outcomeCounter = (outcome: string): string => `o_${outcome}`;
/** Contacts that reached a final status after `attempts` attempts (the report's attempts distribution). */
export const finishedAfterCounter = (attempts: number): string => `t_${attempts}`;

/** Attributes of a counters item that are not counters. */
const NOT_COUNTERS = new Set(['pk', 'sk', 'expiresAt']);

/** A transaction item that adds `adds` to the counters of the bucket of `phone` (negative values subtract). */
export function countersUpdate(
  tableName: string,
  campaignId: string,
  date: string,
  phone: string,
  adds: Readonly<Record<string, number>>,
) {
  return countersUpdateOfBucket(tableName, campaignId, date, bucketOf(phone), adds);
}

/** {@link countersUpdate} for a bucket chosen by the caller (an import chunk spreads its count over buckets). */
export function countersUpdateOfBucket(
  tableName: string,
  campaignId: string,
  date: string,
  bucket: number,
  adds: Readonly<Record<string, number>>,
) {
  const entries = Object.entries(adds).filter(([, value]) => value !== 0);
  if (entries.length === 0) throw new RangeError('countersUpdate needs at least one non-zero counter');
  const names: Record<string, string> = {};
  const values: Record<string, number> = {};
  const terms = entries.map(([name, value], index) => {
    names[`#c${index}`] = name;
    values[`:c${index}`] = value;
    return `#c${index} :c${index}`;
  });
  return {
    Update: {
      TableName: tableName,
      Key: runCountersKey(campaignId, date, bucket),
      UpdateExpression: `ADD ${terms.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** Adds up the bucket items' counters of one run (strongly consistent; every bucket in one round trip). */
export class RunCounters {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  /**
   * Every counter of the run, summed over its buckets; `{}` for a run nothing was counted in yet. With `usage`, the
   * run's usage counters too (a report; the dispatcher's every-tick reads do without them).
   */
  async totals(campaignId: string, date: string, options: { usage?: boolean } = {}): Promise<Record<string, number>> {
    return (await this.totalsOfRuns([{ campaignId, date }], options))[0] ?? {};
  }

  /** {@link totals} of several runs at once (a report over a range of days). */
  async totalsOfRuns(
    runs: ReadonlyArray<{ campaignId: string; date: string }>,
    options: { usage?: boolean } = {},
  ): Promise<Record<string, number>[]> {
    const keys = runs.flatMap(({ campaignId, date }) =>
      RUN_BUCKET_NUMBERS.flatMap((bucket) => [
        runCountersKey(campaignId, date, bucket),
        ...(options.usage === true ? [runUsageKey(campaignId, date, bucket)] : []),
      ]),
    );
    const items = await batchGetItems(this.client, this.tableName, keys, 'ALL');
    const byPartitionPrefix = new Map<string, Record<string, number>>();
    for (const item of items) {
      const pk = String(item.pk);
      const runPrefix = pk.slice(0, pk.lastIndexOf('#'));
      const sums = byPartitionPrefix.get(runPrefix) ?? {};
      for (const [name, value] of Object.entries(item)) {
        if (NOT_COUNTERS.has(name) || typeof value !== 'number') continue;
        sums[name] = (sums[name] ?? 0) + value;
      }
      byPartitionPrefix.set(runPrefix, sums);
    }
    return runs.map(({ campaignId, date }) => byPartitionPrefix.get(`RUN#${campaignId}#${date}`) ?? {});
  }
}
