/**
 * Fact files on a local directory (real Parquet, as the S3 adapter encodes it) and DuckDB over them with the
 * catalogue the template declares (config/analytics-catalog.cjs), so tests run the real views on real files without
 * a network. `afterChange` lets a test look at every intermediate state (every query during a compaction).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { filesTableInput, viewTableInput } from '../../../../config/analytics-catalog.cjs';
import { decodeFacts, encodeFacts } from '../../../../functions/adapters/fact-files.ts';
import {
  partitionPrefix,
  STORED_TABLE_NAMES,
  type StoredTableName,
} from '../../../../functions/core/analytics/fact-tables.ts';
import type { FactRow } from '../../../../functions/core/analytics/facts.ts';
import type { FactObject, FactStorage } from '../../../../functions/use-cases/analytics/compact-facts.ts';
import { buildCatalog, GlueTableInputSchema, tableLocation } from '../../../../local/athena/catalog.ts';

export const BUCKET = 'reports';
export const DATABASE = 'analytics_test';

export class DirectoryFactStorage implements FactStorage {
  readonly root: string;
  afterChange: () => Promise<void> = async () => undefined;
  failWrites: (table: StoredTableName, campaignId: string) => boolean = () => false;

  constructor(root = mkdtempSync(join(tmpdir(), 'facts-'))) {
    this.root = root;
  }

  private path(key: string): string {
    return join(this.root, BUCKET, key);
  }

  async write(table: StoredTableName, campaignId: string, date: string, fileName: string, rows: readonly FactRow[]) {
    if (this.failWrites(table, campaignId)) throw new Error(`injected failure writing ${table} of ${campaignId}`);
    const key = `${partitionPrefix(table, campaignId, date)}${fileName}`;
    const bytes = encodeFacts(table, rows);
    mkdirSync(dirname(this.path(key)), { recursive: true });
    writeFileSync(this.path(key), bytes);
    await this.afterChange();
    return { key, size: bytes.byteLength };
  }

  async list(prefix: string): Promise<FactObject[]> {
    return this.allKeys()
      .filter((key) => key.startsWith(prefix))
      .map((key) => ({ key, size: statSync(this.path(key)).size }));
  }

  async partitions(table: StoredTableName) {
    const found = new Map<string, { campaignId: string; date: string }>();
    for (const key of this.allKeys()) {
      const match = new RegExp(`^analytics/${table}/campaign=([^/]+)/date=([^/]+)/`).exec(key);
      if (match?.[1] !== undefined && match[2] !== undefined) {
        found.set(`${match[1]}/${match[2]}`, { campaignId: match[1], date: match[2] });
      }
    }
    return [...found.values()];
  }

  async read(table: StoredTableName, key: string): Promise<FactRow[]> {
    return decodeFacts(table, readFileSync(this.path(key)));
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const key of keys) rmSync(this.path(key), { force: true });
    if (keys.length > 0) await this.afterChange();
  }

  /** Every object key, sorted. */
  allKeys(): string[] {
    const base = join(this.root, BUCKET);
    const keys: string[] = [];
    const walk = (directory: string) => {
      let entries: string[] = [];
      try {
        entries = readdirSync(directory);
      } catch {
        return;
      }
      for (const entry of entries) {
        const path = join(directory, entry);
        if (statSync(path).isDirectory()) walk(path);
        else keys.push(relative(base, path).split('\\').join('/'));
      }
    };
    walk(base);
    return keys.sort();
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** The catalogue's Glue tables, as the template declares them for this test's bucket and database. */
export function testCatalog() {
  const settings = { bucket: BUCKET, database: DATABASE, retentionDays: 90 };
  return {
    database: DATABASE,
    tables: STORED_TABLE_NAMES.flatMap((table) => [
      GlueTableInputSchema.parse(filesTableInput(table, settings)),
      GlueTableInputSchema.parse(viewTableInput(table, settings)),
    ]),
  };
}

/** DuckDB with the catalogue over the storage's current files. */
export class FactQueries {
  private readonly storage: DirectoryFactStorage;
  private connection: DuckDBConnection | undefined;

  constructor(storage: DirectoryFactStorage) {
    this.storage = storage;
  }

  async rows(sql: string): Promise<Array<Record<string, unknown>>> {
    this.connection ??= await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
    const connection = this.connection;
    const catalog = testCatalog();
    await buildCatalog(connection, catalog, (table) => {
      const { prefix } = tableLocation(table);
      return this.storage
        .allKeys()
        .filter((key) => key.startsWith(prefix))
        .map((key) => join(this.storage.root, BUCKET, key));
    });
    await connection.run(`SET schema = '${DATABASE}'`);
    const reader = await connection.runAndReadAll(sql);
    return reader.getRowObjectsJS();
  }

  close(): void {
    this.connection?.closeSync();
    this.connection = undefined;
  }
}

/**
 * The latest_answers view's rows and, as the reference, each contact's latest answer per question computed from the
 * answers view (the answer of the highest attempt), both as sorted `contact/question/attempt/key/run date` strings.
 */
export async function latestAnswersAndReference(
  queries: FactQueries,
): Promise<{ latest: string[]; reference: string[] }> {
  const row = (answer: Record<string, unknown>) =>
    `${answer.contact_key}/${answer.question_id}/${answer.attempt}/${answer.answer_key}/${answer.run_date}`;
  const latest = (await queries.rows('SELECT * FROM latest_answers')).map(row).sort();
  const reference = (
    await queries.rows(
      [
        'SELECT * FROM (',
        '  SELECT a.*, row_number() OVER (PARTITION BY campaign, run_date, contact_key, question_id ORDER BY attempt DESC) AS n',
        '  FROM answers a',
        ') WHERE n = 1',
      ].join('\n'),
    )
  )
    .map(row)
    .sort();
  return { latest, reference };
}
