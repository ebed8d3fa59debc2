import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ListView } from '../../../cli/api-schemas.ts';
import { rejectRate, renderListSummary } from '../../../cli/commands/lists.ts';
import { estimateCsvRows, listFormat } from '../../../cli/commands/upload.ts';
import { CliError, UsageError } from '../../../cli/errors.ts';

const now = new Date('2026-11-23T10:00:00Z');
const done: ListView = {
  listId: '20261123-9ca8dbc5f6dbff8b',
  campaignId: 'demo',
  date: '2026-11-23',
  status: 'DONE',
  rows: 15,
  accepted: 7,
  rejected: 7,
  duplicates: 1,
  suppressed: 0,
  duplicatesInFile: 1,
  alreadyInRun: 0,
  errors: [
    {
      line: 10,
      column: 'Phone Number',
      value: '601 234 56',
      code: 'INVALID_LENGTH',
      reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9)',
    },
  ],
  errorsTruncated: false,
  links: {
    self: '/campaigns/demo/lists/20261123-9ca8dbc5f6dbff8b',
    rejectedCsv: '/campaigns/demo/lists/20261123-9ca8dbc5f6dbff8b/rejected.csv',
  },
};

describe('import summary', () => {
  it('shows the counts, the reject rate and the first rejected rows with their reasons', () => {
    const text = renderListSummary(done, now);

    expect(text).toContain('list 20261123-9ca8dbc5f6dbff8b for demo on 2026-11-23: DONE');
    expect(text).toMatch(/rejected +7 +46\.7 %/);
    expect(text).toMatch(/duplicates +1 +1 in the file, 0 already in the run/);
    expect(text).toMatch(/10 {2}Phone Number {2}601 234 56 {2}INVALID_LENGTH: no PL fixed-line/);
  });

  it('says where to get every rejected row', () => {
    expect(renderListSummary(done, now)).toContain(
      'campaign lists rejected 20261123-9ca8dbc5f6dbff8b --campaign demo --out rejected.csv',
    );
    expect(renderListSummary(done, now, { rejectedSavedTo: 'rejected.csv' })).toContain(
      'all rejected rows with their reasons saved to rejected.csv',
    );
  });

  it("shows a refused list's reason", () => {
    expect(
      renderListSummary(
        { ...done, status: 'FAILED', error: { code: 'NO_PHONE_COLUMN', message: 'no phone column' } },
        now,
      ),
    ).toBe('list 20261123-9ca8dbc5f6dbff8b for demo on 2026-11-23: FAILED\nno phone column');
  });

  it('computes the reject rate over the rows, 0 for an empty list', () => {
    expect(rejectRate(done)).toBeCloseTo(7 / 15);
    expect(rejectRate({ ...done, rows: 0, rejected: 0 })).toBe(0);
  });
});

describe('list files', () => {
  it('tells the format from the extension unless --format says', () => {
    expect(listFormat('today.CSV', undefined)).toBe('csv');
    expect(listFormat('today.xlsx', undefined)).toBe('xlsx');
    expect(listFormat('export.txt', undefined)).toBe('csv');
    expect(listFormat('export.bin', 'xlsx')).toBe('xlsx');
    expect(() => listFormat('x.csv', 'pdf')).toThrow(UsageError);
  });

  it('refuses an old .xls workbook with what to do', () => {
    expect(() => listFormat('old.xls', undefined)).toThrow(CliError);
    expect(() => listFormat('old.xls', undefined)).toThrow('old Excel .xls workbook');
  });

  it.each([
    ['CRLF with a final line break', 'phone\r\n1\r\n2\r\n3\r\n', 3],
    ['LF without a final line break', 'phone\n1\n2', 2],
    ['old Mac CR', 'phone\r1\r2\r', 2],
    ['a header only', 'phone\n', 0],
  ])('estimates the data rows of a CSV: %s', async (_name, content, rows) => {
    const file = join(mkdtempSync(join(tmpdir(), 'cli-rows-')), 'list.csv');
    writeFileSync(file, content);

    expect(await estimateCsvRows(file)).toBe(rows);
  });
});
