import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListFormatError } from '../../../../functions/core/import/list-format-error.ts';
import { readList } from '../../../../functions/core/import/list-reader.ts';
import type { ImportedContact, RowResult } from '../../../../functions/core/import/row-validator.ts';
import {
  chunked,
  fixtureBytes,
  fixtureStream,
  POLISH_CAMPAIGN,
  readAll,
  readBytes,
  readFixture,
} from './read-fixture.ts';

const WARSAW = 'Europe/Warsaw';

function accepted(line: number, contact: Partial<ImportedContact> & { phone: string }): RowResult {
  return { kind: 'accepted', line, contact: { country: 'PL', timeZone: WARSAW, attributes: {}, ...contact } };
}

/** Expects `promise` to fail with a ListFormatError of `code` at `line` whose message matches `message`. */
async function expectListError(promise: Promise<unknown>, code: string, line: number | undefined, message: RegExp) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ListFormatError);
  expect(error).toMatchObject({ code, line });
  expect(String(error instanceof Error ? error.message : error)).toMatch(message);
}

describe('readList: CSV as Excel writes it', () => {
  it('reads a semicolon list with BOM and CRLF, row by row, with physical line numbers', async () => {
    const { header, rows } = await readFixture('excel-semicolon-bom-crlf.csv');

    expect(header).toEqual({
      format: 'csv',
      delimiter: ';',
      bom: true,
      line: 1,
      headers: ['Name', 'Phone Number', 'E-mail', 'Miejscowość', 'Segment', 'Time Zone', 'Language', 'External ID'],
      phoneColumn: 'Phone Number',
      columns: [
        { index: 0, header: 'Name', role: 'name', key: '' },
        { index: 1, header: 'Phone Number', role: 'phone', key: '' },
        { index: 2, header: 'E-mail', role: 'attribute', key: 'e-mail' },
        { index: 3, header: 'Miejscowość', role: 'attribute', key: 'miejscowosc' },
        { index: 4, header: 'Segment', role: 'attribute', key: 'segment' },
        { index: 5, header: 'Time Zone', role: 'timeZone', key: '' },
        { index: 6, header: 'Language', role: 'language', key: '' },
        { index: 7, header: 'External ID', role: 'externalId', key: '' },
      ],
    });
    expect(rows).toEqual([
      accepted(2, {
        phone: '+48601234567',
        name: 'Jan Kowalski',
        externalId: 'C-001',
        language: 'pl',
        attributes: { 'e-mail': 'jan@example.pl', miejscowosc: 'Kraków', segment: 'gold' },
      }),
      accepted(3, {
        phone: '+48601234568',
        name: 'Anna Nowak',
        externalId: 'C-002',
        language: 'pl-PL',
        attributes: { 'e-mail': 'anna@example.pl', miejscowosc: 'Gdańsk', segment: 'silver' },
      }),
      accepted(4, {
        phone: '+48601234569',
        name: 'Wiśniewski; Piotr',
        externalId: 'C-003',
        attributes: { 'e-mail': '', miejscowosc: 'Łódź', segment: '' },
      }),
      // Line 5 is empty; this row's quoted value spans lines 6 and 7; line 8 is ";;;;;;;".
      accepted(6, {
        phone: '+48601234570',
        name: 'Ewa Zielińska',
        externalId: 'C-004',
        attributes: { 'e-mail': 'ewa@example.pl', miejscowosc: 'Warszawa\r\nMokotów', segment: 'bronze' },
      }),
      { kind: 'duplicate', line: 9, phone: '+48601234567', firstLine: 2 },
      {
        kind: 'rejected',
        line: 10,
        column: 'Phone Number',
        value: '601 234 56',
        code: 'INVALID_LENGTH',
        reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9)',
        fields: ['Tomasz Lewandowski', '601 234 56', '', '', '', '', '', 'C-006'],
      },
      {
        kind: 'rejected',
        line: 11,
        column: 'Phone Number',
        value: '',
        code: 'EMPTY',
        reason: 'no phone number',
        fields: ['RAZEM', '', '', '', '', '', '', ''],
      },
      {
        kind: 'rejected',
        line: 12,
        column: 'Phone Number',
        value: '-----',
        code: 'NOT_A_NUMBER',
        reason: 'not a phone number: no digits in "-----"',
        fields: ['-----', '-----', '', '', '', '', '', ''],
      },
      {
        kind: 'rejected',
        line: 13,
        column: 'Phone Number',
        value: '4.86012E+10',
        code: 'NOT_A_NUMBER',
        reason:
          '"4.86012E+10" is a number in scientific notation: Excel dropped digits; format the phone column as Text',
        fields: ['Excel lost it', '4.86012E+10', '', '', '', '', '', 'C-007'],
      },
      accepted(14, {
        phone: '+48221234567',
        name: 'Maria Wójcik',
        externalId: 'C-008',
        timeZone: 'America/New_York',
        language: 'en-US',
        attributes: { 'e-mail': '', miejscowosc: 'Warszawa', segment: '' },
      }),
      {
        kind: 'rejected',
        line: 15,
        column: 'Time Zone',
        value: 'Europe/Warszawa',
        code: 'INVALID_TIME_ZONE',
        reason:
          '"Europe/Warszawa" is not an IANA time zone such as Europe/Warsaw (leave it empty to use the number\'s or the campaign\'s)',
        fields: ['Zła strefa', '+48 601 234 571', '', '', '', 'Europe/Warszawa', '', 'C-009'],
      },
      {
        kind: 'rejected',
        line: 16,
        column: 'Language',
        value: 'polski',
        code: 'INVALID_LANGUAGE',
        reason: '"polski" is not a language tag such as pl or pl-PL',
        fields: ['Zły język', '+48 601 234 572', '', '', '', '', 'polski', 'C-010'],
      },
      {
        kind: 'rejected',
        line: 17,
        column: 'Phone Number',
        value: '+48 701 234 567',
        code: 'PREMIUM_RATE',
        reason: '+48701234567 is a premium-rate number; the campaign does not allow premium numbers',
        fields: ['Premium', '+48 701 234 567', '', '', '', '', '', 'C-011'],
      },
      accepted(18, {
        phone: '+49301234567',
        country: 'DE',
        timeZone: 'Europe/Berlin',
        name: 'Hans Müller',
        externalId: 'C-012',
        language: 'de',
        attributes: { 'e-mail': '', miejscowosc: 'Berlin', segment: '' },
      }),
      // The US spans several zones: the campaign's applies.
      accepted(19, {
        phone: '+12125550123',
        country: 'US',
        name: 'John Smith',
        externalId: 'C-013',
        language: 'en',
        attributes: { 'e-mail': '', miejscowosc: 'New York', segment: '' },
      }),
    ]);
  });

  it('reads tab-separated lists without BOM, LF line ends and quoted values', async () => {
    const { header, rows } = await readFixture('tab-separated.csv');

    expect(header).toMatchObject({ delimiter: '\t', bom: false, phoneColumn: 'phone' });
    expect(rows).toEqual([
      accepted(2, { phone: '+48601234567', name: 'Jan', attributes: { city: 'Kraków' } }),
      accepted(3, { phone: '+48601234568', name: 'Nowak, Anna', attributes: { city: 'Gdańsk' } }),
      accepted(5, { phone: '+48602345678', name: 'Ola', attributes: { city: 'Łódź; centrum' } }),
    ]);
  });

  it('reads quoted values holding delimiters, quotes and line breaks, and rejects rows that grew a field', async () => {
    const { header, rows } = await readFixture('comma-quoted-multiline.csv');

    expect(header).toMatchObject({ delimiter: ',', bom: false });
    expect(rows).toEqual([
      accepted(2, { phone: '+48601234567', name: 'Kowalski, Jan', attributes: { notes: 'said "call me later"' } }),
      accepted(3, {
        phone: '+48601234568',
        name: 'Nowak',
        attributes: { notes: 'first line\nsecond line, with a comma' },
      }),
      accepted(6, { phone: '+48601234569', name: 'Multi\nline\nname', attributes: { notes: '' } }),
      {
        kind: 'rejected',
        line: 9,
        column: null,
        value: 'oops',
        code: 'TOO_MANY_FIELDS',
        reason: 'row has 4 fields but the header has 3: a value with an unquoted delimiter?',
        fields: ['601234570', 'Kowalski', ' Jan', 'oops'],
      },
      accepted(10, {
        phone: '+48601234571',
        name: 'Quote "inside" a quoted field',
        attributes: { notes: '=HYPERLINK("http://evil")' },
      }),
    ]);
  });

  it('counts CRLF, LF and CR line ends in one file alike', async () => {
    const { rows } = await readFixture('mixed-line-endings.csv');

    expect(rows.map((row) => [row.line, row.kind === 'accepted' ? row.contact.phone : row.kind])).toEqual([
      [2, '+48601234567'],
      [3, '+48601234568'],
      [4, '+48601234569'],
    ]);
  });

  it('takes the first non-blank line as the header and keeps counting lines from the top', async () => {
    const { header, rows } = await readFixture('leading-blank-lines.csv');

    expect(header.line).toBe(3);
    expect(rows).toEqual([accepted(4, { phone: '+48601234567', name: 'Jan' })]);
  });

  it('reports every special number with its own code', async () => {
    const { rows } = await readFixture('special-numbers.csv');

    expect(rows.map((row) => [row.line, row.kind === 'rejected' ? row.code : row.kind])).toEqual([
      [2, 'PREMIUM_RATE'],
      [3, 'SHARED_COST'],
      [4, 'accepted'],
      [5, 'SHORT_CODE'],
      [6, 'SHORT_CODE'],
      [7, 'EXTENSION'],
      [8, 'NON_GEOGRAPHIC'],
      [9, 'INVALID_COUNTRY_CODE'],
      [10, 'NOT_A_NUMBER'],
      [11, 'INVALID_LENGTH'],
      [12, 'accepted'],
    ]);
  });

  it('accepts premium-rate and shared-cost numbers when the campaign allows them', async () => {
    const { rows } = await readFixture('special-numbers.csv', {
      ...POLISH_CAMPAIGN,
      import: { ...POLISH_CAMPAIGN.import, allowPremium: true },
    });

    expect(rows.slice(0, 2)).toEqual([
      accepted(2, { phone: '+48701234567', attributes: { note: 'premium rate' } }),
      accepted(3, { phone: '+48801234567', attributes: { note: 'shared cost' } }),
    ]);
  });

  it('gives a header-only list no rows', async () => {
    const { header, rows } = await readFixture('header-only.csv');

    expect(header.phoneColumn).toBe('phone');
    expect(rows).toEqual([]);
  });

  it('gives the same outcomes however the bytes are split into chunks', async () => {
    const expected = await readFixture('excel-semicolon-bom-crlf.csv');
    const bytes = fixtureBytes('excel-semicolon-bom-crlf.csv');

    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }), async (sizes) => {
        const actual = await readAll(chunked(bytes, sizes));
        expect(actual).toEqual(expected);
      }),
      { numRuns: 60 },
    );
  });

  it('reads a stream of 1-byte chunks', async () => {
    const expected = await readFixture('comma-quoted-multiline.csv');

    await expect(readAll(fixtureStream('comma-quoted-multiline.csv', 1))).resolves.toEqual(expected);
  });

  it('rejects a row whose attributes exceed 16 KiB', async () => {
    const { rows } = await readBytes(`phone;notes\n601234567;${'x'.repeat(16 * 1024)}\n601234568;short\n`);

    expect(rows).toEqual([
      {
        kind: 'rejected',
        line: 2,
        column: null,
        value: null,
        code: 'ROW_TOO_LARGE',
        reason:
          "the row's name, external id and other columns take 16389 bytes; at most 16384 are allowed per contact " +
          '(Amazon Connect takes 32 KB of contact attributes): shorten the longest values',
        fields: ['601234567', 'x'.repeat(16 * 1024)],
      },
      accepted(3, { phone: '+48601234568', attributes: { notes: 'short' } }),
    ]);
  });

  it('prefers the campaign phone column listed first and keeps the other as an attribute', async () => {
    const { header, rows } = await readBytes('Tel,Phone,Tel\n601234567,601234568,601234569\n');

    expect(header.phoneColumn).toBe('Phone');
    expect(rows).toEqual([
      accepted(2, { phone: '+48601234568', attributes: { tel: '601234567', tel_2: '601234569' } }),
    ]);
  });
});

describe('readList: files that are not a list', () => {
  it('refuses an empty file', async () => {
    await expectListError(readFixture('empty.csv'), 'EMPTY_FILE', undefined, /the file is empty/);
  });

  it('refuses a file of blank lines', async () => {
    await expectListError(readFixture('blank-lines-only.csv'), 'EMPTY_FILE', undefined, /the file is empty/);
  });

  it('refuses a list whose first line is data', async () => {
    await expectListError(
      readFixture('no-header.csv'),
      'NO_HEADER',
      1,
      /^line 1: the first line is data \("\+48 601 234 567" is a phone number\), not a header/,
    );
  });

  it('names the headers it found when there is no phone column', async () => {
    await expectListError(
      readFixture('missing-phone-column.csv'),
      'NO_PHONE_COLUMN',
      1,
      /^line 1: no phone column in the header \(found "Name", "E-mail", "Miasto"\); name it one of phone, phone_number, number, msisdn, telefon, tel/,
    );
  });

  it('refuses Windows-1250 bytes, naming the line and the byte', async () => {
    await expectListError(
      readFixture('windows-1250.csv'),
      'INVALID_ENCODING',
      3,
      /^line 3: byte 0xA3 in "\uFFFDukasz .*" is not UTF-8: .*0xA3 is "Ł" in Windows-1250 but "£" in Windows-1252.*CSV UTF-8/,
    );
  });

  it('names the line of a byte that is not UTF-8 further down the file', async () => {
    await expectListError(
      readFixture('invalid-utf8-late.csv'),
      'INVALID_ENCODING',
      5,
      /^line 5: byte 0xE9 in "601234570,Caf\uFFFD" is not UTF-8/,
    );
  });

  it('yields the rows before a byte that is not UTF-8 beyond the first 64 KiB, then fails on its line', async () => {
    const rowsBefore = Array.from({ length: 5000 }, (_, index) => `${600_000_000 + index},Name ${index}\n`).join('');
    const bytes = Buffer.concat([
      Buffer.from(`phone,name\n${rowsBefore}601234570,Caf`),
      Buffer.from([0xe9]),
      Buffer.from('\n601234571,Piotr\n'),
    ]);
    const { rows } = await readList(chunked(bytes, [4096]), 'csv', POLISH_CAMPAIGN);
    let lastLine = 0;
    const reading = (async () => {
      for await (const row of rows) {
        lastLine = row.line;
      }
    })();

    await expectListError(reading, 'INVALID_ENCODING', 5002, /^line 5002: byte 0xE9 in "601234570,Caf\uFFFD"/);
    expect(lastLine).toBeGreaterThan(2000);
    expect(lastLine).toBeLessThan(5002);
  });

  it('counts leading empty lines in the line of a byte that is not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('\r\n\r\nphone;name\r\n601234567;Caf'), Buffer.from([0xe9, 0x0d, 0x0a])]);

    await expectListError(readBytes(bytes), 'INVALID_ENCODING', 4, /^line 4: byte 0xE9/);
  });

  it('refuses UTF-16 with a hint to save as CSV UTF-8', async () => {
    await expectListError(
      readFixture('utf16le-bom.csv'),
      'UNSUPPORTED_ENCODING',
      1,
      /UTF-16 \(little-endian\) text.*CSV UTF-8/,
    );
  });

  it('refuses binary data', async () => {
    await expectListError(readFixture('binary-garbage.csv'), 'BINARY_FILE', 3, /NUL bytes.*not a CSV list/);
  });

  it('names the line a never-closed quote starts on', async () => {
    const { rows } = await readList(fixtureStream('unclosed-quote.csv'), 'csv', POLISH_CAMPAIGN);
    const seen: number[] = [];
    const reading = (async () => {
      for await (const row of rows) {
        seen.push(row.line);
      }
    })();

    await expectListError(reading, 'MALFORMED_CSV', 3, /^line 3: a quoted value starting on this line is never closed/);
    expect(seen).toEqual([2]);
  });

  it('refuses an .xlsx workbook uploaded as CSV, and a CSV uploaded as xlsx', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('List').addRow(['phone']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());

    await expectListError(readBytes(xlsx, 'csv'), 'WRONG_FORMAT', undefined, /ZIP archive, probably an Excel \.xlsx/);
    await expectListError(readBytes('phone\n601234567\n', 'xlsx'), 'WRONG_FORMAT', undefined, /not an \.xlsx workbook/);
  });

  it('refuses a legacy .xls workbook', async () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]);

    await expectListError(readBytes(xls, 'csv'), 'WRONG_FORMAT', undefined, /legacy Excel 97-2003/);
    await expectListError(readBytes(xls, 'xlsx'), 'WRONG_FORMAT', undefined, /legacy Excel 97-2003/);
  });

  it('stops at maxRows', async () => {
    const { rows } = await readList(fixtureStream('excel-semicolon-bom-crlf.csv'), 'csv', POLISH_CAMPAIGN, {
      maxRows: 3,
    });
    const seen: number[] = [];
    const reading = (async () => {
      for await (const row of rows) {
        seen.push(row.line);
      }
    })();

    await expectListError(reading, 'TOO_MANY_ROWS', 6, /more than 3 rows/);
    expect(seen).toEqual([2, 3, 4]);
  });

  it('refuses settings it cannot use, naming the parameter', async () => {
    await expectListError(
      readFixture('header-only.csv', { ...POLISH_CAMPAIGN, defaultCountry: 'XX' }),
      'INVALID_SETTINGS',
      undefined,
      /defaultCountry "XX"/,
    );
    await expect(
      readFixture('header-only.csv', { ...POLISH_CAMPAIGN, timeZone: 'Mars/Olympus' }),
    ).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      parameter: 'timeZone',
    });
  });
});

describe('readList: XLSX', () => {
  async function workbookBytes(build: (workbook: ExcelJS.Workbook) => void): Promise<Buffer> {
    const workbook = new ExcelJS.Workbook();
    build(workbook);
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }

  it('reads the first worksheet with sheet row numbers, whatever type the cells have', async () => {
    const bytes = await workbookBytes((workbook) => {
      const sheet = workbook.addWorksheet('Lista');
      sheet.getRow(2).values = ['Telefon', 'Name', 'Joined', 'Score', 'Active'];
      sheet.getRow(3).values = [
        48601234567,
        { richText: [{ text: 'Jan ' }, { text: 'Kowalski', font: { bold: true } }] },
        new Date(Date.UTC(2024, 0, 15)),
        { formula: 'B1*2', result: 84 },
        true,
      ];
      sheet.getRow(4).values = ['+48 601 234 568', 'Anna', null, null, false, 'no header'];
      sheet.getRow(6).values = ['+48 601 234 567', 'Jan again'];
      sheet.getRow(7).values = ['n/a', 'Nobody'];
      workbook.addWorksheet('Other').getRow(1).values = ['phone', '601234599'];
    });

    const { header, rows } = await readAll(chunked(bytes, [1000]), 'xlsx', POLISH_CAMPAIGN);

    expect(header).toMatchObject({ format: 'xlsx', line: 2, phoneColumn: 'Telefon' });
    expect(header.delimiter).toBeUndefined();
    expect(rows).toEqual([
      accepted(3, {
        phone: '+48601234567',
        name: 'Jan Kowalski',
        attributes: { joined: '2024-01-15', score: '84', active: 'TRUE' },
      }),
      // Cells beyond the header cannot have shifted in a sheet: kept under their column number.
      accepted(4, {
        phone: '+48601234568',
        name: 'Anna',
        attributes: { joined: '', score: '', active: 'FALSE', column_6: 'no header' },
      }),
      { kind: 'duplicate', line: 6, phone: '+48601234567', firstLine: 3 },
      {
        kind: 'rejected',
        line: 7,
        column: 'Telefon',
        value: 'n/a',
        code: 'NOT_A_NUMBER',
        reason: 'not a phone number: "n/a" contains letters',
        fields: ['n/a', 'Nobody'],
      },
    ]);
  });

  it('refuses a workbook without a phone column, naming the sheet row', async () => {
    const bytes = await workbookBytes((workbook) => {
      workbook.addWorksheet('List').getRow(1).values = ['Imię', 'Nazwisko'];
    });

    await expectListError(readBytes(bytes, 'xlsx'), 'NO_PHONE_COLUMN', 1, /found "Imię", "Nazwisko"/);
  });

  it('refuses a workbook with nothing in its first sheet', async () => {
    const bytes = await workbookBytes((workbook) => {
      workbook.addWorksheet('Empty');
    });

    await expectListError(readBytes(bytes, 'xlsx'), 'EMPTY_FILE', undefined, /empty/);
  });

  it('refuses a damaged workbook', async () => {
    const bytes = await workbookBytes((workbook) => {
      workbook.addWorksheet('List').addRow(['phone']);
    });

    await expectListError(
      readBytes(bytes.subarray(0, bytes.length / 2), 'xlsx'),
      'MALFORMED_XLSX',
      undefined,
      /cannot be read/,
    );
  });
});
