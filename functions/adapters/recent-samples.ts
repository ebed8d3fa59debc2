/**
 * The last few minute samples of a run's history (functions/adapters/run-history.ts writes them), newest first
 * from DynamoDB and returned oldest first: what the live finish estimate measures the run's pace on. One query of a
 * handful of small items.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { runPartition, SAMPLE_PREFIX } from '../core/keys.ts';
import type { PaceSample } from '../core/planning/progress.ts';
import type { documentClient } from './aws-clients.ts';

const SampleItemSchema = z.object({
  at: z.string(),
  inFlight: z.number().default(0),
  attemptsStarted: z.number().default(0),
});

export class RecentRunSamples {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  /** The run's last `limit` minute samples, oldest first. */
  async recent(campaignId: string, date: string, limit: number): Promise<PaceSample[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runPartition(campaignId, date), ':prefix': SAMPLE_PREFIX },
        ProjectionExpression: '#at, inFlight, attemptsStarted',
        ExpressionAttributeNames: { '#at': 'at' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.flatMap((item) => {
      const sample = SampleItemSchema.safeParse(item);
      const at = sample.success ? Date.parse(sample.data.at) : Number.NaN;
      return sample.success && Number.isFinite(at)
        ? [{ at, inFlight: sample.data.inFlight, attemptsStarted: sample.data.attemptsStarted }]
        : [];
    }).reverse();
  }
}
