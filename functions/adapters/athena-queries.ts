/**
 * SQL queries on Athena (engine v3) through SDK v3: start in the analytics workgroup (its result location,
 * encryption and bytes-scanned limit apply), wait for the end, read every page of results. Locally the same calls go
 * to the local Athena endpoint on DuckDB (`AWS_ENDPOINT_URL_ATHENA`); nothing here knows which.
 */
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { athenaClient } from './aws-clients.ts';

export interface QueryResult {
  queryExecutionId: string;
  columns: Array<{ name: string; type: string }>;
  /** Cells as Athena returns them: text, or null. */
  rows: Array<Array<string | null>>;
  bytesScanned: number;
  /** When the query was submitted (its data is at least this fresh). */
  submittedAt: Date;
}

export class AnalyticsQueryError extends Error {
  readonly queryExecutionId: string | undefined;
  readonly state: string;
  constructor(message: string, state: string, queryExecutionId?: string) {
    super(message);
    this.name = 'AnalyticsQueryError';
    this.state = state;
    this.queryExecutionId = queryExecutionId;
  }
}

/** Pauses between polls: quick at first (most analyses take a second or two), then once a second. */
const POLL_DELAYS_MS = [0, 100, 200, 300, 500, 700, 1_000];
const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

export class AthenaQueries {
  private readonly database: string;
  private readonly workGroup: string;
  private readonly client: typeof athenaClient;

  constructor(database: string, workGroup: string, client = athenaClient) {
    this.database = database;
    this.workGroup = workGroup;
    this.client = client;
  }

  /**
   * Runs one query and returns all its rows.
   * @throws AnalyticsQueryError when it fails, is cancelled, or has not ended within `timeoutMs`.
   */
  async run(sql: string, timeoutMs = 25_000): Promise<QueryResult> {
    const deadline = Date.now() + timeoutMs;
    const { QueryExecutionId: id } = await this.client.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: this.database },
        WorkGroup: this.workGroup,
      }),
    );
    if (id === undefined) throw new AnalyticsQueryError('Athena returned no query id', 'UNKNOWN');
    let bytesScanned = 0;
    let submittedAt = new Date();
    for (let poll = 0; ; poll++) {
      await sleep(POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)] ?? 1_000);
      const { QueryExecution } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }));
      const state = QueryExecution?.Status?.State ?? 'UNKNOWN';
      submittedAt = QueryExecution?.Status?.SubmissionDateTime ?? submittedAt;
      if (state === 'SUCCEEDED') {
        bytesScanned = QueryExecution?.Statistics?.DataScannedInBytes ?? 0;
        break;
      }
      if (state === 'FAILED' || state === 'CANCELLED') {
        const reason = QueryExecution?.Status?.AthenaError?.ErrorMessage ?? QueryExecution?.Status?.StateChangeReason;
        throw new AnalyticsQueryError(`query ${state.toLowerCase()}: ${reason ?? 'no reason given'}`, state, id);
      }
      if (Date.now() > deadline) {
        // Nobody waits for it any more: stop it rather than pay for its scan.
        await this.client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
        throw new AnalyticsQueryError(`query still ${state.toLowerCase()} after ${timeoutMs} ms`, state, id);
      }
    }
    const columns: QueryResult['columns'] = [];
    const rows: QueryResult['rows'] = [];
    let token: string | undefined;
    let first = true;
    do {
      const page: GetQueryResultsCommandOutput = await this.client.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: 1_000 }),
      );
      if (first) {
        for (const info of page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []) {
          columns.push({ name: info.Name ?? '', type: info.Type ?? 'varchar' });
        }
      }
      // The first row of the first page repeats the column names.
      const data = (page.ResultSet?.Rows ?? []).slice(first ? 1 : 0);
      for (const row of data) rows.push((row.Data ?? []).map((cell) => cell.VarCharValue ?? null));
      first = false;
      token = page.NextToken;
    } while (token !== undefined);
    return { queryExecutionId: id, columns, rows, bytesScanned, submittedAt };
  }
}
