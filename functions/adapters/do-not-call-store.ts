/**
 * The engine-wide do-not-call list: `pk = DNC`, `sk = <E.164>`, with `source` (`upload` or `opt-out`) and `addedAt`.
 * Imports look numbers up per batch (BatchGetItem); `POST /dnc` adds uploaded numbers; the opt-out path calls
 * {@link DoNotCallStore.optOut}, which also takes the number's waiting contacts out of the runs it is given.
 */
import { BatchWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { doNotCallKey } from '../core/keys.ts';
import type { DoNotCallLookup } from '../use-cases/import/import-rows.ts';
import { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';
import { DynamoDbContacts } from './contacts.ts';

export type DoNotCallSource = 'upload' | 'opt-out';

/** Status a waiting contact gets when its number goes on the do-not-call list. */
export const SUPPRESSED_STATUS = 'SUPPRESSED';

const ITEMS_PER_WRITE = 25;
const MAX_WRITE_ROUNDS = 10;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export class DoNotCallStore implements DoNotCallLookup {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly contacts: DynamoDbContacts;

  constructor(tableName: string, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
    this.contacts = new DynamoDbContacts(tableName, client);
  }

  /** The numbers of `phones` (E.164) that are on the list. */
  async listed(phones: readonly string[]): Promise<Set<string>> {
    if (phones.length === 0) return new Set();
    const items = await batchGetItems(this.client, this.tableName, [...new Set(phones)].map(doNotCallKey));
    return new Set(items.map((item) => String(item.sk)));
  }

  /**
   * Adds numbers (E.164); numbers already listed keep their entry (and its source). Two uploads racing on the same
   * new number may both count it as added; the list itself is right either way.
   */
  async add(
    phones: readonly string[],
    source: DoNotCallSource,
    at: Date,
  ): Promise<{ added: number; alreadyListed: number }> {
    const unique = [...new Set(phones)];
    const listed = await this.listed(unique);
    const fresh = unique.filter((phone) => !listed.has(phone));
    const addedAt = at.toISOString();
    for (let start = 0; start < fresh.length; start += ITEMS_PER_WRITE) {
      let requests = fresh
        .slice(start, start + ITEMS_PER_WRITE)
        .map((phone) => ({ PutRequest: { Item: { ...doNotCallKey(phone), phone, source, addedAt } } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round >= MAX_WRITE_ROUNDS) throw new Error(`BatchWriteItem left ${requests.length} items unprocessed`);
        if (round > 0) await sleep(Math.random() * 25 * 2 ** round);
        const output = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (output.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
    return { added: fresh.length, alreadyListed: unique.length - fresh.length };
  }

  /**
   * A callee asked not to be called again: puts the number on the list (source `opt-out`, kept even if it was
   * uploaded before) and finishes its contacts that are still waiting in `runs` as SUPPRESSED, moving the runs'
   * counters. Contacts being dialled or already finished are left alone. Safe to repeat.
   * @returns How many waiting contacts were suppressed.
   */
  async optOut(phone: string, runs: ReadonlyArray<{ campaignId: string; date: string }>, at: Date): Promise<number> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: doNotCallKey(phone),
        UpdateExpression:
          'SET phone = :phone, #source = :source, optedOutAt = :at, addedAt = if_not_exists(addedAt, :at)',
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: { ':phone': phone, ':source': 'opt-out', ':at': at.toISOString() },
      }),
    );
    let suppressed = 0;
    for (const run of runs) {
      if (await this.contacts.closeWaiting(run.campaignId, run.date, phone, SUPPRESSED_STATUS)) suppressed++;
    }
    return suppressed;
  }
}
