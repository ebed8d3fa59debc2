/**
 * Bounded workbooks (issue 15, "XLSX decompression is unbounded"): zip bombs built here, read the way the import
 * reads them, in a process given the import Lambda's memory (512 MiB, the API's; the upload event has 1,024).
 * Each ends with its code, never out of memory, and no read leaves a temporary file behind.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readList } from '../../../../functions/core/import/list-reader.ts';
import { cell, repeated, sheet, WORKBOOK_PARTS, writeZip } from './zip-writer.ts';

const LAMBDA_MEMORY_MIB = 512;
const GiB = 1024 * 1024 * 1024;
const CHILD = resolve(import.meta.dirname, 'read-workbook-child.ts');
const run = promisify(execFile);
const settings = {
  defaultCountry: 'PL',
  timeZone: 'Europe/Warsaw',
  import: { phoneColumns: ['phone'], allowPremium: false },
};

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'xlsx-bombs-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Reads `file` in a child process with the Lambda's heap; its one JSON line. */
async function readInLambdaMemory(file: string, temporaryRoot: string) {
  const { stdout } = await run(
    process.execPath,
    [`--max-old-space-size=${LAMBDA_MEMORY_MIB}`, CHILD, file, temporaryRoot],
    { timeout: 120_000, maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
}

const { contentTypes, rels, workbook, workbookRels } = WORKBOOK_PARTS;

describe('zip bombs under the Lambda memory', () => {
  it('refuses a 2 MB workbook whose sharedStrings.xml inflates to 1 GB: SHARED_STRINGS_TOO_LARGE', async () => {
    const file = join(directory, 'shared-strings-bomb.xlsx');
    const strings = Math.ceil(GiB / 1_040);
    const size = await writeZip(file, [
      contentTypes,
      rels,
      workbook,
      workbookRels,
      {
        name: 'xl/sharedStrings.xml',
        content: [
          `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${strings}" uniqueCount="${strings}">`,
          ...repeated(`<si><t>${'a'.repeat(1_024)}</t></si>`, strings),
          '</sst>',
        ],
      },
      { name: 'xl/worksheets/sheet1.xml', content: sheet([[cell('A2', '601234567')]]) },
    ]);
    const temporary = await mkdtemp(join(directory, 'tmp-'));

    const result = await readInLambdaMemory(file, temporary);

    expect(size).toBeLessThan(3 * 1024 * 1024);
    expect(result).toMatchObject({ code: 'SHARED_STRINGS_TOO_LARGE' });
    expect(await readdir(temporary)).toEqual([]);
  }, 180_000);

  it('refuses a 1 GB single cell: CELL_TOO_LONG with its line', async () => {
    const file = join(directory, 'cell-bomb.xlsx');
    await writeZip(file, [
      contentTypes,
      rels,
      workbook,
      workbookRels,
      {
        name: 'xl/worksheets/sheet1.xml',
        content: sheet([
          [cell('A2', '601234567'), cell('B2', 'Anna')],
          [
            '<c r="A3" t="inlineStr"><is><t>601234568</t></is></c><c r="B3" t="inlineStr"><is><t>',
            ...repeated('x', GiB, 1024 * 1024),
            '</t></is></c>',
          ],
        ]),
        descriptor: true,
      },
    ]);
    const temporary = await mkdtemp(join(directory, 'tmp-'));

    const result = await readInLambdaMemory(file, temporary);

    expect(result).toMatchObject({ code: 'CELL_TOO_LONG', line: 3 });
    expect(await readdir(temporary)).toEqual([]);
  }, 180_000);

  it('refuses a sheet stored before workbook.xml that inflates past the budget, removing the temporary file', async () => {
    // exceljs parks a sheet that comes before workbook.xml in a temporary file: here it would grow to 1 GB.
    const file = join(directory, 'early-sheet-bomb.xlsx');
    await writeZip(file, [
      contentTypes,
      rels,
      {
        name: 'xl/worksheets/sheet1.xml',
        content: [
          '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
          ...repeated('<row><c t="inlineStr"><is><t>601234567</t></is></c></row>', Math.ceil(GiB / 56)),
          '</sheetData></worksheet>',
        ],
      },
      workbook,
      workbookRels,
    ]);
    const temporary = await mkdtemp(join(directory, 'tmp-'));

    const result = await readInLambdaMemory(file, temporary);

    expect(result).toMatchObject({ code: 'WORKBOOK_TOO_LARGE' });
    expect(await readdir(temporary)).toEqual([]);
  }, 300_000);

  it('refuses a row of 1,500 cells: TOO_MANY_COLUMNS with its line', async () => {
    const file = join(directory, 'wide.xlsx');
    const wide = Array.from({ length: 1_500 }, (_, index) => cell(`Z${index}`, 'x'));
    await writeZip(file, [
      contentTypes,
      rels,
      workbook,
      workbookRels,
      { name: 'xl/worksheets/sheet1.xml', content: sheet([[cell('A2', '601234567')], wide]) },
    ]);

    const bytes = await readFile(file);
    await expect(
      (async () => {
        const { rows } = await readList(Readable.from([bytes]), 'xlsx', settings);
        for await (const _row of rows) {
          // read to the end
        }
      })(),
    ).rejects.toMatchObject({ code: 'TOO_MANY_COLUMNS', line: 3 });
  });
});

describe('temporary files', () => {
  it('leaves none behind for a workbook exceljs wrote (its sheets come before workbook.xml)', async () => {
    const book = new ExcelJS.Workbook();
    const list = book.addWorksheet('List');
    list.addRow(['phone', 'name']);
    for (let row = 0; row < 50; row++) list.addRow([`60123${String(row).padStart(4, '0')}`, `Person ${row}`]);
    const bytes = Buffer.from(await book.xlsx.writeBuffer());
    const temporary = await mkdtemp(join(directory, 'tmp-'));

    const { rows } = await readList(Readable.from([bytes]), 'xlsx', settings, { xlsx: { temporaryRoot: temporary } });
    let accepted = 0;
    for await (const row of rows) if (row.kind === 'accepted') accepted++;

    expect(accepted).toBe(50);
    expect(await readdir(temporary)).toEqual([]);
    expect((await stat(temporary)).isDirectory()).toBe(true);
  });
});
