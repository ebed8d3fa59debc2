/**
 * A run's history for the dashboard's charts: one item per minute (`SAMPLE#<YYYY-MM-DDTHH:MM>` in the run's
 * partition), overwritten by each tick of that minute, so it holds the minute's last figures. At most 1,440 small
 * items a day, one write per tick; they expire with the run's personal data.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { runPartition, SAMPLE_PREFIX, sampleKey } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import { documentClient } from './aws-clients.ts';
import { queryAll } from './query-pages.ts';

export interface RunSample {
  /** When the minute's last tick recorded it (ISO). */
  at: string;
  /** The run's calls in flight. */
  inFlight: number;
  /** The run's pacing (dials per second it may make). */
  dialRate: number;
  /** Attempts started so far (the dial rate between two samples is their difference over the time between). */
  attemptsStarted: number;
}

export class RunHistory {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client = documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  async recordSample(campaignId: string, date: string, sample: RunSample): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: sampleKey(campaignId, date, sample.at.slice(0, 16)),
        UpdateExpression:
          'SET #at = :at, inFlight = :inFlight, dialRate = :dialRate, attemptsStarted = :started, expiresAt = :expires',
        ExpressionAttributeNames: { '#at': 'at' },
        ExpressionAttributeValues: {
          ':at': sample.at,
          ':inFlight': sample.inFlight,
          ':dialRate': sample.dialRate,
          ':started': sample.attemptsStarted,
          ':expires': personalDataExpiresAt(date, this.retentionDays),
        },
      }),
    );
  }

  /** The run's samples, oldest first (at most a day's 1,440). */
  async samples(campaignId: string, date: string): Promise<RunSample[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runPartition(campaignId, date), ':prefix': SAMPLE_PREFIX },
        ProjectionExpression: '#at, inFlight, dialRate, attemptsStarted',
        ExpressionAttributeNames: { '#at': 'at' },
      },
      (item) => ({
        at: String(item.at),
        inFlight: Number(item.inFlight ?? 0),
        dialRate: Number(item.dialRate ?? 0),
        attemptsStarted: Number(item.attemptsStarted ?? 0),
      }),
    );
  }
}
