/**
 * Local Athena: the Athena API subset the engine calls (StartQueryExecution, GetQueryExecution, GetQueryResults with
 * pagination, StopQueryExecution), answering as Athena does, on DuckDB (`@duckdb/node-api`) over local copies of the
 * Parquet files in the local S3. Its tables and views are the Glue definitions of the packaged template
 * (local/athena/catalog.ts), so the engine's SDK v3 client cannot tell the difference; it is reached through
 * `AWS_ENDPOINT_URL_ATHENA`.
 *
 * Differences from Athena, none visible to the engine: queries run one at a time; results stay in memory (no CSV in
 * the output location); `DataScannedInBytes` is estimated from DuckDB's profile (the compressed bytes of the columns
 * each scan read, in the share of files it read); GetQueryExecution waits up to a second for a running query to
 * finish before answering, so a client that polls sees the end without sleeping locally.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBResultReader } from '@duckdb/node-api';
import { listen, type RunningServer, sendJson } from '../http-server.ts';
import { buildCatalog, filesViewSql, type GlueTableInput, prestoViewSql, tableLocation } from './catalog.ts';
import { S3FileCache } from './file-cache.ts';

/** Local copies of the tables' files (S3FileCache in the local cloud). */
export interface TableFiles {
  /** Brings the copies of `s3://bucket/prefix…` up to date; their local paths. */
  sync(bucket: string, prefix: string): Promise<string[]>;
  /** Compressed bytes of these columns in a copy. */
  bytesOf(path: string, columns: readonly string[]): number;
  /** Every copy under a local folder. */
  pathsUnder(folder: string): string[];
  /** The local folder of `s3://bucket/prefix`. */
  folderOf(bucket: string, prefix: string): string;
}

export interface AthenaEndpointOptions {
  port: number;
  region: string;
  /** The local S3 the fact files are in (when `files` is not given). */
  s3Endpoint: string;
  /** Where the files are read from; by default copies of the local S3's objects in `cacheDirectory`. */
  files?: TableFiles;
  catalog: { database: string; tables: readonly GlueTableInput[] };
  /** Where local copies of the files are kept. */
  cacheDirectory: string;
  /** Workgroups the template declares (any other name is refused, as in Athena). */
  workGroups: readonly string[];
  /** DuckDB threads (default: DuckDB's own choice). */
  threads?: number;
}

type State = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

interface Execution {
  id: string;
  query: string;
  database: string;
  workGroup: string;
  state: State;
  reason?: string;
  submittedAt: number;
  startedAt?: number;
  completedAt?: number;
  bytesScanned: number;
  columns: Array<{ name: string; type: string }>;
  rows: Array<Array<string | null>>;
  done: Promise<void>;
}

class ServiceError extends Error {
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = type;
    this.status = status;
  }
}

const MAX_KEPT = 500;
const LONG_POLL_MS = 1_000;

/** Athena's name of a DuckDB result type. */
export function athenaType(duckDbType: string): string {
  const type = duckDbType.toUpperCase();
  if (type === 'VARCHAR') return 'varchar';
  if (['BIGINT', 'HUGEINT', 'UBIGINT', 'UINTEGER'].includes(type)) return 'bigint';
  if (['INTEGER', 'SMALLINT', 'TINYINT', 'USMALLINT', 'UTINYINT'].includes(type)) return 'integer';
  if (['DOUBLE', 'FLOAT'].includes(type)) return 'double';
  if (type.startsWith('DECIMAL')) return 'decimal';
  if (type === 'BOOLEAN') return 'boolean';
  if (type.startsWith('TIMESTAMP')) return 'timestamp';
  if (type === 'DATE') return 'date';
  return 'varchar';
}

/** A cell as Athena returns it: text, or absent for NULL. */
function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

export async function startAthenaEndpoint(options: AthenaEndpointOptions): Promise<RunningServer> {
  const { catalog } = options;
  const tablesByName = new Map(catalog.tables.map((table) => [table.Name, table]));
  const s3 = new S3Client({
    endpoint: options.s3Endpoint,
    region: options.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  rmSync(options.cacheDirectory, { recursive: true, force: true });
  mkdirSync(options.cacheDirectory, { recursive: true });
  const cache: TableFiles = options.files ?? new S3FileCache(s3, join(options.cacheDirectory, 'objects'));
  const profileFile = join(options.cacheDirectory, 'profile.json');
  const instance = await DuckDBInstance.create(':memory:', options.threads ? { threads: String(options.threads) } : {});
  const connection = await instance.connect();
  await buildCatalog(connection, catalog, () => []);
  await connection.run(`PRAGMA enable_profiling = 'json'`);
  await connection.run(`PRAGMA profiling_output = '${profileFile.replaceAll("'", "''")}'`);

  const executions = new Map<string, Execution>();
  /** The file list each files table is defined over now. */
  const defined = new Map<string, string>();
  const byToken = new Map<string, string>();
  let queue: Promise<void> = Promise.resolve();

  /**
   * The files tables a query may read, directly or through views: every catalogue name the SQL mentions as a word
   * (a column of the same name only adds a table to sync). DuckDB's own table-name extraction sees through views
   * already created, so it cannot be used once the catalogue exists.
   */
  function filesTablesOf(sql: string, seen = new Set<string>()): Set<string> {
    const found = new Set<string>();
    for (const [name, table] of tablesByName) {
      if (seen.has(name) || !new RegExp(`\\b${name}\\b`).test(sql)) continue;
      seen.add(name);
      if (table.TableType === 'EXTERNAL_TABLE') found.add(name);
      else for (const inner of filesTablesOf(prestoViewSql(table), seen)) found.add(inner);
    }
    return found;
  }

  async function run(execution: Execution): Promise<void> {
    execution.state = 'RUNNING';
    execution.startedAt = Date.now();
    try {
      // The files of the tables the query reads, listed now (in parallel); a files table is redefined only when its
      // files changed (the views over it bind at query time).
      const referenced = [...filesTablesOf(execution.query)].flatMap((name) => tablesByName.get(name) ?? []);
      const listed = await Promise.all(
        referenced.map((table) => {
          const { bucket, prefix } = tableLocation(table);
          return cache.sync(bucket, prefix);
        }),
      );
      for (const [index, table] of referenced.entries()) {
        const files = listed[index] ?? [];
        const signature = files.join('\n');
        if (defined.get(table.Name) === signature) continue;
        await connection.run(filesViewSql(catalog.database, table, files));
        defined.set(table.Name, signature);
      }
      await connection.run(`SET schema = '${execution.database.replaceAll("'", "''")}'`);
      rmSync(profileFile, { force: true });
      const reader: DuckDBResultReader = await connection.runAndReadAll(execution.query);
      execution.columns = reader.columnNames().map((name, index) => ({
        name,
        type: athenaType(reader.columnType(index).toString()),
      }));
      execution.rows = reader.getRowsJson().map((row) => row.map(cellText));
      execution.bytesScanned = scannedBytes(profileFile, cache);
      execution.state = 'SUCCEEDED';
    } catch (error) {
      execution.state = 'FAILED';
      execution.reason = (error as Error).message;
    } finally {
      execution.completedAt = Date.now();
    }
  }

  function start(body: Record<string, unknown>) {
    const query = typeof body.QueryString === 'string' ? body.QueryString : '';
    if (query.trim() === '') throw new ServiceError('InvalidRequestException', 'QueryString is required');
    const workGroup = typeof body.WorkGroup === 'string' ? body.WorkGroup : 'primary';
    if (!options.workGroups.includes(workGroup)) {
      throw new ServiceError('InvalidRequestException', `WorkGroup ${workGroup} is not found.`);
    }
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    const existing = token === undefined ? undefined : byToken.get(token);
    if (existing !== undefined) return { QueryExecutionId: existing };
    const context = (body.QueryExecutionContext ?? {}) as { Database?: unknown };
    const execution: Execution = {
      id: randomUUID(),
      query,
      database: typeof context.Database === 'string' ? context.Database : 'default',
      workGroup,
      state: 'QUEUED',
      submittedAt: Date.now(),
      bytesScanned: 0,
      columns: [],
      rows: [],
      done: Promise.resolve(),
    };
    execution.done = queue.then(() => run(execution));
    queue = execution.done;
    executions.set(execution.id, execution);
    if (token !== undefined) byToken.set(token, execution.id);
    for (const old of [...executions.keys()].slice(0, Math.max(0, executions.size - MAX_KEPT))) executions.delete(old);
    return { QueryExecutionId: execution.id };
  }

  function find(body: Record<string, unknown>): Execution {
    const execution = executions.get(String(body.QueryExecutionId ?? ''));
    if (execution === undefined) {
      throw new ServiceError(
        'InvalidRequestException',
        `QueryExecution ${String(body.QueryExecutionId)} was not found`,
      );
    }
    return execution;
  }

  async function describe(body: Record<string, unknown>) {
    const execution = find(body);
    if (execution.state === 'QUEUED' || execution.state === 'RUNNING') {
      await Promise.race([execution.done, new Promise((resolve) => setTimeout(resolve, LONG_POLL_MS))]);
    }
    const seconds = (milliseconds: number | undefined) =>
      milliseconds === undefined ? undefined : milliseconds / 1000;
    return {
      QueryExecution: {
        QueryExecutionId: execution.id,
        Query: execution.query,
        StatementType: 'DML',
        QueryExecutionContext: { Database: execution.database, Catalog: 'AwsDataCatalog' },
        WorkGroup: execution.workGroup,
        EngineVersion: {
          SelectedEngineVersion: 'Athena engine version 3',
          EffectiveEngineVersion: 'Athena engine version 3',
        },
        Status: {
          State: execution.state,
          StateChangeReason: execution.reason,
          SubmissionDateTime: seconds(execution.submittedAt),
          CompletionDateTime: seconds(execution.completedAt),
          ...(execution.state === 'FAILED' && {
            AthenaError: { ErrorCategory: 2, ErrorType: 1006, Retryable: false, ErrorMessage: execution.reason },
          }),
        },
        Statistics: {
          DataScannedInBytes: execution.bytesScanned,
          EngineExecutionTimeInMillis:
            execution.completedAt && execution.startedAt ? execution.completedAt - execution.startedAt : 0,
          TotalExecutionTimeInMillis: (execution.completedAt ?? Date.now()) - execution.submittedAt,
          QueryQueueTimeInMillis: (execution.startedAt ?? Date.now()) - execution.submittedAt,
        },
      },
    };
  }

  function results(body: Record<string, unknown>) {
    const execution = find(body);
    if (execution.state !== 'SUCCEEDED') {
      throw new ServiceError(
        'InvalidRequestException',
        `Query has not yet finished. Current state: ${execution.state}${execution.reason ? ` (${execution.reason})` : ''}`,
      );
    }
    const maxResults = Math.min(1_000, Math.max(1, Number(body.MaxResults ?? 1_000)));
    const offset = typeof body.NextToken === 'string' ? Number(body.NextToken) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw new ServiceError('InvalidRequestException', 'invalid NextToken');
    // The first page starts with a row of the column names, and it counts towards MaxResults.
    const header = offset === 0 ? [execution.columns.map((column) => column.name)] : [];
    const take = maxResults - header.length;
    const page = execution.rows.slice(offset, offset + take);
    const next = offset + page.length;
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: [...header, ...page].map((row) => ({
          Data: row.map((cell) => (cell === null ? {} : { VarCharValue: cell })),
        })),
        ResultSetMetadata: {
          ColumnInfo: execution.columns.map((column) => ({
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Name: column.name,
            Label: column.name,
            Type: column.type,
            Precision: 0,
            Scale: 0,
            Nullable: 'UNKNOWN',
            CaseSensitive: column.type === 'varchar',
          })),
        },
      },
      ...(next < execution.rows.length && { NextToken: String(next) }),
    };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartQueryExecution: start,
    GetQueryExecution: describe,
    GetQueryResults: results,
    StopQueryExecution: (body) => {
      const execution = find(body);
      if (execution.state === 'QUEUED') execution.state = 'CANCELLED';
      return {};
    },
  };

  const server = await listen(options.port, async (request, body, response) => {
    if (request.method === 'GET') {
      sendJson(response, 200, { status: 'ok', database: catalog.database, tables: [...tablesByName.keys()] });
      return;
    }
    const target = String(request.headers['x-amz-target'] ?? '');
    try {
      const operation = operations[target.replace(/^AmazonAthena\./, '')];
      if (operation === undefined) throw new ServiceError('UnknownOperationException', `unsupported: ${target}`);
      const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new ServiceError('InvalidRequestException', 'request body must be a JSON object');
      }
      sendJson(response, 200, await operation(parsed as Record<string, unknown>), {
        'content-type': 'application/x-amz-json-1.1',
      });
    } catch (error) {
      const status = error instanceof ServiceError ? error.status : 500;
      const type = error instanceof ServiceError ? error.name : 'InternalServerException';
      sendJson(
        response,
        status,
        { __type: type, Message: (error as Error).message },
        {
          'content-type': 'application/x-amz-json-1.1',
        },
      );
    }
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      await queue.catch(() => undefined);
      connection.closeSync();
      instance.closeSync();
      s3.destroy();
    },
  };
}

/** Compressed bytes of the columns each Parquet scan in the last profile read, in the share of its files it read. */
function scannedBytes(profileFile: string, cache: TableFiles): number {
  let profile: unknown;
  try {
    profile = JSON.parse(readFileSync(profileFile, 'utf8'));
  } catch {
    return 0;
  }
  let total = 0;
  const visit = (node: unknown) => {
    if (typeof node !== 'object' || node === null) return;
    const { extra_info: extra, children } = node as { extra_info?: Record<string, unknown>; children?: unknown[] };
    if (extra?.Function === 'READ_PARQUET') total += scanBytes(extra, cache);
    for (const child of children ?? []) visit(child);
  };
  visit(profile);
  return Math.round(total);
}

function scanBytes(extra: Record<string, unknown>, cache: TableFiles): number {
  const projections = Array.isArray(extra.Projections)
    ? extra.Projections.map(String)
    : String(extra.Projections ?? '')
        .split(/[\n,]/)
        .map((name) => name.trim());
  const columns = projections.filter((name) => name !== '' && name !== 'filename');
  const read = Number(extra['Total Files Read'] ?? 0);
  const [first] = String(extra['Filename(s)'] ?? '').split(', ');
  if (read === 0 || first === undefined || columns.length === 0) return 0;
  // All files of the scan's table: the folder of `analytics/<table>/`.
  const folder = /^(.*\/analytics\/[a-z_]+\/)/.exec(first)?.[1];
  const files = folder === undefined ? [first] : cache.pathsUnder(folder);
  if (files.length === 0) return 0;
  const all = files.reduce((sum, path) => sum + cache.bytesOf(path, columns), 0);
  return (all * Math.min(read, files.length)) / files.length;
}
