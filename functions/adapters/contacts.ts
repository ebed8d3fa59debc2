/**
 * A run's contacts in DynamoDB: the due index (`gsi1`, sparse: only waiting contacts carry its keys), reading a
 * contact, moving its due time, and closing a waiting contact without a call. Items are parsed, never cast.
 */
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { AttemptOutcomeSchema } from '../core/campaign.ts';
import { CONTACT_PREFIX, contactKey, duePartition, dueSortKey } from '../core/keys.ts';
import type { ContactRecord, Contacts, DueContact } from '../use-cases/dialing/ports.ts';
import type { documentClient } from './aws-clients.ts';
import { retryContention } from './contention.ts';
import { countersUpdate, finishedAfterCounter, statusCounter } from './run-counters.ts';
import { cancellationReasons, isConditionFailure } from './transaction-errors.ts';

const AttemptLogEntrySchema = z.object({
  n: z.number().int(),
  at: z.string(),
  line: z.number().int().min(0).optional(),
  connectContactId: z.string().optional(),
  outcome: AttemptOutcomeSchema.optional(),
  endedAt: z.string().optional(),
  talkSeconds: z.number().optional(),
});

const FlowProgressSchema = z.object({
  attempt: z.number().int().optional(),
  questionsAnswered: z.number().int().min(0),
  completed: z.boolean(),
  optedOut: z.boolean(),
  transferred: z.boolean().optional(),
});

/** A stored contact item (docs/data-model.md, "Contact"). */
export const ContactItemSchema = z.object({
  sk: z.string().startsWith(CONTACT_PREFIX),
  status: z.string(),
  attempts: z.number().int().min(0).default(0),
  attemptLog: z.array(AttemptLogEntrySchema).default([]),
  timeZone: z.string(),
  name: z.string().optional(),
  externalId: z.string().optional(),
  language: z.string().optional(),
  attributes: z.record(z.string(), z.string()).default({}),
  nextAttemptAt: z.string().optional(),
  outcome: AttemptOutcomeSchema.optional(),
  answers: z.record(z.string(), z.string()).default({}),
  flow: FlowProgressSchema.optional(),
});

/** A due-index entry: the projection `gsi1` carries (serverless.yml, MainTable). */
const DueItemSchema = z.object({
  sk: z.string().startsWith(CONTACT_PREFIX),
  status: z.string(),
  attempts: z.number().int().min(0).default(0),
  timeZone: z.string(),
  name: z.string().optional(),
  language: z.string().optional(),
});

export class DynamoDbContacts implements Contacts {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  async due(campaignId: string, date: string, now: Date, limit: number): Promise<DueContact[]> {
    const due: DueContact[] = [];
    let startKey: Record<string, unknown> | undefined;
    while (due.length < limit) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :now',
          ExpressionAttributeValues: { ':pk': duePartition(campaignId, date), ':now': `${now.toISOString()}#~` },
          Limit: limit - due.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const parsed = DueItemSchema.parse(item);
        due.push({
          campaignId,
          date,
          phone: parsed.sk.slice(CONTACT_PREFIX.length),
          status: parsed.status,
          attempts: parsed.attempts,
          timeZone: parsed.timeZone,
          ...(parsed.name !== undefined && { name: parsed.name }),
          ...(parsed.language !== undefined && { language: parsed.language }),
        });
      }
      startKey = page.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    return due;
  }

  async nextDue(campaignId: string, date: string): Promise<Date | undefined> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': duePartition(campaignId, date) },
        Limit: 1,
      }),
    );
    const sortKey = Items[0]?.gsi1sk;
    return typeof sortKey === 'string' ? new Date(sortKey.slice(0, sortKey.indexOf('#'))) : undefined;
  }

  async get(campaignId: string, date: string, phone: string): Promise<ContactRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: contactKey(campaignId, date, phone), ConsistentRead: true }),
    );
    if (Item === undefined) return undefined;
    const parsed = ContactItemSchema.parse(Item);
    const { sk: _sortKey, ...contact } = parsed;
    return { campaignId, date, phone, ...contact };
  }

  async reschedule(campaignId: string, date: string, phone: string, at: Date): Promise<void> {
    await retryContention(
      () =>
        this.client
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: contactKey(campaignId, date, phone),
              UpdateExpression: 'SET nextAttemptAt = :at, gsi1sk = :sk',
              ConditionExpression: '#status = :pending',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':at': at.toISOString(),
                ':sk': dueSortKey(at, phone),
                ':pending': 'PENDING',
              },
            }),
          )
          .then(
            () => undefined,
            (error: unknown) => {
              if (!isConditionFailure(error)) throw error;
            },
          ),
      { what: 'reschedule' },
    );
  }

  /**
   * Finishes a waiting contact without a call (expired at run end, suppressed by an opt-out). `attempts` (as the
   * caller read it) saves a read; the condition on it keeps the `t_<n>` counter exact. A contact claimed and put
   * back since it was read (its attempts moved) is read again; one that is no longer waiting is left alone.
   */
  async closeWaiting(
    campaignId: string,
    date: string,
    phone: string,
    status: string,
    attempts?: number,
  ): Promise<boolean> {
    let known = attempts;
    for (let round = 0; round < 3; round++) {
      if (known === undefined) {
        const contact = await this.get(campaignId, date, phone);
        if (contact === undefined || contact.status !== 'PENDING') return false;
        known = contact.attempts;
      }
      const expected = known;
      const closed = await retryContention(
        async ({ clientRequestToken }) => {
          try {
            await this.client.send(
              new TransactWriteCommand({
                ClientRequestToken: clientRequestToken,
                TransactItems: [
                  {
                    Update: {
                      TableName: this.tableName,
                      Key: contactKey(campaignId, date, phone),
                      UpdateExpression: 'SET #status = :status REMOVE gsi1pk, gsi1sk, nextAttemptAt',
                      ConditionExpression: '#status = :pending AND attempts = :attempts',
                      ExpressionAttributeNames: { '#status': 'status' },
                      ExpressionAttributeValues: { ':status': status, ':pending': 'PENDING', ':attempts': expected },
                    },
                  },
                  countersUpdate(this.tableName, campaignId, date, phone, {
                    [statusCounter('PENDING')]: -1,
                    [statusCounter(status)]: 1,
                    [finishedAfterCounter(expected)]: 1,
                  }),
                ],
              }),
            );
            return true;
          } catch (error) {
            // Only the contact's own condition is an answer; anything else (busy) is retried or thrown.
            if (cancellationReasons(error)[0] === 'ConditionalCheckFailed') return false;
            throw error;
          }
        },
        { what: 'close waiting contact' },
      );
      if (closed) return true;
      const contact = await this.get(campaignId, date, phone);
      if (contact === undefined || contact.status !== 'PENDING' || contact.attempts === expected) return false;
      known = contact.attempts;
    }
    return false;
  }
}
