/**
 * Everything the table holds about one phone number, found and removed (a person's access and erasure requests,
 * functions/use-cases/people/). Found through the `phone` index (`gsi2`, keys only: every item that carries the
 * number as its `phone` attribute — contacts, answers, follow-ups, call records, leases, do-not-call entries from
 * before hashing), the person's ledger (`PERSON#<E.164>`), and, per run the person is in, the answers and follow-ups
 * stored under the number in their keys. No rules here: the use case decides what goes.
 */
import { BatchWriteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  ANSWER_PREFIX,
  EXPORT_PREFIX,
  erasureKey,
  FOLLOW_UP_PREFIX,
  LIST_PREFIX,
  personLedgerKey,
  phoneIndexPartition,
  runPartition,
} from '../core/keys.ts';
import type { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';
import { queryAll } from './query-pages.ts';

/** A stored item, keys included. */
export type StoredItem = Record<string, unknown> & { pk: string; sk: string };

const KeySchema = z.object({ pk: z.string(), sk: z.string() });
const BUCKET_PARTITION = /^RUN#([a-z0-9][a-z0-9-]{0,62})#(\d{4}-\d{2}-\d{2})#B\d{2}$/;

/** The run of an item in a run's bucket partition, if it is one. */
export function runOfItem(item: { pk: string }): { campaignId: string; date: string } | undefined {
  const match = BUCKET_PARTITION.exec(item.pk);
  return match === null ? undefined : { campaignId: match[1] ?? '', date: match[2] ?? '' };
}

const ITEMS_PER_WRITE = 25;
const MAX_WRITE_ROUNDS = 10;
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export class PersonDataStore {
  private readonly tableName: string;
  private readonly client: typeof documentClient;

  constructor(tableName: string, client: typeof documentClient) {
    this.tableName = tableName;
    this.client = client;
  }

  /** Every item holding the number: by the `phone` index, the ledger, and the run partitions it leads to. */
  async itemsOf(phone: string): Promise<StoredItem[]> {
    const indexed = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'phone = :phone',
        ExpressionAttributeValues: { ':phone': phoneIndexPartition(phone) },
      },
      (item) => KeySchema.parse(item),
    );
    const keys = new Map<string, { pk: string; sk: string }>();
    const add = (key: { pk: string; sk: string }) => keys.set(`${key.pk}\u0000${key.sk}`, key);
    for (const key of indexed) add(key);
    add(personLedgerKey(phone));
    const partitions = new Set(indexed.filter((key) => runOfItem(key) !== undefined).map((key) => key.pk));
    for (const partition of partitions) {
      for (const prefix of [ANSWER_PREFIX, FOLLOW_UP_PREFIX]) {
        const found = await queryAll(
          this.client,
          {
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': partition, ':prefix': `${prefix}${phone}#` },
            ProjectionExpression: 'pk, sk',
          },
          (item) => KeySchema.parse(item),
        );
        for (const key of found) add(key);
      }
    }
    const items = await batchGetItems(this.client, this.tableName, [...keys.values()], 'ALL');
    return items.map((item) => ({ ...item, ...KeySchema.parse(item) }));
  }

  /** The lists (`LIST#`) and export jobs (`EXPORT#`) of a run. */
  async runRecords(campaignId: string, date: string): Promise<{ lists: StoredItem[]; exports: StoredItem[] }> {
    const query = (prefix: string) =>
      queryAll(
        this.client,
        {
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': runPartition(campaignId, date), ':prefix': prefix },
        },
        (item) => ({ ...item, ...KeySchema.parse(item) }),
      );
    const [lists, exports] = await Promise.all([query(LIST_PREFIX), query(EXPORT_PREFIX)]);
    return { lists, exports };
  }

  /** Deletes items, 25 per BatchWriteItem, asking again for unprocessed ones. */
  async delete(keys: ReadonlyArray<{ pk: string; sk: string }>): Promise<void> {
    for (let start = 0; start < keys.length; start += ITEMS_PER_WRITE) {
      let requests = keys
        .slice(start, start + ITEMS_PER_WRITE)
        .map((key) => ({ DeleteRequest: { Key: { pk: key.pk, sk: key.sk } } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round >= MAX_WRITE_ROUNDS) throw new Error(`BatchWriteItem left ${requests.length} deletes unprocessed`);
        if (round > 0) await sleep(Math.random() * 25 * 2 ** round);
        const output = await this.client.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }));
        requests = (output.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
    }
  }

  /** Replaces the first rejections a list's summary shows (`summary.errors`). */
  async replaceListErrors(list: { pk: string; sk: string }, errors: unknown[]): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: list.pk, sk: list.sk },
        UpdateExpression: 'SET summary.errors = :errors',
        ConditionExpression: 'attribute_exists(summary)',
        ExpressionAttributeValues: { ':errors': errors },
      }),
    );
  }

  /** Marks a list whose stored files were deleted, so the API says so instead of pointing at nothing. */
  async markListFilesErased(list: { pk: string; sk: string }, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: list.pk, sk: list.sk },
        UpdateExpression: 'SET filesErasedAt = :at',
        ExpressionAttributeValues: { ':at': at.toISOString() },
      }),
    );
  }

  /** An export whose file was deleted: its job says so (the export can be asked for again). */
  async expireExportJob(job: { pk: string; sk: string }, at: Date): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: job.pk, sk: job.sk },
        UpdateExpression: 'SET #status = :failed, #error = :error, erasedAt = :at',
        ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
        ExpressionAttributeValues: {
          ':failed': 'FAILED',
          ':error': 'expired: a person in this run asked to be forgotten; export the run again',
          ':at': at.toISOString(),
        },
      }),
    );
  }

  /** Keeps the record of an erasure (never the number). */
  async recordErasure(record: { erasureId: string; at: string } & Record<string, unknown>): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...erasureKey(new Date(record.at), record.erasureId), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  /** Erasure records of a month (`YYYY-MM`), newest first. */
  async erasures(month: string): Promise<StoredItem[]> {
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ERASURES#${month}` },
        ScanIndexForward: false,
      }),
    );
    return Items.map((item) => ({ ...item, ...KeySchema.parse(item) }));
  }
}
