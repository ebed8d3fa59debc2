/**
 * Fact files in the reports bucket: Parquet under `analytics/<table>/campaign=<id>/date=<run date>/`, written with
 * hyparquet-writer and read back (for compaction) with hyparquet, both pure JavaScript: nothing native to build for
 * Lambda's arm64, a small bundle, and the same code on a laptop (docs/analytics.md, "Parquet").
 */
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { parquetReadObjects } from 'hyparquet';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import {
  ANALYTICS_PREFIX,
  type FactColumnType,
  partitionPrefix,
  STORED_TABLES,
  type StoredTableName,
} from '../core/analytics/fact-tables.ts';
import type { FactRow, FactValue } from '../core/analytics/facts.ts';
import { s3Client } from './aws-clients.ts';

const PARQUET_TYPES: Record<FactColumnType, NonNullable<ColumnSource['type']>> = {
  string: 'STRING',
  bigint: 'INT64',
  int: 'INT32',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

/** Rows per row group: a partition's day at the reference load is one or two groups; readers skip groups by stats. */
const ROW_GROUP_SIZE = 100_000;

/** A table's rows as one Parquet file (Snappy, statistics on), columns in the table's declared order. */
export function encodeFacts(table: StoredTableName, rows: readonly FactRow[]): Uint8Array {
  const columnData: ColumnSource[] = STORED_TABLES[table].columns.map((column) => ({
    name: column.name,
    type: PARQUET_TYPES[column.type],
    data: rows.map((row) => cell(row[column.name], column.type)),
    nullable: true,
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: ROW_GROUP_SIZE }));
}

function cell(value: FactValue | undefined, type: FactColumnType): FactValue {
  if (value === undefined || value === null) return null;
  // Read back from a file, INT64 is a bigint and INT32 a number; keep each column's own JavaScript type.
  if (type === 'bigint') return typeof value === 'bigint' ? value : BigInt(String(value));
  return value;
}

/** The rows of a fact file, each column as the table declares it (a column missing from an old file is null). */
export async function decodeFacts(table: StoredTableName, bytes: Uint8Array): Promise<FactRow[]> {
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const objects = (await parquetReadObjects({ file: buffer as ArrayBuffer })) as Array<Record<string, unknown>>;
  const columns = STORED_TABLES[table].columns;
  return objects.map((object) => {
    const row: FactRow = {};
    for (const column of columns) row[column.name] = toFactValue(object[column.name]);
    return row;
  });
}

function toFactValue(value: unknown): FactValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean' ||
    value instanceof Date
  ) {
    return value;
  }
  return null;
}

export interface FactObject {
  key: string;
  size: number;
}

export class FactFiles {
  private readonly bucket: string;
  private readonly client: typeof s3Client;

  constructor(bucket: string, client = s3Client) {
    this.bucket = bucket;
    this.client = client;
  }

  /** Writes one file of a partition; returns its key and size. */
  async write(
    table: StoredTableName,
    campaignId: string,
    date: string,
    fileName: string,
    rows: readonly FactRow[],
  ): Promise<FactObject> {
    const key = `${partitionPrefix(table, campaignId, date)}${fileName}`;
    const body = encodeFacts(table, rows);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/vnd.apache.parquet',
      }),
    );
    return { key, size: body.byteLength };
  }

  /** The objects under a prefix (every page). */
  async list(prefix: string): Promise<FactObject[]> {
    const objects: FactObject[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) objects.push({ key: object.Key, size: object.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return objects;
  }

  /** The folder names one level below a prefix (`campaign=demo/` under `analytics/attempts/`). */
  async folders(prefix: string): Promise<string[]> {
    const folders: string[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: '/', ContinuationToken: token }),
      );
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix !== undefined) folders.push(common.Prefix.slice(prefix.length).replace(/\/$/, ''));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return folders;
  }

  /** The partitions of a table: `{ campaignId, date }` for every `campaign=…/date=…/` folder. */
  async partitions(table: StoredTableName): Promise<Array<{ campaignId: string; date: string }>> {
    const tablePrefix = `${ANALYTICS_PREFIX}${table}/`;
    const partitions: Array<{ campaignId: string; date: string }> = [];
    for (const campaignFolder of await this.folders(tablePrefix)) {
      const campaignId = /^campaign=(.+)$/.exec(campaignFolder)?.[1];
      if (campaignId === undefined) continue;
      for (const dateFolder of await this.folders(`${tablePrefix}${campaignFolder}/`)) {
        const date = /^date=(\d{4}-\d{2}-\d{2})$/.exec(dateFolder)?.[1];
        if (date !== undefined) partitions.push({ campaignId, date });
      }
    }
    return partitions;
  }

  /** The rows of one fact file. */
  async read(table: StoredTableName, key: string): Promise<FactRow[]> {
    const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (object.Body === undefined) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return decodeFacts(table, await object.Body.transformToByteArray());
  }

  /** Deletes objects, 1,000 a request; a key already gone is not an error. */
  async remove(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1_000) {
      const chunk = keys.slice(start, start + 1_000);
      const result = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
        }),
      );
      const failed = (result.Errors ?? []).filter((error) => error.Code !== 'NoSuchKey');
      if (failed.length > 0) {
        throw new Error(`could not delete ${failed.length} fact files, e.g. ${failed[0]?.Key}: ${failed[0]?.Message}`);
      }
    }
  }
}
