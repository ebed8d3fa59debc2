/**
 * Operator alerts through the SNS alerts topic, deduplicated: one message per condition per period
 * (a conditional write on `ALERTS/<condition>` decides who sends), so a failure repeating every
 * tick wakes the operator once, not a hundred times.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ALERTS_PARTITION, alertKey } from '../core/keys.ts';
import { documentClient, snsClient } from './aws-clients.ts';
import { queryAll } from './query-pages.ts';
import { isConditionFailure } from './transaction-errors.ts';

export interface Alert {
  /** Identifies the condition, e.g. `leaked-leases` or `dispatch-errors#demo#2026-11-22`. */
  condition: string;
  subject: string;
  /** What happened, which campaign/run, since when, and the next step. */
  message: string;
  /** At most one message per condition within this many seconds. */
  periodSeconds?: number;
}

export class AlertPublisher {
  private readonly tableName: string;
  private readonly topicArn: string;

  constructor(tableName: string, topicArn: string) {
    this.tableName = tableName;
    this.topicArn = topicArn;
  }

  /** Publishes unless the same condition was alerted within its period; returns whether it sent. */
  async publish(alert: Alert, now = new Date()): Promise<boolean> {
    const period = alert.periodSeconds ?? 3_600;
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await documentClient.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...alertKey(alert.condition),
            sentAt: now.toISOString(),
            quietUntil: nowSeconds + period,
            subject: alert.subject,
            message: alert.message,
            expiresAt: nowSeconds + period + 86_400,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR quietUntil <= :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    try {
      await snsClient.send(
        new PublishCommand({ TopicArn: this.topicArn, Subject: alert.subject.slice(0, 99), Message: alert.message }),
      );
    } catch (error) {
      // Not sent: give the condition back, so its next occurrence alerts instead of staying quiet for the period.
      await documentClient
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: alertKey(alert.condition),
            ConditionExpression: 'sentAt = :sentAt',
            ExpressionAttributeValues: { ':sentAt': now.toISOString() },
          }),
        )
        .catch(() => undefined);
      throw error;
    }
    return true;
  }
}

/** An alert as last sent, for the dashboard's "recent alerts". */
export interface SentAlert {
  condition: string;
  subject: string;
  message: string;
  sentAt: string;
}

/**
 * The alerts sent recently (each condition's last message, kept for a day after its quiet period), newest first:
 * with a campaign, those naming it (`<kind>#<campaignId>#…`) and the engine-wide ones (no `#`).
 */
export async function recentAlerts(tableName: string, campaignId?: string): Promise<SentAlert[]> {
  const alerts = await queryAll(
    documentClient,
    {
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': ALERTS_PARTITION },
    },
    (item) => ({
      condition: String(item.sk),
      subject: String(item.subject ?? ''),
      message: String(item.message ?? ''),
      sentAt: String(item.sentAt ?? ''),
      expiresAt: Number(item.expiresAt ?? 0),
    }),
  );
  // DynamoDB deletes expired items within days, not at once: what has expired is not recent.
  const now = Math.floor(Date.now() / 1000);
  return alerts
    .filter((alert) => alert.expiresAt > now)
    .map(({ expiresAt: _expiresAt, ...alert }) => alert)
    .filter((alert) => {
      const [, ...scope] = alert.condition.split('#');
      return campaignId === undefined || scope.length === 0 || scope[0] === campaignId;
    })
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
}
