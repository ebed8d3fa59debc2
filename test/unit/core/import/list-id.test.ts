import { describe, expect, it } from 'vitest';
import { dateOfListId, ListIdSchema, newListId } from '../../../../functions/core/import/list-id.ts';
import { ListRecordSchema, listView } from '../../../../functions/core/import/list-record.ts';
import { listObjectKey, parseListObjectKey, rejectedRowsObjectKey } from '../../../../functions/core/keys.ts';

describe('list ids', () => {
  it('carry the run date and 64 random bits', () => {
    const listId = newListId('2026-03-02', Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 255]));

    expect(listId).toBe('20260302-01020304050607ff');
    expect(dateOfListId(listId)).toBe('2026-03-02');
    expect(ListIdSchema.safeParse(listId).success).toBe(true);
    expect(newListId('2026-03-02')).not.toBe(newListId('2026-03-02'));
  });

  it.each(['20260302-01020304050607f', '2026030201020304050607ff', '20261302-01020304050607ff', 'LIST#x'])(
    'refuses %s',
    (listId) => {
      expect(ListIdSchema.safeParse(listId).success).toBe(false);
    },
  );
});

describe('list object keys', () => {
  it('round-trip through the uploads bucket key', () => {
    const key = listObjectKey('spring-survey', '2026-03-02', '20260302-01020304050607ff', 'xlsx');

    expect(key).toBe('lists/spring-survey/2026-03-02/20260302-01020304050607ff.xlsx');
    expect(parseListObjectKey(key)).toEqual({
      campaignId: 'spring-survey',
      date: '2026-03-02',
      listId: '20260302-01020304050607ff',
      format: 'xlsx',
    });
    expect(rejectedRowsObjectKey('20260302-01020304050607ff')).toBe('rejected/20260302-01020304050607ff.csv');
  });

  it.each(['rejected/x.csv', 'lists/a/2026-03-02/x.pdf', 'lists/A/2026-03-02/x.csv', 'lists/a/b/c/2026-03-02/x.csv'])(
    'does not take %s for a list',
    (key) => {
      expect(parseListObjectKey(key)).toBeUndefined();
    },
  );
});

describe('listView', () => {
  const base = ListRecordSchema.parse({
    listId: '20260302-01020304050607ff',
    campaignId: 'demo',
    date: '2026-03-02',
    status: 'AWAITING_UPLOAD',
    source: 'upload-url',
    format: 'csv',
    objectKey: 'lists/demo/2026-03-02/20260302-01020304050607ff.csv',
    createdAt: '2026-03-02T06:00:00.000Z',
    updatedAt: '2026-03-02T06:00:00.000Z',
    uploadExpiresAt: '2026-03-02T07:00:00.000Z',
  });

  it('shows a list awaiting its file with the upload deadline', () => {
    expect(listView(base)).toEqual({
      listId: '20260302-01020304050607ff',
      campaignId: 'demo',
      date: '2026-03-02',
      status: 'AWAITING_UPLOAD',
      format: 'csv',
      source: 'upload-url',
      createdAt: '2026-03-02T06:00:00.000Z',
      uploadExpiresAt: '2026-03-02T07:00:00.000Z',
      attempts: 0,
      links: { self: '/campaigns/demo/lists/20260302-01020304050607ff' },
    });
  });

  it('shows the counts of a finished list at the top level, with the rejected rows link', () => {
    const view = listView({
      ...base,
      status: 'DONE',
      rejectedKey: 'rejected/20260302-01020304050607ff.csv',
      summary: {
        rows: 3,
        accepted: 1,
        rejected: 1,
        duplicates: 1,
        suppressed: 0,
        duplicatesInFile: 1,
        alreadyInRun: 0,
        rejectionsByCode: { EMPTY: 1 },
        errors: [{ line: 3, column: 'phone', value: '', code: 'EMPTY', reason: 'no phone number' }],
        errorsTruncated: false,
        dueAfterRunEnds: 0,
      },
    });

    expect(view).toMatchObject({
      status: 'DONE',
      rows: 3,
      accepted: 1,
      rejected: 1,
      duplicates: 1,
      suppressed: 0,
      errors: [{ line: 3, column: 'phone', value: '', reason: 'no phone number' }],
      links: { rejectedCsv: '/campaigns/demo/lists/20260302-01020304050607ff/rejected.csv' },
    });
    expect(view).not.toHaveProperty('uploadExpiresAt');
  });

  it('shows why a list failed, and no counts', () => {
    const view = listView({
      ...base,
      status: 'FAILED',
      error: { code: 'EMPTY_FILE', message: 'the file is empty', retryable: false },
    });

    expect(view).toMatchObject({ status: 'FAILED', error: { code: 'EMPTY_FILE' } });
    expect(view).not.toHaveProperty('rows');
  });
});
