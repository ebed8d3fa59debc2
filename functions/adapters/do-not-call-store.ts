/**
 * The engine-wide do-not-call list: `pk = DNC`, `sk = H#<keyed hash of the E.164 number>` (number-hasher.ts), with
 * `source` (`upload` or `opt-out`) and `addedAt`: the list never holds a number, so an opt-out outlives the erasure
 * of everything else about the person. Entries written before hashing (`sk = <E.164>`, with `phone`) are still
 * read, so no opt-out is lost on upgrade; erasing the person rewrites theirs as a hash.
 *
 * Imports look numbers up per batch (BatchGetItem); `POST /dnc` adds uploaded numbers; the opt-out path calls
 * {@link DoNotCallStore.optOut}, which also takes the number's waiting contacts out of the runs it is given.
 */
import { BatchWriteCommand, DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { doNotCallKey, hashedDoNotCallKey } from '../core/keys.ts';
import type { DoNotCallLookup } from '../use-cases/import/import-rows.ts';
import { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';
import { DynamoDbContacts } from './contacts.ts';
import type { NumberHasher } from './number-hasher.ts';

export type DoNotCallSource = 'upload' | 'opt-out';

/** Status a waiting contact gets when its number goes on the do-not-call list. */
export const SUPPRESSED_STATUS = 'SUPPRESSED';

const ITEMS_PER_WRITE = 25;
const MAX_WRITE_ROUNDS = 10;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

const EntrySchema = z.object({
  sk: z.string(),
  source: z.string().optional(),
  addedAt: z.string().optional(),
  optedOutAt: z.string().optional(),
});

/** A number's entry on the list, as a person's access request shows it (no number in it). */
export interface DoNotCallEntry {
  listed: boolean;
  source?: string;
  addedAt?: string;
  optedOutAt?: string;
  /** Still stored under the plain number (written before hashing). */
  plain: boolean;
}

export class DoNotCallStore implements DoNotCallLookup {
  private readonly tableName: string;
  private readonly client: typeof documentClient;
  private readonly contacts: DynamoDbContacts;
  private readonly hasher: NumberHasher;

  constructor(tableName: string, hasher: NumberHasher, client = documentClient) {
    this.tableName = tableName;
    this.client = client;
    this.hasher = hasher;
    this.contacts = new DynamoDbContacts(tableName, client);
  }

  /** The numbers of `phones` (E.164) that are on the list (by hash, or by number for entries from before). */
  async listed(phones: readonly string[]): Promise<Set<string>> {
    if (phones.length === 0) return new Set();
    const unique = [...new Set(phones)];
    const hashes = await Promise.all(unique.map((phone) => this.hasher.hash(phone)));
    const keys = [...hashes.map((hash) => hashedDoNotCallKey(hash)), ...unique.map(doNotCallKey)];
    const found = new Set((await batchGetItems(this.client, this.tableName, keys)).map((item) => String(item.sk)));
    return new Set(
      unique.filter((phone, index) => found.has(hashedDoNotCallKey(hashes[index] ?? '').sk) || found.has(phone)),
    );
  }

  /** The number's entry (for a person's access request). */
  async entry(phone: string): Promise<DoNotCallEntry> {
    const hashed = hashedDoNotCallKey(await this.hasher.hash(phone));
    const items = await batchGetItems(this.client, this.tableName, [hashed, doNotCallKey(phone)], 'ALL');
    const entries = items.map((item) => EntrySchema.parse(item));
    const entry = entries.find((found) => found.sk === hashed.sk) ?? entries[0];
    if (entry === undefined) return { listed: false, plain: false };
    return {
      listed: true,
      ...(entry.source !== undefined && { source: entry.source }),
      ...(entry.addedAt !== undefined && { addedAt: entry.addedAt }),
      ...(entry.optedOutAt !== undefined && { optedOutAt: entry.optedOutAt }),
      plain: entries.some((found) => found.sk === phone),
    };
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
    const hashes = await Promise.all(fresh.map((phone) => this.hasher.hash(phone)));
    for (let start = 0; start < hashes.length; start += ITEMS_PER_WRITE) {
      let requests = hashes
        .slice(start, start + ITEMS_PER_WRITE)
        .map((hash) => ({ PutRequest: { Item: { ...hashedDoNotCallKey(hash), source, addedAt } } }));
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
        Key: hashedDoNotCallKey(await this.hasher.hash(phone)),
        UpdateExpression: 'SET #source = :source, optedOutAt = :at, addedAt = if_not_exists(addedAt, :at)',
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: { ':source': 'opt-out', ':at': at.toISOString() },
      }),
    );
    let suppressed = 0;
    for (const run of runs) {
      if (await this.contacts.closeWaiting(run.campaignId, run.date, phone, SUPPRESSED_STATUS)) suppressed++;
    }
    return suppressed;
  }

  /**
   * Erasure: an entry stored under the plain number becomes a hashed one (same source and dates); the opt-out holds,
   * the number goes. Returns whether there was one.
   */
  async hashPlainEntry(phone: string): Promise<boolean> {
    const entry = await this.entry(phone);
    if (!entry.plain) return false;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: hashedDoNotCallKey(await this.hasher.hash(phone)),
        UpdateExpression:
          'SET #source = if_not_exists(#source, :source), addedAt = if_not_exists(addedAt, :addedAt)' +
          (entry.optedOutAt === undefined ? '' : ', optedOutAt = if_not_exists(optedOutAt, :optedOutAt)'),
        ExpressionAttributeNames: { '#source': 'source' },
        ExpressionAttributeValues: {
          ':source': entry.source ?? 'upload',
          ':addedAt': entry.addedAt ?? new Date().toISOString(),
          ...(entry.optedOutAt !== undefined && { ':optedOutAt': entry.optedOutAt }),
        },
      }),
    );
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: doNotCallKey(phone) }));
    return true;
  }
}
