/**
 * What the live finish estimate reads and writes in DynamoDB, kept apart from the dialing adapters: the runs now
 * active, a run's status, its earliest due contact, its counters and recent minute samples (read), and its latest
 * estimate (the `ESTIMATE` item in the run's partition, written once a minute, read by the run status). The
 * estimate simulates the run with the dialing use cases in memory; a function that bundles this adapter and that
 * simulation never bundles the DynamoDB dialing adapters, so its role allows only what it does.
 */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { duePartition, estimateKey, runKey } from '../core/keys.ts';
import type { documentClient } from './aws-clients.ts';

const FinishEstimateSchema = z.object({
  finishAt: z.string(),
  remaining: z.number(),
  windowClosesAt: z.string(),
  waitingAtWindowClose: z.number(),
  late: z.boolean(),
  basis: z.object({
    dialsPerSecond: z.number().optional(),
    meanLineSeconds: z.number().optional(),
    attemptsObserved: z.number(),
  }),
  raise: z.object({ lines: z.number().optional(), dialsPerSecond: z.number().optional() }).optional(),
  computedAt: z.string(),
});
export type StoredEstimate = z.infer<typeof FinishEstimateSchema>;

const EstimateItemSchema = z.object({ estimate: FinishEstimateSchema });
const RunItemSchema = z.object({ status: z.string(), startedAt: z.string().optional() });
const ActiveRunItemSchema = z.object({ sk: z.string() });

export class RunEstimates {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client: typeof documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  /** The runs now active (`ACTIVE_RUNS`). */
  async activeRunKeys(): Promise<Array<{ campaignId: string; date: string }>> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'ACTIVE_RUNS' },
        ProjectionExpression: 'sk',
      }),
    );
    return Items.flatMap((item) => {
      const parsed = ActiveRunItemSchema.safeParse(item);
      if (!parsed.success) return [];
      const [campaignId = '', date = ''] = parsed.data.sk.split('#');
      return campaignId !== '' && date !== '' ? [{ campaignId, date }] : [];
    });
  }

  /** A run's status and start, or undefined when it was never opened. */
  async runOf(campaignId: string, date: string): Promise<{ status: string; startedAt?: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runKey(campaignId, date),
        ProjectionExpression: '#status, startedAt',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    const parsed = RunItemSchema.safeParse(Item);
    return parsed.success ? parsed.data : undefined;
  }

  /** When the run's earliest waiting contact is due (one item of the due index). */
  async earliestDue(campaignId: string, date: string): Promise<Date | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': duePartition(campaignId, date) },
        ProjectionExpression: 'gsi1sk',
        Limit: 1,
      }),
    );
    const sortKey = Items[0]?.gsi1sk;
    return typeof sortKey === 'string' ? new Date(sortKey.slice(0, sortKey.indexOf('#'))) : undefined;
  }

  async save(campaignId: string, date: string, estimate: StoredEstimate): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...estimateKey(campaignId, date),
          estimate,
          expiresAt: Math.floor(Date.parse(estimate.computedAt) / 1000) + this.retentionDays * 86_400,
        },
      }),
    );
  }

  /** The run's latest estimate, if one was made. */
  async latest(campaignId: string, date: string): Promise<StoredEstimate | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: estimateKey(campaignId, date) }),
    );
    const parsed = EstimateItemSchema.safeParse(Item);
    return parsed.success ? parsed.data.estimate : undefined;
  }
}
