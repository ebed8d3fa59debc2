/**
 * Writes imported contacts into a run, exactly once per phone number.
 *
 * BatchWriteItem cannot make a put conditional, so a re-uploaded list (or a retried import after
 * a crash) would overwrite contacts that are already being called and the run's counters could not
 * know which rows were new. Instead each chunk of up to 99 contacts goes in one TransactWriteItems
 * with the run's counter update: a contact is created only if it does not exist, and the counters
 * move by exactly the number created. When some contacts of a chunk already exist the transaction
 * is cancelled naming them; they are counted as duplicates and the rest is written again.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newContactKey } from '../core/analytics/facts.ts';
import { contactKey, duePartition, dueSortKey, runKey } from '../core/keys.ts';
import { documentClient } from './aws-clients.ts';
import { statusCounter } from './run-store.ts';
import { cancellationReasons } from './transaction-errors.ts';

/** One contact as the import produces it. */
export interface NewContact {
  phone: string;
  timeZone: string;
  name?: string;
  externalId?: string;
  language?: string;
  attributes: Record<string, string>;
  /** Where it came from, for the per-contact export. */
  listId: string;
  line: number;
  /** When it may first be called (already inside the callee's calling window). */
  dueAt: Date;
}

export interface WriteResult {
  created: number;
  /** Phones that were already in the run (from this or an earlier list). */
  existing: string[];
}

const CHUNK = 99;
const MAX_TRANSACTION_ATTEMPTS = 8;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export class ContactWriter {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

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
    for (let attempt = 0; pending.length > 0; attempt++) {
      try {
        await this.client.send(
          new TransactWriteCommand({ TransactItems: this.transaction(campaignId, date, pending) }),
        );
        return { created: pending.length, existing };
      } catch (error) {
        const name = (error as Error).name;
        if (name !== 'TransactionCanceledException' || attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        const reasons = cancellationReasons(error);
        const duplicates = new Set(
          pending.filter((_, index) => reasons[index] === 'ConditionalCheckFailed').map((contact) => contact.phone),
        );
        if (duplicates.size === 0) {
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

  private transaction(campaignId: string, date: string, contacts: NewContact[]) {
    const expiresAt = Math.floor(Date.now() / 1000) + this.retentionDays * 86_400;
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
            nextAttemptAt: contact.dueAt.toISOString(),
            gsi1pk: duePartition(campaignId, date),
            gsi1sk: dueSortKey(contact.dueAt, contact.phone),
            expiresAt,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      })),
      {
        Update: {
          TableName: this.tableName,
          Key: runKey(campaignId, date),
          UpdateExpression: `ADD ${statusCounter('PENDING')} :count, contacts :count SET campaignId = :campaign, runDate = :date`,
          ExpressionAttributeValues: { ':count': contacts.length, ':campaign': campaignId, ':date': date },
        },
      },
    ];
  }
}
