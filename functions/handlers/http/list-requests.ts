/**
 * Reading list uploads off HTTP requests: path and query schemas, the file's format from its content type, the
 * body's bytes (plain or base64, within Lambda's payload limit), and the 4xx answers for files refused as a whole.
 */
import { z } from 'zod';
import { ListFormatError } from '../../core/import/list-format-error.ts';
import { ListIdSchema } from '../../core/import/list-id.ts';
import type { ListFileFormat } from '../../core/import/list-reader.ts';
import { ListFormatSchema } from '../../core/import/list-record.ts';
import { CallingWindowClosedError } from '../../core/policy/calling-window.ts';
import { isBeyondRetention, latestRunDate } from '../../core/retention.ts';
import { isPastDate } from '../../core/run-clock.ts';
import { badRequest, HttpError, type HttpEvent } from '../../lib/http.ts';

export const CampaignPathSchema = z.object({
  campaignId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'not a campaign id'),
});
export const ListPathSchema = CampaignPathSchema.extend({ listId: ListIdSchema });
/** `?date=YYYY-MM-DD` (the run the list is for) and an optional `&format=csv|xlsx`. */
export const ListQuerySchema = z.object({
  date: z.iso.date('expected a date as YYYY-MM-DD'),
  format: ListFormatSchema.optional(),
});

/**
 * Largest list accepted as a request body. Lambda takes at most 6 MB per synchronous invocation (API Gateway
 * itself refuses bodies over 10 MB); anything larger goes through an upload URL.
 */
export const MAX_LIST_BODY_BYTES = 6_000_000;

/**
 * Largest list accepted through an upload URL (its exact size is signed into the URL). Two million rows, the most
 * one list may hold, take about 100 MB as CSV; a larger file is refused before anything is stored.
 */
export const MAX_LIST_UPLOAD_BYTES = 256_000_000;

const CSV_TYPES = new Set([
  'text/csv',
  'application/csv',
  'text/comma-separated-values',
  'text/plain',
  // What Windows browsers call a .csv file.
  'application/vnd.ms-excel',
]);
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The list's format: `?format=` when given, else the content type. A charset other than UTF-8 is refused here,
 * before the body is looked at.
 * @throws HttpError 415 for content types that are not a list, or a binary type without `?format=`.
 */
export function listFileFormat(contentType: string | undefined, format?: ListFileFormat): ListFileFormat {
  const [type = '', ...parameters] = (contentType ?? '').split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length);
  if (charset !== undefined && !['utf-8', 'utf8', 'us-ascii'].includes(charset.replace(/"/g, ''))) {
    throw new HttpError(
      415,
      'INVALID_ENCODING',
      `the list is sent as ${charset}; only UTF-8 is read: in Excel use Save As → "CSV UTF-8 (Comma delimited) (*.csv)"`,
      [{ path: 'header.content-type', message: `charset ${charset} is not UTF-8` }],
    );
  }
  if (format !== undefined) return format;
  if (CSV_TYPES.has(type)) return 'csv';
  if (type === XLSX_TYPE) return 'xlsx';
  throw new HttpError(
    415,
    'UNSUPPORTED_MEDIA_TYPE',
    `${type === '' ? 'no content type' : `content type ${type}`}: send a list as text/csv or as ${XLSX_TYPE}, ` +
      'or say which it is with ?format=csv or ?format=xlsx (e.g. with application/octet-stream)',
    [{ path: 'header.content-type', message: 'not a list format' }],
  );
}

/**
 * The uploaded file's bytes.
 * @throws HttpError 413 above `maxBytes` (naming the upload-url endpoint), 400 for an empty body or a text body
 *   that reached the function with bytes already replaced (a file that was not UTF-8).
 */
export function listFileBytes(event: HttpEvent, format: ListFileFormat, maxBytes = MAX_LIST_BODY_BYTES): Buffer {
  const declared = Number(event.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
  const body = event.body ?? '';
  if (body === '') {
    throw new HttpError(
      400,
      'EMPTY_FILE',
      'the request has no body: send the list file as the body (curl --data-binary @list.csv)',
      [{ path: 'body', message: 'empty' }],
    );
  }
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > maxBytes) throw tooLarge(bytes.length, maxBytes);
  if (!event.isBase64Encoded) {
    // A text body was decoded by the gateway before the function saw it: bytes that were not UTF-8 are now U+FFFD.
    const replaced = body.indexOf('\uFFFD');
    if (replaced >= 0 && format === 'xlsx') {
      throw new HttpError(
        400,
        'WRONG_FORMAT',
        'the workbook arrived as text and was altered on the way: send it as binary ' +
          '(content-type application/octet-stream with ?format=xlsx) or through upload-url',
        [{ path: 'body', message: 'binary file received as text' }],
      );
    }
    if (replaced >= 0) {
      const line = body.slice(0, replaced).split(/\r\n|\n|\r/).length;
      const saveAs = 'in Excel use Save As → "CSV UTF-8 (Comma delimited) (*.csv)"';
      throw new HttpError(
        400,
        'INVALID_ENCODING',
        body.includes('\u0000')
          ? `line ${line}: the file is not UTF-8 text: it holds NUL bytes, so it is UTF-16 (Excel's "Unicode ` +
              `Text") or not text at all; ${saveAs}`
          : `line ${line}: the file is not UTF-8 (bytes that are not were replaced by "\uFFFD"): it was probably ` +
              `saved in a Windows "ANSI" code page; ${saveAs}`,
        [{ path: `body.line.${line}`, message: 'not UTF-8' }],
      );
    }
  }
  return bytes;
}

/**
 * A run date must not be over, nor lie beyond the retention window (its data would have to be kept longer than
 * `retentionDays` allows, and a date like 9999-12-31 is a typo).
 */
export function requireRunDate(date: string, now: Date, retentionDays: number): void {
  if (isPastDate(date, now)) {
    throw badRequest(`${date} is in the past: lists are imported for today or a later date`, [
      { path: 'query.date', message: 'in the past' },
    ]);
  }
  if (isBeyondRetention(date, now, retentionDays)) {
    const latest = latestRunDate(now, retentionDays);
    throw badRequest(
      `${date} is more than ${retentionDays} days ahead (the retention of personal data): lists are imported for ` +
        `dates up to ${latest}`,
      [{ path: 'query.date', message: `after ${latest}` }],
    );
  }
}

/** The 4xx answer for a list refused as a whole, naming the line (and column) when there is one. */
export function refusedList(error: ListFormatError | CallingWindowClosedError): HttpError {
  if (!('code' in error)) {
    return new HttpError(409, 'CALLING_WINDOW_CLOSED', `nobody can be called: the campaign's ${error.message}`, [
      { path: 'campaign.callingWindow', message: 'never opens' },
    ]);
  }
  if (error.code === 'INVALID_SETTINGS') {
    return new HttpError(409, error.code, `the campaign cannot import lists: ${error.message}`, [
      { path: `campaign.${error.parameter ?? ''}`, message: error.message },
    ]);
  }
  const path = error.line === undefined ? 'body' : `body.line.${error.line}`;
  return new HttpError(400, error.code, error.message, [
    { path: error.column === undefined ? path : `${path}.${error.column}`, message: error.message },
  ]);
}

/**
 * The refusals of an import or a list file as HTTP errors, for `httpHandler`: a file that cannot be read, or a campaign
 * nobody can be called in; any other error is not a refusal (undefined).
 */
export function refusedImport(error: unknown): HttpError | undefined {
  return error instanceof ListFormatError || error instanceof CallingWindowClosedError ? refusedList(error) : undefined;
}

function tooLarge(bytes: number, maxBytes: number): HttpError {
  const megabytes = (value: number) => `${(value / 1_000_000).toFixed(1)} MB`;
  return new HttpError(
    413,
    'PAYLOAD_TOO_LARGE',
    `the file is ${megabytes(bytes)}; this endpoint takes lists up to ${megabytes(maxBytes)}. For a larger list ` +
      'ask for an upload URL (POST /campaigns/{campaignId}/lists/upload-url?date=YYYY-MM-DD) and PUT the file to it',
    [{ path: 'body', message: `larger than ${megabytes(maxBytes)}` }],
  );
}
