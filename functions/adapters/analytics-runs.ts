/**
 * What analytics backfill reads and writes of a run in the table: the run's status, every item of its partition
 * (contacts, answers, follow-ups), and a contact key for contacts imported before contacts had one.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { contactKey, RUN_BUCKET_NUMBERS, runBucketPartition, runKey, runPartition } from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { queryAll } from './query-pages.ts';

export class AnalyticsRuns {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  /** The run's status and when it finished, if the run exists. */
  async status(campaignId: string, date: string): Promise<{ status: string; finishedAt?: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: runKey(campaignId, date),
        ProjectionExpression: '#status, finishedAt',
        ExpressionAttributeNames: { '#status': 'status' },
      }),
    );
    if (Item === undefined) return undefined;
    return {
      status: String(Item.status ?? ''),
      finishedAt: typeof Item.finishedAt === 'string' ? Item.finishedAt : undefined,
    };
  }

  /** Every item of the run's partition and of its bucket partitions (contacts, answers, follow-ups). */
  async items(campaignId: string, date: string): Promise<Array<Record<string, unknown>>> {
    const partitions = [
      runPartition(campaignId, date),
      ...RUN_BUCKET_NUMBERS.map((bucket) => runBucketPartition(campaignId, date, bucket)),
    ];
    const pages = await Promise.all(
      partitions.map((pk) =>
        queryAll(
          this.client,
          { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } },
          (item) => item,
        ),
      ),
    );
    return pages.flat();
  }

  /** Gives a contact `key` unless it has one; returns the key it has afterwards. */
  async assignContactKey(campaignId: string, date: string, phone: string, key: string): Promise<string> {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: contactKey(campaignId, date, phone),
        UpdateExpression: 'SET contactKey = if_not_exists(contactKey, :key)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':key': key },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return String(Attributes?.contactKey ?? key);
  }
}
