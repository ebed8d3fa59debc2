/**
 * What the contact-flow functions may believe about a call, read from what the dispatcher wrote: the
 * `CALL#<ContactId>` mapping (put right after StartOutboundVoiceContact returned) and the contact's current attempt.
 * Read-only; the rules are in functions/use-cases/answers/resolve-call.ts.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { callKey, contactKey } from '../core/keys.ts';
import type { CallRecords, PlacedCall } from '../use-cases/answers/resolve-call.ts';
import { documentClient } from './aws-clients.ts';

export class FlowCallStore implements CallRecords {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  async findCall(connectContactId: string): Promise<PlacedCall | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: callKey(connectContactId), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    return {
      campaignId: String(Item.campaignId),
      date: String(Item.date),
      phone: String(Item.phone),
      attempt: Number(Item.attempt),
    };
  }

  async currentAttempt(
    campaignId: string,
    date: string,
    phone: string,
  ): Promise<{ status: string; attempts: number; startedAt?: string } | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: contactKey(campaignId, date, phone),
        ProjectionExpression: '#status, attempts, attemptLog',
        ExpressionAttributeNames: { '#status': 'status' },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    const attempts = Number(Item.attempts ?? 0);
    const log = Array.isArray(Item.attemptLog) ? (Item.attemptLog as Array<{ n?: unknown; at?: unknown }>) : [];
    const entry = log.find((candidate) => Number(candidate.n) === attempts);
    return {
      status: String(Item.status),
      attempts,
      ...(typeof entry?.at === 'string' && { startedAt: entry.at }),
    };
  }
}
