/**
 * The one error a list import throws: the file as a whole cannot be read (as opposed to a row that is rejected,
 * which is reported as a `rejected` row and never thrown).
 */

/** Why a whole list was refused. Stable machine codes: the API and the operator UI switch on them. */
export const LIST_FORMAT_ERROR_CODES = [
  /** Zero bytes, or nothing but a BOM, white space and blank lines. */
  'EMPTY_FILE',
  /** The first non-blank line is data (it holds a phone number), not column names. */
  'NO_HEADER',
  /** The header names no column that holds phone numbers. */
  'NO_PHONE_COLUMN',
  /** Bytes that are not UTF-8, e.g. a Windows-1250/1252 ("ANSI") export. */
  'INVALID_ENCODING',
  /** A Unicode encoding other than UTF-8, recognised by its byte order mark (UTF-16, UTF-32). */
  'UNSUPPORTED_ENCODING',
  /** NUL or other control bytes: not a text file at all. */
  'BINARY_FILE',
  /** A recognisable file of another kind (an .xlsx uploaded as CSV, a legacy .xls, a PDF, a gzip archive). */
  'WRONG_FORMAT',
  /** CSV structure that cannot be parsed, such as a quoted field that is never closed. */
  'MALFORMED_CSV',
  /** An .xlsx workbook that cannot be read. */
  'MALFORMED_XLSX',
  /** More data rows than the import accepts (a bound on memory: see `ReadListOptions.maxRows`). */
  'TOO_MANY_ROWS',
  /** The campaign settings given to the reader cannot be used (e.g. an unknown default country). */
  'INVALID_SETTINGS',
  /** An .xlsx workbook that inflates beyond the import's budget, in all or in one part (see `WorkbookBudgets`). */
  'WORKBOOK_TOO_LARGE',
  /** An .xlsx workbook whose shared-string table inflates beyond its budget (the reader holds it in memory). */
  'SHARED_STRINGS_TOO_LARGE',
  /** A cell longer than any contact can hold (an .xlsx cell or shared string beyond `maxCellBytes`). */
  'CELL_TOO_LONG',
  /** An .xlsx row with more cells than a list has columns (`maxColumns`). */
  'TOO_MANY_COLUMNS',
] as const;
export type ListFormatErrorCode = (typeof LIST_FORMAT_ERROR_CODES)[number];

/** Where in the file (or in the settings) the problem is. */
export interface ListFormatErrorLocation {
  /** 1-based physical line (CSV) or sheet row number (XLSX). */
  line?: number;
  /** Header of the column concerned. */
  column?: string;
  /** Name of the settings parameter concerned, e.g. `defaultCountry`. */
  parameter?: string;
}

/**
 * The list cannot be imported at all. `message` is written for the operator and already names the line, column or
 * parameter; `code` is for programs.
 */
export class ListFormatError extends Error {
  readonly code: ListFormatErrorCode;
  readonly line: number | undefined;
  readonly column: string | undefined;
  readonly parameter: string | undefined;

  constructor(code: ListFormatErrorCode, message: string, location: ListFormatErrorLocation = {}) {
    super(location.line === undefined ? message : `line ${location.line}: ${message}`);
    this.name = 'ListFormatError';
    this.code = code;
    this.line = location.line;
    this.column = location.column;
    this.parameter = location.parameter;
  }
}
