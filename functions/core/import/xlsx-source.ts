/**
 * XLSX lists: the first worksheet of a workbook, streamed row by row with exceljs's `WorkbookReader`.
 *
 * Memory: rows are streamed, but the workbook's shared-string table (every distinct text in it) is held in memory,
 * as the format requires; when a workbook stores its sheets before that table, exceljs parks the sheets in temporary
 * files (in Lambda, under /tmp).
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ByteSource } from './byte-source.ts';
import type { SourceRow } from './csv-source.ts';
import { ListFormatError } from './list-format-error.ts';

/** Rows handed on at a time. */
const BATCH_ROWS = 512;

/**
 * Checks that the bytes are an .xlsx workbook and returns its first worksheet's non-blank rows in batches, each with
 * its sheet row number.
 * @throws ListFormatError `WRONG_FORMAT` for anything that is not a ZIP archive; from the batches, `MALFORMED_XLSX`
 *   when the workbook cannot be read and `EMPTY_FILE` when it has no worksheet.
 */
export async function openXlsx(source: ByteSource): Promise<{ batches: AsyncGenerator<SourceRow[]> }> {
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
  return { batches: readRows(source) };
}

async function* readRows(source: ByteSource): AsyncGenerator<SourceRow[]> {
  const input = Readable.from(source.chunks(), { objectMode: false });
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Styles tell dates from numbers.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  try {
    for await (const worksheet of workbook) {
      sheets++;
      let batch: SourceRow[] = [];
      for await (const row of worksheet) {
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
      // Only the first worksheet is a list; the rest of the workbook is not read.
      break;
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
    input.destroy();
    await source.close();
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
