/**
 * Which attempt a Connect contact is (`CALL#<ContactId>` / `CALL`): contact events and flow invocations carry
 * the ContactId, and this item leads from it to the run, the contact and the attempt. It holds the phone number,
 * so it expires with the run's other personal data.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { callKey } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import type { AttemptRef, CallMap as CallMapPort } from '../use-cases/dialing/ports.ts';
import type { documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';

const CallItemSchema = z.object({
  campaignId: z.string(),
  date: z.string(),
  phone: z.string(),
  attempt: z.number().int().positive(),
});

export class CallMap implements CallMapPort {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly retentionDays: number;

  constructor(tableName: string, retentionDays: number, client: typeof documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  async record(ref: AttemptRef, connectContactId: string): Promise<void> {
    await retryContention(
      () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...callKey(connectContactId),
              campaignId: ref.campaignId,
              date: ref.date,
              phone: ref.phone,
              attempt: ref.attempt,
              expiresAt: personalDataExpiresAt(ref.date, this.retentionDays),
            },
          }),
        ),
      { what: 'record call' },
    );
  }

  async find(connectContactId: string): Promise<AttemptRef | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: callKey(connectContactId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : CallItemSchema.parse(Item);
  }
}
