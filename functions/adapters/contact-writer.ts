/**
 * Writes imported contacts into a run, exactly once per phone number.
 *
 * BatchWriteItem cannot make a put conditional, so a re-uploaded list (or a retried import after
 * a crash) would overwrite contacts that are already being called and the run's counters could not
 * know which rows were new. Instead each chunk of up to 99 contacts goes in one TransactWriteItems
 * with the run's counter update: a contact is created only if it does not exist, and the counters
 * move by exactly the number created. When some contacts of a chunk already exist the transaction
 * is cancelled naming them; they are counted as duplicates and the rest is written again.
 *
 * A chunk's count goes to the counters of one of the run's buckets, a different one chunk after chunk: counters
 * only need to add up over the buckets (functions/adapters/run-counters.ts), and spreading them keeps the
 * concurrent chunks of a large import off one item.
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newContactKey } from '../core/analytics/facts.ts';
import { contactKey, duePartition, dueSortKey, RUN_BUCKETS } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import type { ContactSink, NewContact, WriteResult } from '../use-cases/import/import-rows.ts';
import { documentClient } from './aws-clients.ts';
import { countersUpdateOfBucket, statusCounter } from './run-counters.ts';
import { cancellationReasons, isAmbiguous, isBusy } from './transaction-errors.ts';

const CHUNK = 99;
const MAX_TRANSACTION_ATTEMPTS = 8;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export class ContactWriter implements ContactSink {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;
  private nextBucket = Math.floor(Math.random() * RUN_BUCKETS);

  constructor(tableName: string, retentionDays: number, client = documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  /** Writes the contacts (any number), each at most once; returns what was created and what existed. */
  async write(campaignId: string, date: string, contacts: readonly NewContact[]): Promise<WriteResult> {
    const result: WriteResult = { created: 0, existing: [] };
    for (let start = 0; start < contacts.length; start += CHUNK) {
      const chunk = await this.writeChunk(campaignId, date, contacts.slice(start, start + CHUNK));
      result.created += chunk.created;
      result.existing.push(...chunk.existing);
    }
    return result;
  }

  private async writeChunk(campaignId: string, date: string, contacts: NewContact[]): Promise<WriteResult> {
    const existing: string[] = [];
    let pending = contacts;
    const bucket = this.nextBucket++ % RUN_BUCKETS;
    let clientRequestToken = randomUUID();
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({
            ClientRequestToken: clientRequestToken,
            TransactItems: this.transaction(campaignId, date, pending, bucket),
          }),
        );
        return { created: pending.length, existing };
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        if (isAmbiguous(error)) {
          // It may have been written: the same token makes DynamoDB apply it at most once.
          await sleep(Math.random() * 50 * 2 ** attempt);
          continue;
        }
        clientRequestToken = randomUUID();
        if ((error as Error).name !== 'TransactionCanceledException') throw error;
        const reasons = cancellationReasons(error);
        const duplicates = new Set(
          pending.filter((_, index) => reasons[index] === 'ConditionalCheckFailed').map((contact) => contact.phone),
        );
        if (duplicates.size === 0) {
          if (!isBusy(error)) throw error;
          // Contention or throttling: back off with jitter and try the same chunk again.
          await sleep(Math.random() * 50 * 2 ** attempt);
          continue;
        }
        existing.push(...duplicates);
        pending = pending.filter((contact) => !duplicates.has(contact.phone));
      }
    }
    return { created: 0, existing };
  }

  private transaction(campaignId: string, date: string, contacts: NewContact[], bucket: number) {
    // From the run's date, not the import's: a list imported months ahead must outlive its run (docs/retention.md).
    const expiresAt = personalDataExpiresAt(date, this.retentionDays);
    return [
      ...contacts.map((contact) => ({
        Put: {
          TableName: this.tableName,
          Item: {
            ...contactKey(campaignId, date, contact.phone),
            phone: contact.phone,
            // Analytics facts name the contact by this random key, never by the number (docs/analytics.md).
            contactKey: newContactKey(),
            status: 'PENDING',
            attempts: 0,
            attemptLog: [],
            timeZone: contact.timeZone,
            name: contact.name,
            externalId: contact.externalId,
            language: contact.language,
            attributes: contact.attributes,
            answers: {},
            listId: contact.listId,
            line: contact.line,
            lawfulBasis: contact.lawfulBasis,
            nextAttemptAt: contact.dueAt.toISOString(),
            gsi1pk: duePartition(campaignId, date),
            gsi1sk: dueSortKey(contact.dueAt, contact.phone),
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      countersUpdateOfBucket(this.tableName, campaignId, date, bucket, {
        [statusCounter('PENDING')]: contacts.length,
        contacts: contacts.length,
      }),
    ];
  }
}
