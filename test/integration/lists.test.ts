/**
 * The daily list import against the local cloud: both upload paths through the offline API and the S3 upload
 * event, the do-not-call list, every whole-file refusal, and a crashed import retried against DynamoDB Local.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactWriter } from '../../functions/adapters/contact-writer.ts';
import { DoNotCallStore } from '../../functions/adapters/do-not-call-store.ts';
import { ListStore } from '../../functions/adapters/list-store.ts';
import { parseCampaign } from '../../functions/core/campaign.ts';
import { newListId } from '../../functions/core/import/list-id.ts';
import type { ListInput } from '../../functions/core/import/list-reader.ts';
import { listObjectKey } from '../../functions/core/keys.ts';
import { type ListFiles, ListImports } from '../../functions/use-cases/import/list-intake.ts';
import {
  api,
  cloud,
  localDocumentClient,
  runCounters,
  runItems,
  testCampaign,
  today,
  upload,
  waitFor,
} from './support.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/lists/${name}`, import.meta.url));

interface ListBody {
  listId: string;
  status: string;
  rows: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  suppressed: number;
  errors: Array<{ line: number; column: string | null; value: string | null; reason: string }>;
  links: { self: string; rejectedCsv?: string };
}

/** `count` distinct Polish mobile numbers from +48 669 000 000 up (no other test uses them), `phone;name`. */
function list(count: number, first = 0): Buffer {
  const rows = Array.from({ length: count }, (_, index) => `+48669${String(first + index).padStart(6, '0')};P${index}`);
  return Buffer.from(`phone;name\r\n${rows.join('\r\n')}\r\n`);
}

async function contactsOf(campaignId: string, date = today()) {
  return runItems(campaignId, date, 'CONTACT#');
}

async function pendingCounter(campaignId: string, date = today()): Promise<number> {
  return Number((await runCounters(campaignId, date)).n_PENDING ?? 0);
}

beforeAll(async () => {
  for (const id of ['lists-small', 'lists-large', 'lists-dnc', 'lists-refused', 'lists-crash']) {
    expect((await api('PUT', `/campaigns/${id}`, testCampaign(id))).status).toBe(200);
  }
});

describe('small lists: POST /campaigns/{id}/lists', () => {
  it('imports a messy Excel export and accounts for every row; the same file again changes nothing', async () => {
    const path = `/campaigns/lists-small/lists?date=${today()}`;

    const first = await upload(path, fixture('excel-semicolon-bom-crlf.csv'));
    const again = await upload(path, fixture('excel-semicolon-bom-crlf.csv'));

    expect(first.status).toBe(201);
    const summary = first.body as ListBody;
    expect(summary).toMatchObject({ status: 'DONE', rows: 15, accepted: 7, rejected: 7, duplicates: 1, suppressed: 0 });
    expect(summary.errors.map((error) => [error.line, error.column])).toEqual([
      [10, 'Phone Number'],
      [11, 'Phone Number'],
      [12, 'Phone Number'],
      [13, 'Phone Number'],
      [15, 'Time Zone'],
      [16, 'Language'],
      [17, 'Phone Number'],
    ]);
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ rows: 15, accepted: 0, rejected: 7, duplicates: 8, suppressed: 0 });
    const contacts = await contactsOf('lists-small');
    expect(contacts).toHaveLength(7);
    expect(await pendingCounter('lists-small')).toBe(7);
    expect(contacts.find((contact) => contact.sk === 'CONTACT#+48601234567')).toMatchObject({
      status: 'PENDING',
      attempts: 0,
      listId: summary.listId,
      line: 2,
      name: 'Jan Kowalski',
      gsi1pk: `DUE#lists-small#${today()}`,
      attributes: { 'e-mail': 'jan@example.pl', miejscowosc: 'Kraków', segment: 'gold' },
    });

    const status = await api('GET', summary.links.self);
    expect(status.body).toEqual(summary);
    const rejected = await fetch(`${cloud.endpoints.api}${summary.links.rejectedCsv}`);
    const csv = await rejected.text();
    expect(rejected.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.split('\r\n').filter((line) => line !== '')).toHaveLength(1 + 7);
    expect(csv).toContain("'-----;'-----;");
    expect(csv).toContain('Zła strefa;\'+48 601 234 571;;;;Europe/Warszawa;;C-009;"line 15: ');
  });

  it('imports an .xlsx workbook sent as binary', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('List');
    sheet.addRow(['Phone', 'Name']);
    sheet.addRow(['+48 669 100 001', 'Jan']);
    sheet.addRow([48669100002, 'A number cell']);
    sheet.addRow(['669 100', 'Too short']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());

    const response = await upload(
      `/campaigns/lists-small/lists?date=${today()}&format=xlsx`,
      bytes,
      'application/octet-stream',
    );

    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ status: 'DONE', rows: 3, accepted: 2, rejected: 1 });
  });
});

describe('large lists: upload URL, S3 event, status', () => {
  it('imports a list PUT to its presigned URL, streaming it from local S3', async () => {
    const bytes = Buffer.concat([list(3_000), Buffer.from('not a number;x\r\n+48 669 000 005;again\r\n')]);
    expect((await api('POST', `/campaigns/lists-large/lists/upload-url?date=${today()}`)).status).toBe(400);
    const requested = await api('POST', `/campaigns/lists-large/lists/upload-url?date=${today()}&size=${bytes.length}`);
    expect(requested.status).toBe(201);
    const { listId, uploadUrl, headers } = requested.body as {
      listId: string;
      uploadUrl: string;
      headers: Record<string, string>;
    };
    expect(headers).toEqual({ 'content-length': String(bytes.length), 'if-none-match': '*' });
    expect(uploadUrl).toMatch(new RegExp(`^${cloud.endpoints.s3}/.+/lists/lists-large/${today()}/${listId}\\.csv\\?`));
    expect((await api('GET', `/campaigns/lists-large/lists/${listId}`)).body).toMatchObject({
      status: 'AWAITING_UPLOAD',
    });

    const put = await fetch(uploadUrl, { method: 'PUT', body: bytes, headers: { 'if-none-match': '*' } });
    expect(put.status).toBe(200);
    const done = await waitFor(
      'the upload event to import the list',
      async () => {
        const body = (await api('GET', `/campaigns/lists-large/lists/${listId}`)).body as ListBody;
        return body.status === 'DONE' || body.status === 'FAILED' ? body : undefined;
      },
      90_000,
    );

    expect(done).toMatchObject({ status: 'DONE', rows: 3_002, accepted: 3_000, rejected: 1, duplicates: 1 });
    expect(await contactsOf('lists-large')).toHaveLength(3_000);
    expect(await pendingCounter('lists-large')).toBe(3_000);
    const lists = await api('GET', `/campaigns/lists-large/lists?date=${today()}`);
    expect((lists.body as { lists: ListBody[] }).lists.map((item) => item.listId)).toEqual([listId]);
  });
});

describe('do-not-call list', () => {
  it('suppresses uploaded numbers in later imports', async () => {
    const added = await upload('/dnc?country=PL', 'Phone\r\n669 200 001\r\n+48669200003\r\n+48 669 200 003\r\n12\r\n');
    const noCountry = await upload('/dnc', 'phone\r\n669 200 004\r\n');

    const imported = await upload(`/campaigns/lists-dnc/lists?date=${today()}`, list(5, 200_000));

    expect(added.body).toMatchObject({ rows: 4, added: 2, duplicates: 1, rejected: 1, errors: [{ line: 5 }] });
    expect(noCountry.body).toMatchObject({ rejected: 1, errors: [{ line: 2, code: 'NO_COUNTRY_CODE' }] });
    expect(imported.body).toMatchObject({ rows: 5, accepted: 3, suppressed: 2 });
    expect((await contactsOf('lists-dnc')).map((contact) => contact.sk).sort()).toEqual([
      'CONTACT#+48669200000',
      'CONTACT#+48669200002',
      'CONTACT#+48669200004',
    ]);
  });
});

describe('lists refused as a whole: a 4xx naming the problem, nothing written', () => {
  const path = `/campaigns/lists-refused/lists?date=${today()}`;

  it.each([
    ['an empty file', fixture('empty.csv'), 400, 'EMPTY_FILE'],
    ['a file without a header', fixture('no-header.csv'), 400, 'NO_HEADER'],
    ['a Windows-1250 file', fixture('windows-1250.csv'), 400, 'INVALID_ENCODING'],
    [
      'bytes that are not UTF-8 far down',
      Buffer.concat([list(4_000), Buffer.from('601,Caf\xe9\r\n', 'latin1')]),
      400,
      'INVALID_ENCODING',
    ],
    ['an unclosed quote', fixture('unclosed-quote.csv'), 400, 'MALFORMED_CSV'],
    ['a 7 MB body', Buffer.alloc(7_000_000, 0x31), 413, 'PAYLOAD_TOO_LARGE'],
  ])('%s', async (_, body, status, code) => {
    const response = await upload(path, body);

    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error: { code } });
  });

  it('a body over the gateway’s 10 MB', async () => {
    const response = await upload(path, Buffer.alloc(11 * 1024 * 1024, 0x31));

    expect(response.status).toBe(413);
  });

  it('an unknown campaign, a date in the past, a missing date, a form upload', async () => {
    const unknown = await upload(`/campaigns/nobody/lists?date=${today()}`, list(1));
    const past = await upload('/campaigns/lists-refused/lists?date=2020-01-01', list(1));
    const missing = await upload('/campaigns/lists-refused/lists', list(1));
    const form = await upload(path, list(1), 'application/x-www-form-urlencoded');

    expect(unknown.status).toBe(404);
    expect(past).toMatchObject({ status: 400, body: { error: { problems: [{ path: 'query.date' }] } } });
    expect(missing).toMatchObject({ status: 400, body: { error: { problems: [{ path: 'query.date' }] } } });
    expect(form).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
  });

  it('…and none of these wrote a list, a contact or a run counter', async () => {
    for (const prefix of ['LIST#', 'CONTACT#', 'RUN']) {
      expect(await runItems('lists-refused', today(), prefix)).toEqual([]);
    }
  });
});

describe('a crashed import, run again, ends with exactly the file’s rows (DynamoDB Local)', () => {
  const client = localDocumentClient();
  const records = new ListStore(cloud.tableName, 1, client);
  const campaign = parseCampaign(testCampaign('lists-crash'));
  const rows = 10_000;
  const bytes = list(rows, 300_000);

  /** The list's file (~200 KB); the given opening (1: the check pass, 2: the import) breaks off after 96 KiB. */
  function files(breakOnOpen?: number): ListFiles {
    let opened = 0;
    return {
      presignPut: async () => '',
      put: async () => undefined,
      rejectedRowsUpload: async () => ({
        write: async () => undefined,
        finish: async () => undefined,
        discard: async () => undefined,
      }),
      open: async (): Promise<ListInput> => {
        opened++;
        if (opened !== breakOnOpen) return Readable.from([bytes]);
        return (async function* () {
          for (let offset = 0; offset < bytes.length; offset += 4096) {
            // Past the 64 KiB the reader looks at before the first row, so rows are being written when it breaks.
            if (offset >= 96 * 1024) {
              throw Object.assign(new Error('the process was killed'), { code: 'ECONNRESET' });
            }
            yield bytes.subarray(offset, offset + 4096);
          }
        })();
      },
    };
  }

  const importsWith = (listFiles: ListFiles) =>
    new ListImports(
      {
        records,
        files: listFiles,
        campaigns: { get: async () => ({ campaign }) },
        contacts: new ContactWriter(cloud.tableName, 1, client),
        doNotCall: new DoNotCallStore(cloud.tableName, client),
      },
      { import: { batchSize: 99 } },
    );

  it('keeps a partial import retryable, then completes it without a duplicate', async () => {
    const date = today();
    const listId = newListId(date);
    const objectKey = listObjectKey('lists-crash', date, listId, 'csv');
    await records.create({
      campaignId: 'lists-crash',
      date,
      listId,
      status: 'AWAITING_UPLOAD',
      source: 'upload-url',
      format: 'csv',
      objectKey,
      createdAt: new Date(),
    });

    await expect(importsWith(files(2)).importUploaded(objectKey, bytes.length)).rejects.toThrow(
      'the process was killed',
    );
    const afterCrash = await records.get({ campaignId: 'lists-crash', date, listId });
    const written = (await contactsOf('lists-crash')).length;
    const countedAfterCrash = await pendingCounter('lists-crash');
    const [retry, duplicateEvent] = await Promise.all([
      importsWith(files()).importUploaded(objectKey, bytes.length),
      importsWith(files()).importUploaded(objectKey, bytes.length),
    ]);

    expect(afterCrash).toMatchObject({ status: 'FAILED', error: { code: 'INTERRUPTED', retryable: true } });
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThan(rows);
    expect(countedAfterCrash).toBe(written);
    expect([retry.outcome, duplicateEvent.outcome]).toContain('DONE');
    const done = await records.get({ campaignId: 'lists-crash', date, listId });
    expect(done).toMatchObject({ status: 'DONE', summary: { rows, accepted: rows, duplicates: 0, rejected: 0 } });
    const contacts = await contactsOf('lists-crash');
    expect(contacts).toHaveLength(rows);
    expect(new Set(contacts.map((contact) => contact.listId))).toEqual(new Set([listId]));
    expect(await pendingCounter('lists-crash')).toBe(rows);
  });
});
