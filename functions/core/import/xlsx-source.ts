/**
 * XLSX lists: the first worksheet of a workbook, streamed row by row with exceljs's `WorkbookReader`.
 *
 * Bounds: the bytes pass a {@link ZipGuard} before exceljs sees them, so nothing exceljs parses or holds (the
 * shared-string table, which the format requires in memory; styles; one cell; one row) can exceed the workbook
 * budgets (`WORKBOOK_TOO_LARGE`, `SHARED_STRINGS_TOO_LARGE`, `CELL_TOO_LONG`, `TOO_MANY_COLUMNS`).
 *
 * Temporary files: when a workbook stores its sheets before `xl/workbook.xml` or the shared strings (exceljs's own
 * workbooks do), exceljs parks the sheets in temporary files made with the `tmp` package (`tmp.file`, in
 * `os.tmpdir()`: /tmp in Lambda) and removes one only after reading its sheet to the end, which a reader that stops
 * after the first sheet never does. Each read therefore gets its own directory, which those files go to and which
 * is removed when the read ends, however it ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import tmp from 'tmp';
import type { ByteSource } from './byte-source.ts';
import type { SourceRow } from './csv-source.ts';
import { ListFormatError } from './list-format-error.ts';
import { DEFAULT_WORKBOOK_BUDGETS, type WorkbookBudgets, ZipGuard } from './zip-guard.ts';

/** The temporary directory of the read in progress (per async context, so concurrent reads keep theirs apart). */
const readDirectory = new AsyncLocalStorage<string>();
const originalTmpFile = tmp.file.bind(tmp);
// exceljs calls `tmp.file(callback)`: within a read, its files go to that read's directory.
tmp.file = (options, callback) => {
  const directory = readDirectory.getStore();
  if (directory === undefined) return originalTmpFile(options, callback);
  if (typeof options === 'function') return originalTmpFile({ tmpdir: directory }, options);
  return originalTmpFile({ ...options, tmpdir: directory }, callback);
};

/** Where a read keeps its temporary files: a new directory under the system's, removed when the read ends. */
export interface XlsxReadOptions {
  budgets?: WorkbookBudgets;
  /** Parent of the read's own temporary directory; default `os.tmpdir()`. */
  temporaryRoot?: string;
}

/** Rows handed on at a time. */
const BATCH_ROWS = 512;

/**
 * Checks that the bytes are an .xlsx workbook and returns its first worksheet's non-blank rows in batches, each with
 * its sheet row number.
 * @throws ListFormatError `WRONG_FORMAT` for anything that is not a ZIP archive; from the batches, `MALFORMED_XLSX`
 *   when the workbook cannot be read and `EMPTY_FILE` when it has no worksheet.
 */
export async function openXlsx(
  source: ByteSource,
  options: XlsxReadOptions = {},
): Promise<{ batches: AsyncGenerator<SourceRow[]> }> {
  const head = await source.peek(8);
  if (head.length === 0) {
    throw new ListFormatError('EMPTY_FILE', 'the file is empty: it has no header and no rows');
  }
  if (!(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)) {
    const legacy = head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0;
    throw new ListFormatError(
      'WRONG_FORMAT',
      legacy
        ? 'the file is a legacy Excel 97-2003 (.xls) workbook, which is not read: save it as .xlsx or as CSV UTF-8'
        : 'the file is not an .xlsx workbook (it does not start like a ZIP archive): upload CSV files as csv',
    );
  }
  return { batches: readRows(source, options) };
}

async function* readRows(source: ByteSource, options: XlsxReadOptions): AsyncGenerator<SourceRow[]> {
  const directory = await mkdtemp(join(options.temporaryRoot ?? tmpdir(), 'xlsx-read-'));
  const input = Readable.from(source.chunks(), { objectMode: false });
  const guard = new ZipGuard(options.budgets ?? DEFAULT_WORKBOOK_BUDGETS);
  input.pipe(guard);
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(guard, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell dates from numbers.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  /**
   * The next value of one of exceljs's iterators, in this read's temporary directory, or the guard's error: a
   * workbook over budget stalls exceljs (the guard hands it nothing more), so exceljs is raced, never awaited alone.
   */
  const next = <T>(iterator: AsyncIterator<T>): Promise<IteratorResult<T>> =>
    Promise.race([readDirectory.run(directory, () => iterator.next()), guard.failure]);
  let sheets = 0;
  try {
    const worksheets = workbook[Symbol.asyncIterator]();
    // Only the first worksheet is a list; the rest of the workbook is not read.
    const sheet = await next(worksheets);
    if (sheet.done !== true) {
      const worksheet = sheet.value;
      sheets++;
      let batch: SourceRow[] = [];
      const rows = worksheet[Symbol.asyncIterator]();
      for (let item = await next(rows); item.done !== true; item = await next(rows)) {
        const row = item.value;
        const fields: string[] = [];
        row.eachCell({ includeEmpty: false }, (cell, column) => {
          fields[column - 1] = cellText(cell.value);
        });
        for (let index = 0; index < fields.length; index++) {
          fields[index] ??= '';
        }
        if (fields.some((field) => field.trim() !== '')) {
          batch.push({ line: row.number, fields });
        }
        if (batch.length >= BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) {
        yield batch;
      }
    }
  } catch (error) {
    if (error instanceof ListFormatError) {
      throw error;
    }
    throw new ListFormatError(
      'MALFORMED_XLSX',
      `the workbook cannot be read (${error instanceof Error ? error.message : String(error)}): open it in Excel and save it again`,
    );
  } finally {
    input.unpipe(guard);
    input.destroy();
    guard.destroy();
    await source.close();
    await rm(directory, { recursive: true, force: true });
  }
  if (sheets === 0) {
    throw new ListFormatError('EMPTY_FILE', 'the workbook has no worksheet');
  }
}

/** A cell as the text a CSV export of it would hold. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number') {
    // Phone numbers typed as numbers: 48601234567 must not become 4.86012E+10.
    return Number.isInteger(value) && Math.abs(value) < 1e21 ? value.toFixed(0) : String(value);
  }
  if (typeof value === 'boolean') {
    return value ? 'TRUE' : 'FALSE';
  }
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof value === 'object') {
    if ('richText' in value && Array.isArray(value.richText)) {
      return value.richText.map((run: unknown) => (isObject(run) && 'text' in run ? cellText(run.text) : '')).join('');
    }
    if ('result' in value) {
      return cellText(value.result);
    }
    if ('formula' in value || 'sharedFormula' in value) {
      return '';
    }
    if ('text' in value) {
      return cellText(value.text);
    }
    if ('error' in value) {
      return cellText(value.error);
    }
  }
  return String(value);
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}
