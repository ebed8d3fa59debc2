/**
 * What the planner reads about a campaign's runs, in DynamoDB: which of the last days had a run (one BatchGetItem
 * of their run items), their counters (their bucket items, functions/adapters/run-counters.ts), and a sample of
 * attempt logs from a few of a run's contact buckets. A plan reads a few dozen items, whatever the list size.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { AttemptOutcomeSchema } from '../core/campaign.ts';
import { CONTACT_PREFIX, RUN_BUCKETS, runBucketPartition, runKey } from '../core/keys.ts';
import type { AttemptSample } from '../core/planning/history-mix.ts';
import type { PastRun, PlanningHistory } from '../use-cases/planning/plan-inputs.ts';
import type { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';
import type { RunCounters } from './run-counters.ts';

const RunItemSchema = z.object({ pk: z.string(), status: z.string() });

const AttemptLogSchema = z.array(
  z.object({
    at: z.string(),
    outcome: AttemptOutcomeSchema.optional(),
    endedAt: z.string().optional(),
    talkSeconds: z.number().optional(),
  }),
);
const SampledContactSchema = z.object({ attemptLog: AttemptLogSchema.default([]) });

/** Contact buckets a sample reads (of RUN_BUCKETS): contacts are spread over them by a hash, so any few will do. */
const SAMPLED_BUCKETS = 4;

export class DynamoDbPlanningHistory implements PlanningHistory {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly counters: RunCounters;

  constructor(tableName: string, counters: RunCounters, client: typeof documentClient) {
    this.tableName = tableName;
    this.counters = counters;
    this.client = client;
  }

  async recentRuns(campaignId: string, date: string, days: number): Promise<PastRun[]> {
    const dates = Array.from({ length: days }, (_, index) =>
      DateTime.fromISO(date, { zone: 'UTC' })
        .minus({ days: index + 1 })
        .toISODate(),
    ).filter((day): day is string => day !== null);
    const items = await batchGetItems(
      this.client,
      this.tableName,
      dates.map((day) => runKey(campaignId, day)),
      ['status'],
    );
    const found = new Map<string, string>();
    for (const item of items) {
      const parsed = RunItemSchema.safeParse(item);
      if (parsed.success) found.set(parsed.data.pk.slice(parsed.data.pk.lastIndexOf('#') + 1), parsed.data.status);
    }
    const runs = dates.filter((day) => found.has(day)).map((day) => ({ campaignId, date: day }));
    if (runs.length === 0) return [];
    const totals = await this.counters.totalsOfRuns(runs);
    return runs.map((run, index) => ({
      date: run.date,
      status: found.get(run.date) ?? '',
      counters: totals[index] ?? {},
    }));
  }

  async runCounters(campaignId: string, date: string): Promise<Readonly<Record<string, number>> | undefined> {
    const [counters] = await this.counters.totalsOfRuns([{ campaignId, date }]);
    return counters !== undefined && Object.keys(counters).length > 0 ? counters : undefined;
  }

  async attemptSample(campaignId: string, date: string, limit: number): Promise<AttemptSample[]> {
    const perBucket = Math.max(1, Math.ceil(limit / SAMPLED_BUCKETS / 1.5));
    const buckets = Array.from({ length: Math.min(SAMPLED_BUCKETS, RUN_BUCKETS) }, (_, bucket) => bucket);
    const pages = await Promise.all(
      buckets.map((bucket) =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :contact)',
            ExpressionAttributeValues: {
              ':pk': runBucketPartition(campaignId, date, bucket),
              ':contact': CONTACT_PREFIX,
            },
            ProjectionExpression: 'attemptLog',
            Limit: perBucket,
          }),
        ),
      ),
    );
    const samples: AttemptSample[] = [];
    for (const page of pages) {
      for (const item of page.Items ?? []) {
        const contact = SampledContactSchema.safeParse(item);
        if (!contact.success) continue;
        for (const entry of contact.data.attemptLog) {
          if (entry.outcome === undefined || entry.endedAt === undefined) continue;
          const lineSeconds = (Date.parse(entry.endedAt) - Date.parse(entry.at)) / 1000;
          if (!Number.isFinite(lineSeconds) || lineSeconds < 0) continue;
          samples.push({
            outcome: entry.outcome,
            lineSeconds,
            ...(entry.talkSeconds !== undefined && { talkSeconds: entry.talkSeconds }),
          });
        }
      }
    }
    return samples.slice(0, limit);
  }
}
