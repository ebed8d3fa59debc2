/**
 * `campaign upload <file>`: imports a day's list and reports what was accepted and rejected.
 * - Small files go as the body of POST /campaigns/{id}/lists (the import runs within the request).
 * - Larger ones (or `--large`) get an upload URL (POST …/lists/upload-url), are PUT there streaming, and the
 *   import is followed with GET …/lists/{listId} until it is DONE or FAILED.
 * Exits 3 when more than `--max-reject-rate` of the rows were rejected.
 */
import { createReadStream } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ApiClient, apiErrorOf, apiPath, parseAnswer, unreachable } from '../api-client.ts';
import { type ListView, ListViewSchema, UploadUrlSchema } from '../api-schemas.ts';
import {
  type CommandSpec,
  dateOption,
  integerOption,
  percentOption,
  requiredOption,
  stringOption,
} from '../command-line.ts';
import { ApiError, CliError, EXIT, formatError, helpHint, UsageError } from '../errors.ts';
import { fileSize, readInputFile } from '../files.ts';
import { formatBytes, formatPercent } from '../format.ts';
import { createProgress, type Progress } from '../progress.ts';
import { isLocalApi } from '../signing.ts';
import { downloadRejected, rejectRate, renderListSummary } from './lists.ts';

/**
 * Files up to this size go as the request body. The API takes 6 MB, but Lambda's 6 MB request limit counts the
 * body base64-encoded for a workbook (4/3 larger) plus the event around it.
 */
export const DEFAULT_SMALL_LIMIT = 4_000_000;
const DEFAULT_MAX_REJECT_PERCENT = 5;
const POLL_MS = 1_000;
/** How long an uploaded file may wait for its import to start before the CLI gives up waiting. */
const START_TIMEOUT_MS = 5 * 60_000;

export type ListFormat = 'csv' | 'xlsx';

/**
 * The list's format: `--format`, else the file extension (`.xlsx` a workbook, anything else CSV).
 * @throws CliError for an old `.xls` workbook, UsageError for an unknown `--format`.
 */
export function listFormat(file: string, option: string | undefined): ListFormat {
  if (option !== undefined) {
    if (option === 'csv' || option === 'xlsx') return option;
    throw new UsageError(`--format ${option} is not a list format`, 'use --format csv or --format xlsx');
  }
  const extension = extname(file).toLowerCase();
  if (extension === '.xls') {
    throw new CliError(`${file} is an old Excel .xls workbook, which is not read`, {
      hint: 'in Excel use Save As → "Excel Workbook (*.xlsx)" or "CSV UTF-8 (Comma delimited) (*.csv)"',
    });
  }
  return extension === '.xlsx' ? 'xlsx' : 'csv';
}

/** The data rows of a CSV, estimated from its line breaks (quoted line breaks and blank lines count too). */
export async function estimateCsvRows(file: string): Promise<number | undefined> {
  let lineFeeds = 0;
  let carriageReturns = 0;
  let last = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      for (const byte of chunk) {
        if (byte === 0x0a) lineFeeds += 1;
        else if (byte === 0x0d) carriageReturns += 1;
      }
      last = chunk.at(-1) ?? last;
    }
  } catch {
    return undefined;
  }
  const breaks = lineFeeds > 0 ? lineFeeds : carriageReturns;
  const lines = breaks + (last === 0x0a || last === 0x0d ? 0 : 1);
  return Math.max(0, lines - 1);
}

/**
 * PUTs a file to a presigned URL, streaming it and reporting bytes sent. `headers` are those the API signed into
 * the URL (the exact size, and `if-none-match: *` so a list already uploaded cannot be overwritten).
 */
export async function putFile(
  url: string,
  file: string,
  size: number,
  onBytes: (sent: number) => void,
  headers: Readonly<Record<string, string>> = {},
): Promise<void> {
  const target = new URL(url);
  const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    method: 'PUT',
    headers: { ...headers, 'content-length': String(size) },
  });
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        if (body.length < 2_000) body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  // When the body stream fails first, `pipeline` reports it; the answer's own rejection must not crash the process.
  answer.catch(() => undefined);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      onBytes(sent);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file), counter, request);
    const { status, body } = await answer;
    if (status < 200 || status >= 300) {
      const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
      throw new CliError(`upload to ${target.origin} failed: HTTP ${status}${code === undefined ? '' : ` ${code}`}`, {
        hint:
          status === 412
            ? 'this upload URL was used already (a list is never overwritten): run the command again for a new list'
            : 'upload URLs are valid for an hour and for the file size they were made for: run the command again',
      });
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    // Storage may answer (403 for an expired URL, 400) and close before the whole body is sent: say what it said.
    const early = await Promise.race([
      answer,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200)),
    ]).catch(() => undefined);
    if (early !== undefined && (early.status < 200 || early.status >= 300)) {
      const code = /<Code>([^<]+)<\/Code>/.exec(early.body)?.[1];
      throw new CliError(
        `upload to ${target.origin} failed: HTTP ${early.status}${code === undefined ? '' : ` ${code}`}`,
        {
          hint: 'upload URLs are valid for an hour: run the command again for a fresh one',
        },
      );
    }
    throw unreachable(target, error, isLocalApi(target));
  }
}

/** Follows a list's import until it is DONE or FAILED, showing progress. */
async function followImport(
  client: ApiClient,
  list: Pick<ListView, 'campaignId' | 'listId'>,
  progress: Progress,
  estimatedRows: Promise<number | undefined>,
  note: (text: string) => void,
  timeoutMs: number,
): Promise<ListView> {
  // The file is uploaded: Ctrl-C stops following the import, not the import itself.
  const onInterrupt = () => {
    progress.stop();
    note(
      `the import of list ${list.listId} continues; follow it with \`campaign lists get ${list.listId} --campaign ${list.campaignId}\``,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await pollImport(client, list, progress, estimatedRows, timeoutMs);
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/**
 * Asks for the list until its import is DONE or FAILED.
 * @throws CliError when the import has not started within 5 minutes, or not ended within `timeoutMs` (it continues on
 * the server: the error says how to follow it).
 */
export async function pollImport(
  client: Pick<ApiClient, 'json'>,
  list: Pick<ListView, 'campaignId' | 'listId'>,
  progress: Pick<Progress, 'update'>,
  estimatedRows: Promise<number | undefined>,
  timeoutMs: number,
  clock: { now(): number; sleep(ms: number): Promise<unknown> } = { now: Date.now, sleep },
): Promise<ListView> {
  const path = apiPath`/campaigns/${list.campaignId}/lists/${list.listId}`;
  const followLater = `follow it with \`campaign lists get ${list.listId} --campaign ${list.campaignId}\``;
  const since = clock.now();
  for (;;) {
    const current = await client.json(ListViewSchema, { path });
    if (current.status === 'DONE' || current.status === 'FAILED') return current;
    if (current.status === 'IMPORTING') {
      if (clock.now() - since > timeoutMs) {
        throw new CliError(
          `list ${list.listId} is still importing after ${timeoutMs >= 120_000 ? `${Math.round(timeoutMs / 60_000)} min` : `${Math.round(timeoutMs / 1_000)} s`} (${current.progress?.rows ?? 0} rows so far)`,
          { hint: `the import continues on the server: ${followLater}, or raise --timeout` },
        );
      }
      const total = await estimatedRows;
      progress.update({
        label: 'importing',
        done: current.progress?.rows ?? 0,
        ...(total !== undefined && { total: Math.max(total, current.progress?.rows ?? 0), approximate: true }),
        unit: 'rows',
      });
    } else {
      if (clock.now() - since > START_TIMEOUT_MS) {
        throw new CliError(`list ${list.listId} is still ${current.status}: its import has not started`, {
          hint: `the upload event may be lost; check the import function's logs, then upload again (${followLater})`,
        });
      }
      progress.update({ label: 'waiting for the import to start', done: 0, unit: 'rows' });
    }
    await clock.sleep(POLL_MS);
  }
}

interface UploadInput {
  client: ApiClient;
  campaignId: string;
  date: string;
  file: string;
  format: ListFormat;
  size: number;
  progress: Progress;
  estimatedRows: () => Promise<number | undefined>;
  note: (text: string) => void;
  /** How long to follow an import before giving up (it continues on the server). */
  timeoutMs: number;
}

/** The small path: the file as the request body. Undefined when the API says it is too large for that. */
async function uploadAsBody(input: UploadInput): Promise<ListView | undefined> {
  const { client, campaignId, date, format, progress } = input;
  const body = await readInputFile(input.file);
  progress.update({ label: 'uploading and importing', done: input.size, unit: 'bytes' });
  const path = apiPath`/campaigns/${campaignId}/lists`;
  const response = await client.send({
    method: 'POST',
    path,
    query: { date, format },
    body,
    contentType: format === 'xlsx' ? 'application/octet-stream' : 'text/csv',
  });
  if (response.status === 413) return undefined;
  if (!response.ok && response.status !== 422) throw await apiErrorOf(response, `POST ${path}`);
  const list = parseAnswer(ListViewSchema, await response.json().catch(() => undefined), `POST ${path}`);
  // 202: too large to import within the API's time; the import continues in the background.
  return list.status === 'IMPORTING'
    ? followImport(client, list, progress, input.estimatedRows(), input.note, input.timeoutMs)
    : list;
}

/** The large path: an upload URL, the file PUT there, then the import followed. */
async function uploadThroughUrl(input: UploadInput): Promise<ListView> {
  const { client, campaignId, date, format, progress } = input;
  const estimatedRows = input.estimatedRows();
  const target = await client.json(UploadUrlSchema, {
    method: 'POST',
    path: apiPath`/campaigns/${campaignId}/lists/upload-url`,
    query: { date, format, size: String(input.size) },
  });
  await putFile(
    target.uploadUrl,
    input.file,
    input.size,
    (sent) => progress.update({ label: 'uploading', done: sent, total: input.size, unit: 'bytes' }),
    target.headers,
  );
  return followImport(
    client,
    { campaignId, listId: target.listId },
    progress,
    estimatedRows,
    input.note,
    input.timeoutMs,
  );
}

export const uploadCommand: CommandSpec = {
  name: 'upload',
  summary: "import a day's list (CSV or .xlsx) and show what was accepted and rejected",
  usage: [
    'upload <file.csv|file.xlsx> --campaign <id> [--date YYYY-MM-DD] [--max-reject-rate <percent>]',
    '       [--rejected-out <file>] [--format csv|xlsx] [--large | --small-limit <bytes>]',
  ],
  options: {
    campaign: { type: 'string', value: 'id', description: 'the campaign' },
    date: { type: 'string', value: 'YYYY-MM-DD', description: 'the run the list is for (default today)' },
    'max-reject-rate': {
      type: 'string',
      value: 'percent',
      description: `exit 3 when more than this share of rows is rejected (default ${DEFAULT_MAX_REJECT_PERCENT})`,
    },
    'rejected-out': { type: 'string', value: 'file', description: 'save every rejected row with its reason here' },
    format: { type: 'string', value: 'csv|xlsx', description: 'the file format (default: from the extension)' },
    large: { type: 'boolean', description: 'upload through an upload URL whatever the size' },
    timeout: {
      type: 'string',
      value: 'seconds',
      description: 'stop following the import after this long; it continues on the server (default 3600)',
    },
    'small-limit': {
      type: 'string',
      value: 'bytes',
      description: `largest file sent as the request body (default ${formatBytes(DEFAULT_SMALL_LIMIT)}; 4M, 500k)`,
    },
  },
  details: [
    'The accepted rows are imported whatever the reject rate; exit 3 says the list needs a look.',
    'Example: campaign upload today.csv --campaign demo --rejected-out rejected.csv',
  ],
  async run({ args, values, json, api, out, now }) {
    const [file, ...rest] = args;
    if (file === undefined || rest.length > 0) {
      throw new UsageError('upload takes one file', helpHint('upload'));
    }
    const campaignId = requiredOption(values, 'campaign', 'upload', 'id');
    const date = dateOption(values, now());
    const format = listFormat(file, stringOption(values, 'format'));
    const maxRejectPercent = percentOption(values, 'max-reject-rate', DEFAULT_MAX_REJECT_PERCENT);
    const smallLimit = integerOption(values, 'small-limit', DEFAULT_SMALL_LIMIT);
    const size = await fileSize(file);
    const client = await api();
    const progress = createProgress(out.stderr);
    let estimate: Promise<number | undefined> | undefined;
    const input: UploadInput = {
      client,
      campaignId,
      date,
      file,
      format,
      size,
      progress,
      estimatedRows: () => (estimate ??= format === 'csv' ? estimateCsvRows(file) : Promise.resolve(undefined)),
      note: (text) => out.note(text),
      timeoutMs: integerOption(values, 'timeout', 3_600) * 1_000,
    };
    let list: ListView;
    try {
      const small = values.large !== true && size <= smallLimit ? await uploadAsBody(input) : undefined;
      if (small === undefined && values.large !== true && size <= smallLimit) {
        out.note('the API found the file too large for a request body: uploading it through an upload URL');
      }
      list = small ?? (await uploadThroughUrl(input));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        throw new ApiError(404, error.message, {
          code: error.code,
          hint: 'check the campaign id (`campaign campaigns list`) or store the campaign first (`campaign campaigns put <file>`)',
        });
      }
      throw error;
    } finally {
      progress.stop();
    }
    if (list.status === 'FAILED') {
      throw new CliError(`the list was refused: ${list.error?.message ?? 'no reason given'}`, {
        hint: 'fix the file and upload it again (nothing of it was imported)',
      });
    }
    const rejectedOut = stringOption(values, 'rejected-out');
    if (rejectedOut !== undefined && (list.rejected ?? 0) > 0) await downloadRejected(client, list, rejectedOut);
    const rate = rejectRate(list);
    const exceeded = rate * 100 > maxRejectPercent;
    if (json) {
      out.printJson({
        ...list,
        rejectRate: rate,
        maxRejectRate: maxRejectPercent / 100,
        rejectThresholdExceeded: exceeded,
      });
    } else {
      out.print(
        renderListSummary(
          list,
          now(),
          rejectedOut !== undefined && (list.rejected ?? 0) > 0 ? { rejectedSavedTo: rejectedOut } : {},
        ),
      );
    }
    if (!exceeded) return undefined;
    out.note(
      formatError(
        new CliError(
          `${list.rejected} of ${list.rows} rows rejected (${formatPercent(rate)}), more than --max-reject-rate ${maxRejectPercent} %`,
          {
            hint: `the accepted rows are imported; fix the rejected rows (${rejectedOut ?? `campaign lists rejected ${list.listId} --campaign ${campaignId}`}) and upload them again`,
          },
        ),
      ),
    );
    return EXIT.rejectThreshold;
  },
};
