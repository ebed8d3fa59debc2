/**
 * Follow-up SMS records: one item per (run, contact, rule), `RUN#<campaignId>#<date>` /
 * `FOLLOWUP#<phone>#<ruleId>`. The item is claimed (conditional put, status SENDING) before the
 * message goes out, so a contact gets each follow-up at most once however often its attempts are
 * settled; the delivery result (SENT with the SNS MessageId, or FAILED with the error) is written
 * afterwards, once, together with the run's `followUpsSent` / `followUpsFailed` counter (what reports read).
 * Contention and throttling are retried (functions/adapters/contention.ts): a message that went out is always
 * recorded SENT and counted.
 */
import { PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { FOLLOW_UP_PREFIX, followUpKey, RUN_BUCKET_NUMBERS, runBucketPartition } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import type { FollowUpRef } from '../use-cases/follow-ups/follow-up-sender.ts';
import { documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';
import { queryAll } from './query-pages.ts';
import { countersUpdate } from './run-counters.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

export type FollowUpStatus = 'SENDING' | 'SENT' | 'FAILED';

export interface StoredFollowUp extends FollowUpRef {
  status: FollowUpStatus;
  claimedAt: string;
  messageId?: string;
  error?: string;
}

export class FollowUpStore {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client = documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  /** Claims the follow-up for sending; false when it was claimed before (sent, failed or in progress). */
  async claim(ref: FollowUpRef, at: Date): Promise<boolean> {
    return retryContention(() => this.put(ref, at), { what: 'claim follow-up' });
  }

  private async put(ref: FollowUpRef, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...followUpKey(ref.campaignId, ref.date, ref.phone, ref.ruleId),
            ...ref,
            status: 'SENDING',
            claimedAt: at.toISOString(),
            expiresAt: personalDataExpiresAt(ref.date, this.retentionDays),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Records how the send went and counts it on the run, once: false when the result was recorded before (a
   * retried invocation).
   */
  async recordResult(
    ref: FollowUpRef,
    result: { status: 'SENT'; messageId: string } | { status: 'FAILED'; error: string },
    at: Date,
  ): Promise<boolean> {
    return retryContention(({ clientRequestToken }) => this.writeResult(ref, result, at, clientRequestToken), {
      what: 'record follow-up result',
    });
  }

  private async writeResult(
    ref: FollowUpRef,
    result: { status: 'SENT'; messageId: string } | { status: 'FAILED'; error: string },
    at: Date,
    clientRequestToken: string,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          ClientRequestToken: clientRequestToken,
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: followUpKey(ref.campaignId, ref.date, ref.phone, ref.ruleId),
                UpdateExpression:
                  result.status === 'SENT'
                    ? 'SET #status = :status, messageId = :detail, sentAt = :at'
                    : 'SET #status = :status, #error = :detail, failedAt = :at',
                ConditionExpression: '#status = :sending',
                ExpressionAttributeNames: {
                  '#status': 'status',
                  ...(result.status === 'FAILED' && { '#error': 'error' }),
                },
                ExpressionAttributeValues: {
                  ':status': result.status,
                  ':sending': 'SENDING',
                  ':detail': result.status === 'SENT' ? result.messageId : result.error,
                  ':at': at.toISOString(),
                },
              },
            },
            countersUpdate(this.tableName, ref.campaignId, ref.date, ref.phone, {
              [result.status === 'SENT' ? 'followUpsSent' : 'followUpsFailed']: 1,
            }),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancellationReasons(error)[0] === 'ConditionalCheckFailed') return false;
      throw error;
    }
  }

  /** Every follow-up of a run (reports, tests). */
  async followUpsOfRun(campaignId: string, date: string): Promise<StoredFollowUp[]> {
    const buckets = await Promise.all(
      RUN_BUCKET_NUMBERS.map((bucket) => this.followUpsOfBucket(campaignId, date, bucket)),
    );
    return buckets.flat();
  }

  private followUpsOfBucket(campaignId: string, date: string, bucket: number): Promise<StoredFollowUp[]> {
    return queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runBucketPartition(campaignId, date, bucket), ':prefix': FOLLOW_UP_PREFIX },
        ConsistentRead: true,
      },
      (item) => ({
        campaignId: String(item.campaignId),
        date: String(item.date),
        phone: String(item.phone),
        ruleId: String(item.ruleId),
        status: item.status as FollowUpStatus,
        claimedAt: String(item.claimedAt),
        messageId: item.messageId as string | undefined,
        error: item.error as string | undefined,
      }),
    );
  }
}
