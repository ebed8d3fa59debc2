import { describe, expect, it } from 'vitest';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';
import { listObjectKey, rejectedRowsObjectKey } from '../../../../functions/core/keys.ts';
import { failureOf, ListImports } from '../../../../functions/use-cases/import/list-intake.ts';
import {
  ManualClock,
  MemoryContacts,
  MemoryDoNotCall,
  MemoryFiles,
  MemoryListRecords,
  polishList,
  testCampaign,
} from './in-memory-ports.ts';

const DATE = '2026-03-02';
const START = '2026-03-02T06:00:00Z';

function setup(options: { campaignExists?: boolean; retentionDays?: number } = {}) {
  const clock = new ManualClock(START);
  const contacts = new MemoryContacts();
  const records = new MemoryListRecords(contacts);
  const files = new MemoryFiles();
  const campaign = testCampaign();
  const imports = new ListImports(
    {
      records,
      files,
      contacts,
      campaigns: { get: async () => (options.campaignExists === false ? undefined : { campaign }) },
      doNotCall: new MemoryDoNotCall(['+48600000002']),
    },
    { clock, import: { batchSize: 10 }, retentionDays: options.retentionDays },
  );
  return { clock, contacts, records, files, campaign, imports };
}

const BROKEN = Buffer.from('phone,name\n601234567,Jan\n601234568,Caf\xe9\n', 'latin1');

describe('ListImports.importBody: a small list sent as the request body', () => {
  it('stores the original, imports it and records the summary and the rejected rows', async () => {
    const { imports, records, files, contacts, campaign, clock } = setup();
    const bytes = Buffer.concat([polishList(20), Buffer.from('12;Too short\n')]);

    const { outcome, ref } = await imports.importBody({
      campaign,
      date: DATE,
      format: 'csv',
      bytes,
      deadline: clock.now().getTime() + 20_000,
      handoffAt: new Date(clock.now().getTime() + 29_000),
    });

    expect(outcome).toBe('DONE');
    const record = await records.get(ref);
    expect(record).toMatchObject({
      status: 'DONE',
      source: 'body',
      format: 'csv',
      attempts: 1,
      sizeBytes: bytes.length,
      objectKey: listObjectKey('spring-survey', DATE, ref.listId, 'csv'),
      rejectedKey: rejectedRowsObjectKey(ref.listId),
      summary: { rows: 21, accepted: 19, suppressed: 1, rejected: 1, duplicates: 0 },
    });
    expect(record?.handoffAt).toBeUndefined();
    expect(ref.listId).toMatch(/^20260302-[0-9a-f]{16}$/);
    expect(files.objects.get(listObjectKey('spring-survey', DATE, ref.listId, 'csv'))).toEqual(bytes);
    expect(files.text(rejectedRowsObjectKey(ref.listId))).toContain(
      '12;Too short;"line 22: number is too short for PL (2 digits; ',
    );
    expect(contacts.run('spring-survey', DATE).size).toBe(19);
    expect(records.history).toEqual(['RECEIVED', 'IMPORTING', 'DONE']);
  });

  it('refuses a file broken anywhere before storing or writing anything', async () => {
    const { imports, records, files, contacts, campaign, clock } = setup();

    const refused = imports.importBody({
      campaign,
      date: DATE,
      format: 'csv',
      bytes: BROKEN,
      deadline: clock.now().getTime() + 20_000,
      handoffAt: clock.now(),
    });

    await expect(refused).rejects.toBeInstanceOf(ListFormatError);
    await expect(refused).rejects.toMatchObject({ code: 'INVALID_ENCODING', line: 3 });
    expect(records.items.size).toBe(0);
    expect(files.objects.size).toBe(0);
    expect(contacts.byRun.size).toBe(0);
  });

  it('hands a list it cannot finish in time to the upload event, which completes it exactly', async () => {
    const { imports, records, contacts, campaign, clock } = setup();
    const bytes = polishList(100);

    const first = await imports.importBody({
      campaign,
      date: DATE,
      format: 'csv',
      bytes,
      deadline: clock.now().getTime(),
      handoffAt: new Date(clock.now().getTime() + 29_000),
    });
    const partial = await records.get(first.ref);
    const second = await imports.importUploaded(partial?.objectKey ?? '', bytes.length);

    expect(first.outcome).toBe('INCOMPLETE');
    expect(partial).toMatchObject({ status: 'IMPORTING', handoffAt: START.replace('Z', '.000Z') });
    expect(partial?.progress?.rows).toBeLessThan(100);
    expect(second.outcome).toBe('DONE');
    expect(await records.get(first.ref)).toMatchObject({
      status: 'DONE',
      attempts: 2,
      summary: { rows: 100, accepted: 99, suppressed: 1, duplicates: 0 },
    });
    expect(contacts.run('spring-survey', DATE).size).toBe(99);
  });
});

describe('ListImports.importUploaded: the upload event', () => {
  it('imports a list uploaded to its presigned URL: AWAITING_UPLOAD → RECEIVED → IMPORTING → DONE', async () => {
    const { imports, records, files, campaign } = setup();
    const upload = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 1234 });
    const key = listObjectKey('spring-survey', DATE, upload.listId, 'csv');
    files.objects.set(key, polishList(30));

    const result = await imports.importUploaded(key, 1234);

    expect(upload).toEqual({
      listId: expect.stringMatching(/^20260302-/),
      uploadUrl: `https://uploads.example/${key}?expires=3600`,
      expiresAt: '2026-03-02T07:00:00.000Z',
      headers: { 'content-length': '1234', 'if-none-match': '*' },
    });
    expect(result).toEqual({
      outcome: 'DONE',
      ref: { campaignId: 'spring-survey', date: DATE, listId: upload.listId },
    });
    expect(records.history).toEqual(['AWAITING_UPLOAD', 'RECEIVED', 'IMPORTING', 'DONE']);
    expect(await records.get({ campaignId: 'spring-survey', date: DATE, listId: upload.listId })).toMatchObject({
      sizeBytes: 1234,
      summary: { rows: 30, accepted: 29, suppressed: 1 },
    });
    expect(files.opened).toBe(2); // checked first, then imported
  });

  it('ignores duplicate events, objects of no list and keys outside lists/', async () => {
    const { imports, files, campaign, records } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 100 });
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, polishList(5));
    await imports.importUploaded(key, 0);

    expect(await imports.importUploaded(key, 0)).toMatchObject({
      outcome: 'IGNORED',
      reason: 'the list is already imported',
    });
    expect(
      await imports.importUploaded(listObjectKey('spring-survey', DATE, '20260302-0000000000000000', 'csv'), 0),
    ).toMatchObject({ outcome: 'IGNORED', reason: 'no list was created for this object' });
    expect(await imports.importUploaded('rejected/x.csv', 0)).toMatchObject({ outcome: 'IGNORED' });
    expect(await imports.importUploaded(key.replace('.csv', '.xlsx'), 0)).toMatchObject({ outcome: 'IGNORED' });
    expect(records.history.filter((status) => status === 'IMPORTING')).toHaveLength(1);
  });

  it('waits while the API call may still be importing a small list, and leaves it alone once DONE', async () => {
    const { imports, records, files, campaign, clock } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 100 });
    const ref = { campaignId: 'spring-survey', date: DATE, listId };
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, polishList(5));
    // As the API path leaves it while it imports: a body list, importing, the API call may run for 20 s more.
    records.items.set(`spring-survey#${DATE}#${listId}`, {
      ...((await records.get(ref)) ?? ({} as never)),
      source: 'body',
      status: 'IMPORTING',
      handoffAt: new Date(clock.now().getTime() + 20_000).toISOString(),
    });
    clock.onSleep = (current) => {
      if (current.now().getTime() >= Date.parse(START) + 3_000) {
        void records.complete(ref, { ...summaryOf(5) }, rejectedRowsObjectKey(listId), current.now());
      }
    };

    const result = await imports.importUploaded(key, 0);

    expect(result).toMatchObject({ outcome: 'IGNORED', reason: 'the list is already imported' });
    expect(clock.sleeps).toEqual([1_000, 1_000, 1_000]);
  });

  it('takes over a small list whose API call died without finishing', async () => {
    const { imports, records, files, contacts, campaign, clock } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 100 });
    const ref = { campaignId: 'spring-survey', date: DATE, listId };
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, polishList(12));
    records.items.set(`spring-survey#${DATE}#${listId}`, {
      ...((await records.get(ref)) ?? ({} as never)),
      source: 'body',
      status: 'IMPORTING',
      attempts: 1,
      handoffAt: new Date(clock.now().getTime() + 2_500).toISOString(),
    });

    const result = await imports.importUploaded(key, 0);

    expect(result.outcome).toBe('DONE');
    expect(clock.sleeps).toEqual([1_000, 1_000, 500]);
    expect(await records.get(ref)).toMatchObject({ status: 'DONE', attempts: 2, summary: { accepted: 11 } });
    expect(contacts.run('spring-survey', DATE).size).toBe(11);
  });

  it('records a file refused as a whole as FAILED with the code and line, writing nothing', async () => {
    const { imports, records, files, contacts, campaign } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: BROKEN.length });
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, BROKEN);

    const result = await imports.importUploaded(key, BROKEN.length);

    expect(result.outcome).toBe('FAILED');
    expect((await records.get({ campaignId: 'spring-survey', date: DATE, listId }))?.error).toMatchObject({
      code: 'INVALID_ENCODING',
      line: 3,
      retryable: false,
      message: expect.stringContaining('line 3: byte 0xE9'),
    });
    expect(contacts.byRun.size).toBe(0);
  });

  it('refuses a list whose campaign was deleted or whose date is over', async () => {
    const missing = setup({ campaignExists: false });
    const upload = await missing.imports.requestUpload({
      campaign: missing.campaign,
      date: DATE,
      format: 'csv',
      sizeBytes: 100,
    });
    const key = listObjectKey('spring-survey', DATE, upload.listId, 'csv');
    missing.files.objects.set(key, polishList(3));
    const late = setup();
    const lateUpload = await late.imports.requestUpload({
      campaign: late.campaign,
      date: DATE,
      format: 'csv',
      sizeBytes: 100,
    });
    const lateKey = listObjectKey('spring-survey', DATE, lateUpload.listId, 'csv');
    late.files.objects.set(lateKey, polishList(3));
    late.clock.advance(3 * 86_400_000);

    expect(await missing.imports.importUploaded(key, 0)).toMatchObject({ outcome: 'FAILED' });
    expect(await late.imports.importUploaded(lateKey, 0)).toMatchObject({ outcome: 'FAILED' });
    expect([...missing.records.items.values()][0]?.error?.code).toBe('CAMPAIGN_NOT_FOUND');
    expect([...late.records.items.values()][0]?.error?.code).toBe('DATE_IN_PAST');
    expect(missing.contacts.byRun.size + late.contacts.byRun.size).toBe(0);
  });

  it('makes upload URLs for the exact size and never to overwrite, and refuses an upload of another size', async () => {
    const { imports, campaign, files, records, contacts } = setup();
    const upload = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 64 });
    const key = listObjectKey('spring-survey', DATE, upload.listId, 'csv');
    files.objects.set(key, polishList(3));

    expect(upload.headers).toEqual({ 'content-length': '64', 'if-none-match': '*' });
    expect(await imports.importUploaded(key, 65)).toMatchObject({ outcome: 'FAILED' });
    expect([...records.items.values()][0]?.error).toMatchObject({ code: 'UPLOAD_SIZE_MISMATCH', retryable: false });
    expect(contacts.byRun.size).toBe(0);
  });

  it('marks an import that died (out of memory or time) FAILED on the next attempt, never leaves it IMPORTING', async () => {
    const { imports, records, files, campaign, clock } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 100 });
    const ref = { campaignId: 'spring-survey', date: DATE, listId };
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, polishList(5));
    // As a run that the Lambda killed leaves it: IMPORTING, holding the list, its last heartbeat long ago.
    await records.startImport(ref, clock.now());
    clock.advance(3 * 60_000);

    expect(await imports.importUploaded(key, 0)).toMatchObject({ outcome: 'FAILED' });
    expect(await records.get(ref)).toMatchObject({
      status: 'FAILED',
      error: { code: 'IMPORT_DIED', retryable: false },
    });
    expect(await records.get(ref)).not.toHaveProperty('runningSince');
  });

  it('does not take a live import (a recent heartbeat) for a dead one', async () => {
    const { imports, records, files, campaign, clock } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 100 });
    const ref = { campaignId: 'spring-survey', date: DATE, listId };
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, polishList(5));
    await records.startImport(ref, clock.now());
    clock.advance(3 * 60_000);
    await records.heartbeat(ref, clock.now());

    expect(await imports.importUploaded(key, 0)).toMatchObject({ outcome: 'DONE' });
  });

  it('refuses a list whose date lies beyond the retention window, writing nothing', async () => {
    const far = setup({ retentionDays: 90 });
    const upload = await far.imports.requestUpload({
      campaign: far.campaign,
      date: '9999-12-31',
      format: 'csv',
      sizeBytes: 100,
    });
    const key = listObjectKey('spring-survey', '9999-12-31', upload.listId, 'csv');
    far.files.objects.set(key, polishList(3));

    expect(await far.imports.importUploaded(key, 0)).toMatchObject({ outcome: 'FAILED' });
    expect([...far.records.items.values()][0]?.error).toMatchObject({
      code: 'DATE_BEYOND_RETENTION',
      retryable: false,
      message: expect.stringContaining('after 2026-05-31'),
    });
    expect(far.contacts.byRun.size).toBe(0);
  });

  it('records a storage failure as retryable and throws it; the retry continues to exactly the file’s rows', async () => {
    const { imports, records, files, contacts, campaign } = setup();
    const { listId } = await imports.requestUpload({ campaign, date: DATE, format: 'csv', sizeBytes: 100 });
    const ref = { campaignId: 'spring-survey', date: DATE, listId };
    const key = listObjectKey('spring-survey', DATE, listId, 'csv');
    files.objects.set(key, polishList(200));
    contacts.failOnWrite = 5;

    await expect(imports.importUploaded(key, 0)).rejects.toThrow('connection reset');
    const failed = await records.get(ref);
    const retried = await imports.importUploaded(key, 0);

    expect(failed).toMatchObject({ status: 'FAILED', error: { code: 'INTERRUPTED', retryable: true } });
    expect(retried.outcome).toBe('DONE');
    expect(await records.get(ref)).toMatchObject({
      status: 'DONE',
      attempts: 2,
      summary: { rows: 200, accepted: 199, suppressed: 1, duplicates: 0 },
    });
    expect(contacts.run('spring-survey', DATE).size).toBe(199);
  });
});

describe('failureOf', () => {
  it('keeps a format error’s code, line and column and marks it final', () => {
    expect(failureOf(new ListFormatError('NO_HEADER', 'the first line is data', { line: 1 }))).toEqual({
      code: 'NO_HEADER',
      message: 'line 1: the first line is data',
      line: 1,
      retryable: false,
    });
  });

  it('marks anything else retryable', () => {
    expect(failureOf(new Error('throttled'))).toMatchObject({ code: 'INTERRUPTED', retryable: true });
  });
});

function summaryOf(rows: number) {
  return {
    rows,
    accepted: rows,
    rejected: 0,
    duplicates: 0,
    suppressed: 0,
    duplicatesInFile: 0,
    alreadyInRun: 0,
    rejectionsByCode: {},
    errors: [],
    errorsTruncated: false,
    dueAfterRunEnds: 0,
  };
}
