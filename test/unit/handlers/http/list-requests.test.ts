import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';
import { CallingWindowClosedError } from '../../../../functions/core/policy/calling-window.ts';
import {
  ListPathSchema,
  ListQuerySchema,
  listFileBytes,
  listFileFormat,
  refusedList,
  requireRunDate,
} from '../../../../functions/handlers/http/list-requests.ts';
import { HttpError } from '../../../../functions/lib/http.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function event(body: string | undefined, options: { base64?: boolean; headers?: Record<string, string> } = {}) {
  return {
    body,
    isBase64Encoded: options.base64 ?? false,
    headers: options.headers ?? {},
  } as unknown as APIGatewayProxyEventV2;
}

function thrown(action: () => unknown): HttpError {
  try {
    action();
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('listFileFormat', () => {
  it.each([
    ['text/csv', 'csv'],
    ['text/csv; charset=utf-8', 'csv'],
    ['application/csv', 'csv'],
    ['text/plain', 'csv'],
    ['application/vnd.ms-excel', 'csv'],
    [XLSX, 'xlsx'],
  ])('reads %s as %s', (contentType, format) => {
    expect(listFileFormat(contentType)).toBe(format);
  });

  it('lets ?format= decide, e.g. for application/octet-stream', () => {
    expect(listFileFormat('application/octet-stream', 'xlsx')).toBe('xlsx');
    expect(listFileFormat(undefined, 'csv')).toBe('csv');
  });

  it('answers 415 for a content type that is not a list, naming what would do', () => {
    const error = thrown(() => listFileFormat('application/x-www-form-urlencoded'));

    expect(error).toMatchObject({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(error.message).toContain('?format=csv');
    expect(error.problems).toEqual([{ path: 'header.content-type', message: 'not a list format' }]);
  });

  it('refuses a charset other than UTF-8 before looking at the body', () => {
    expect(thrown(() => listFileFormat('text/csv; charset=windows-1250', 'csv'))).toMatchObject({
      statusCode: 415,
      code: 'INVALID_ENCODING',
    });
  });
});

describe('listFileBytes', () => {
  it('decodes a base64 body exactly', () => {
    const bytes = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00]);

    expect(listFileBytes(event(bytes.toString('base64'), { base64: true }), 'xlsx')).toEqual(bytes);
  });

  it('keeps a text body as UTF-8', () => {
    expect(listFileBytes(event('phone\n+48 601 234 567 ; Łódź\n'), 'csv').toString('utf8')).toBe(
      'phone\n+48 601 234 567 ; Łódź\n',
    );
  });

  it('answers 413 above the limit, from the content length or the body, pointing to upload-url', () => {
    const declared = thrown(() =>
      listFileBytes(event('x', { headers: { 'content-length': String(1024 ** 3) } }), 'csv'),
    );
    const actual = thrown(() => listFileBytes(event('x'.repeat(101)), 'csv', 100));

    expect(declared).toMatchObject({ statusCode: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(declared.message).toContain('the file is 1073.7 MB');
    expect(declared.message).toContain('POST /campaigns/{campaignId}/lists/upload-url?date=YYYY-MM-DD');
    expect(actual).toMatchObject({ statusCode: 413 });
  });

  it('answers 400 for an empty body', () => {
    expect(thrown(() => listFileBytes(event(''), 'csv'))).toMatchObject({ statusCode: 400, code: 'EMPTY_FILE' });
    expect(thrown(() => listFileBytes(event(undefined), 'csv'))).toMatchObject({ statusCode: 400 });
  });

  it('recognises a non-UTF-8 file the gateway already decoded as text, naming the line', () => {
    const decodedByGateway = Buffer.from('phone,name\n601234567,Jan\n601234568,\xa3ukasz\n', 'latin1').toString('utf8');

    const error = thrown(() => listFileBytes(event(decodedByGateway), 'csv'));

    expect(error).toMatchObject({ statusCode: 400, code: 'INVALID_ENCODING' });
    expect(error.message).toMatch(/^line 3: the file is not UTF-8/);
    expect(error.problems).toEqual([{ path: 'body.line.3', message: 'not UTF-8' }]);
  });

  it('tells UTF-16 or binary data (NUL bytes) from a legacy code page', () => {
    const utf16 = Buffer.from('\ufeffphone\r\n601234567\r\n', 'utf16le').toString('utf8');

    const error = thrown(() => listFileBytes(event(utf16), 'csv'));

    expect(error).toMatchObject({ statusCode: 400, code: 'INVALID_ENCODING' });
    expect(error.message).toContain('UTF-16');
  });

  it('recognises a workbook that arrived as text', () => {
    const mangled = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0xe9, 0x00]).toString('utf8');

    expect(thrown(() => listFileBytes(event(mangled), 'xlsx'))).toMatchObject({
      statusCode: 400,
      code: 'WRONG_FORMAT',
    });
  });
});

describe('refusedList', () => {
  it('answers a file error with 400, its code and the line', () => {
    const error = refusedList(new ListFormatError('NO_PHONE_COLUMN', 'no phone column in the header', { line: 1 }));

    expect(error).toMatchObject({
      statusCode: 400,
      code: 'NO_PHONE_COLUMN',
      message: 'line 1: no phone column in the header',
      problems: [{ path: 'body.line.1', message: 'line 1: no phone column in the header' }],
    });
  });

  it('answers unusable campaign settings and a window that never opens with 409', () => {
    const settings = refusedList(
      new ListFormatError('INVALID_SETTINGS', 'defaultCountry "XX" is unknown', { parameter: 'defaultCountry' }),
    );
    const window = refusedList(new CallingWindowClosedError('Europe/Warsaw', new Date('2026-03-02T00:00:00Z')));

    expect(settings).toMatchObject({ statusCode: 409, problems: [{ path: 'campaign.defaultCountry' }] });
    expect(window).toMatchObject({ statusCode: 409, code: 'CALLING_WINDOW_CLOSED' });
  });
});

describe('request schemas and dates', () => {
  it('requires a date and accepts a format', () => {
    expect(ListQuerySchema.safeParse({}).success).toBe(false);
    expect(ListQuerySchema.safeParse({ date: '2026-02-30' }).success).toBe(false);
    expect(ListQuerySchema.parse({ date: '2026-03-02', format: 'xlsx' })).toEqual({
      date: '2026-03-02',
      format: 'xlsx',
    });
  });

  it('accepts list ids only in their own shape', () => {
    expect(ListPathSchema.safeParse({ campaignId: 'demo', listId: '20260302-0123456789abcdef' }).success).toBe(true);
    expect(ListPathSchema.safeParse({ campaignId: 'demo', listId: '../../etc' }).success).toBe(false);
  });

  it('refuses a date that is over everywhere, with the parameter named', () => {
    const now = new Date('2026-03-02T11:00:00Z');

    expect(thrown(() => requireRunDate('2026-02-28', now, 90))).toMatchObject({
      statusCode: 400,
      problems: [{ path: 'query.date', message: 'in the past' }],
    });
    expect(() => requireRunDate('2026-03-01', now, 90)).not.toThrow(); // still 1 March somewhere (UTC-12)
    expect(() => requireRunDate('2026-03-02', now, 90)).not.toThrow();
  });

  it('refuses a date beyond the retention window, 9999-12-31 included, naming the last date accepted', () => {
    const now = new Date('2026-03-02T11:00:00Z');

    expect(thrown(() => requireRunDate('9999-12-31', now, 90))).toMatchObject({
      statusCode: 400,
      problems: [{ path: 'query.date', message: 'after 2026-05-31' }],
    });
    expect(thrown(() => requireRunDate('2026-06-01', now, 90))).toMatchObject({ statusCode: 400 });
    expect(() => requireRunDate('2026-05-31', now, 90)).not.toThrow();
  });
});
