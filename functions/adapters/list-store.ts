/**
 * Uploaded lists in DynamoDB: one `LIST#<listId>` item in the run's partition per upload, moving through
 * AWAITING_UPLOAD → RECEIVED → IMPORTING → DONE | FAILED (see `functions/core/import/list-record.ts`). Also answers which
 * list created a run's contact, so a re-run of the same list recognises its own contacts.
 *
 * No policy here: the import decides, this module records.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type ListFailure,
  type ListImportProgress,
  type ListImportSummary,
  type ListRecord,
  ListRecordSchema,
  type ListRef,
  type NewListRecord,
} from '../core/import/list-record.ts';
import { CONTACT_PREFIX, contactKey, LIST_PREFIX, listKey, runPartition } from '../core/keys.ts';
import { personalDataExpiresAt } from '../core/retention.ts';
import type { ContactOrigins } from '../use-cases/import/import-rows.ts';
import type { ListRecords } from '../use-cases/import/list-intake.ts';
import { documentClient } from './aws-clients.ts';
import { batchGetItems } from './batch-get.ts';
import { queryAll } from './query-pages.ts';
import { isConditionFailure } from './transaction-errors.ts';

export class ListStore implements ContactOrigins, ListRecords {
  private readonly tableName: string;
  private readonly retentionDays: number;
  private readonly client: typeof documentClient;

  constructor(tableName: string, retentionDays: number, client = documentClient) {
    this.tableName = tableName;
    this.retentionDays = retentionDays;
    this.client = client;
  }

  /** Writes a new list item; list ids are random, so an existing one is a bug and throws. */
  async create(record: NewListRecord): Promise<void> {
    const { listId, campaignId, date, createdAt } = record;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...listKey(campaignId, date, listId),
          listId,
          campaignId,
          date,
          status: record.status,
          source: record.source,
          format: record.format,
          objectKey: record.objectKey,
          createdAt: createdAt.toISOString(),
          updatedAt: createdAt.toISOString(),
          uploadExpiresAt: record.uploadExpiresAt?.toISOString(),
          handoffAt: record.handoffAt?.toISOString(),
          sizeBytes: record.sizeBytes,
          attempts: 0,
          expiresAt: personalDataExpiresAt(date, this.retentionDays),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(ref: ListRef): Promise<ListRecord | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: listKey(ref.campaignId, ref.date, ref.listId),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : ListRecordSchema.parse(Item);
  }

  /** The lists uploaded for a run, oldest first. */
  async listForRun(campaignId: string, date: string): Promise<ListRecord[]> {
    const records = await queryAll(
      this.client,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': runPartition(campaignId, date), ':prefix': LIST_PREFIX },
      },
      (item) => ListRecordSchema.parse(item),
    );
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** The file of an `upload-url` list arrived: AWAITING_UPLOAD → RECEIVED (no change in any other status). */
  async markReceived(ref: ListRef, sizeBytes: number, at: Date): Promise<void> {
    await this.update(ref, {
      set: { status: 'RECEIVED', sizeBytes, updatedAt: at.toISOString() },
      condition: '#status = :awaiting',
      values: { ':awaiting': 'AWAITING_UPLOAD' },
    }).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  /**
   * Starts (or restarts) an import: status IMPORTING, one more attempt. Returns false, changing nothing, when the
   * list is already DONE or does not exist.
   */
  async startImport(ref: ListRef, at: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: listKey(ref.campaignId, ref.date, ref.listId),
          UpdateExpression:
            'SET #status = :importing, updatedAt = :at, startedAt = if_not_exists(startedAt, :at), ' +
            'runningSince = :at, heartbeatAt = :at ' +
            'ADD attempts :one REMOVE #error, finishedAt',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :done',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: { ':importing': 'IMPORTING', ':done': 'DONE', ':at': at.toISOString(), ':one': 1 },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** The running import is alive. */
  async heartbeat(ref: ListRef, at: Date): Promise<void> {
    await this.update(ref, {
      set: { heartbeatAt: at.toISOString() },
      condition: '#status = :importing',
      values: { ':importing': 'IMPORTING' },
    }).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  /** The running import stopped cleanly before the end (time ran out); the next run continues. */
  async release(ref: ListRef, at: Date): Promise<void> {
    await this.update(ref, { set: { updatedAt: at.toISOString() }, remove: ['runningSince', 'heartbeatAt'] });
  }

  /** Counts so far, for `GET .../lists/{listId}` while the import runs. */
  async recordProgress(ref: ListRef, progress: ListImportProgress, at: Date): Promise<void> {
    await this.update(ref, {
      set: { progress, updatedAt: at.toISOString() },
      condition: '#status = :importing',
      values: { ':importing': 'IMPORTING' },
    }).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  /** The import finished: DONE with its summary and the key of the rejected-rows CSV. */
  async complete(ref: ListRef, summary: ListImportSummary, rejectedKey: string, at: Date): Promise<void> {
    await this.update(ref, {
      set: { status: 'DONE', summary, rejectedKey, finishedAt: at.toISOString(), updatedAt: at.toISOString() },
      remove: ['progress', 'error', 'handoffAt', 'runningSince', 'heartbeatAt'],
    });
  }

  /** The import was refused or broke off. A list that is already DONE stays DONE. */
  async fail(ref: ListRef, failure: ListFailure, at: Date): Promise<void> {
    await this.update(ref, {
      set: { status: 'FAILED', error: failure, finishedAt: at.toISOString(), updatedAt: at.toISOString() },
      remove: ['handoffAt', 'runningSince', 'heartbeatAt'],
      condition: '#status <> :done',
      values: { ':done': 'DONE' },
    }).catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  }

  /** The API call that received the file gives the rest of the import to the upload event, now. */
  async handOff(ref: ListRef, at: Date): Promise<void> {
    await this.update(ref, { set: { handoffAt: at.toISOString(), updatedAt: at.toISOString() } });
  }

  /** For each of `phones` that has a contact in the run: the list that created it. */
  async listIdsOf(
    campaignId: string,
    date: string,
    phones: readonly string[],
  ): Promise<Map<string, string | undefined>> {
    const items = await batchGetItems(
      this.client,
      this.tableName,
      phones.map((phone) => contactKey(campaignId, date, phone)),
      ['listId'],
    );
    return new Map(
      items.map((item) => [
        String(item.sk).slice(CONTACT_PREFIX.length),
        typeof item.listId === 'string' ? item.listId : undefined,
      ]),
    );
  }

  private async update(
    ref: ListRef,
    change: { set: Record<string, unknown>; remove?: string[]; condition?: string; values?: Record<string, unknown> },
  ): Promise<void> {
    const names: Record<string, string> = change.condition?.includes('#status') ? { '#status': 'status' } : {};
    const values: Record<string, unknown> = { ...change.values };
    const sets = Object.entries(change.set).map(([name, value], index) => {
      names[`#s${index}`] = name;
      values[`:s${index}`] = value;
      return `#s${index} = :s${index}`;
    });
    const removes = (change.remove ?? []).map((name, index) => {
      names[`#r${index}`] = name;
      return `#r${index}`;
    });
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: listKey(ref.campaignId, ref.date, ref.listId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression:
          change.condition === undefined ? 'attribute_exists(pk)' : `attribute_exists(pk) AND ${change.condition}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }
}
