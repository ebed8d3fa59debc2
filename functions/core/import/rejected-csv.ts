/**
 * The rejected-rows file: the rows an import refused, as they were, plus why, so the operator can fix them in Excel
 * and upload them again.
 */
import { compactHeaderName } from './header.ts';
import type { RejectedRow, RowResult } from './row-validator.ts';

export interface RejectedCsvOptions {
  /** Delimiter, normally the uploaded file's (so Excel in the operator's locale splits it the same way); default `,`. */
  delimiter?: ',' | ';' | '\t';
  /**
   * Header of the added column; default `reason`. When the list already has a column of that name, `import_reason`
   * (then `import_reason_2`, …) is used instead.
   */
  reasonColumn?: string;
  /** Start with a UTF-8 BOM, without which Excel reads UTF-8 CSV as ANSI; default true. */
  bom?: boolean;
}

/**
 * Writes the rejected rows of an import as CSV, in chunks (header first): the original header and cells, every row
 * padded to the header's width, and a last column with the reason, e.g. `line 7: number is too short for PL (8
 * digits…)`. Accepted and duplicate rows in `rows` are skipped, so the reader's output can be passed straight in.
 *
 * Cells are escaped against formula injection: one starting with `=`, `+`, `-`, `@`, tab or carriage return gets a
 * leading `'` (OWASP), which the reader removes again when the file comes back. An exact E.164 number (`+48601234567`)
 * is the one exception, written as is.
 *
 * @param headers - The list's header cells as read (`ListHeader.headers`).
 */
export async function* rejectedCsv(
  headers: readonly string[],
  rows: AsyncIterable<RowResult> | Iterable<RowResult>,
  options: RejectedCsvOptions = {},
): AsyncGenerator<string> {
  const delimiter = options.delimiter ?? ',';
  const reasonColumn = uniqueColumnName(options.reasonColumn ?? 'reason', headers);
  yield `${options.bom === false ? '' : '\uFEFF'}${csvLine([...headers, reasonColumn], delimiter)}`;
  for await (const row of rows) {
    if (row.kind === 'rejected') {
      yield rejectedLine(row, headers.length, delimiter);
    }
  }
}

/** One rejected row as a CSV line (CRLF-terminated), padded to `width` cells before the reason. */
export function rejectedLine(row: RejectedRow, width: number, delimiter: ',' | ';' | '\t' = ','): string {
  const cells = [...row.fields];
  while (cells.length < width) {
    cells.push('');
  }
  cells.push(`line ${row.line}: ${row.reason}`);
  return csvLine(cells, delimiter);
}

/** `+` and 8 to 15 digits, nothing else: the shape of every phone number the engine stores. */
const E164 = /^\+\d{8,15}$/;

/**
 * One cell for a CSV file that spreadsheets will open: formula-like values defused with a leading `'`, values with
 * the delimiter, quotes or line breaks quoted. An exact E.164 number is left as is: a `+` and digits alone cannot
 * run anything in a spreadsheet (Excel reads it as a number), and a `'` in front would end up in every CRM or script
 * that imports the phone column.
 */
export function escapeCsvCell(value: string, delimiter: ',' | ';' | '\t' = ','): string {
  const defused = /^[=+\-@\t\r]/.test(value) && !E164.test(value) ? `'${value}` : value;
  return defused.includes(delimiter) || /["\r\n]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

function csvLine(cells: readonly string[], delimiter: ',' | ';' | '\t'): string {
  return `${cells.map((cell) => escapeCsvCell(cell, delimiter)).join(delimiter)}\r\n`;
}

function uniqueColumnName(wanted: string, headers: readonly string[]): string {
  const taken = new Set(headers.map(compactHeaderName));
  if (!taken.has(compactHeaderName(wanted))) {
    return wanted;
  }
  let candidate = 'import_reason';
  for (let suffix = 2; taken.has(compactHeaderName(candidate)); suffix++) {
    candidate = `import_reason_${suffix}`;
  }
  return candidate;
}
