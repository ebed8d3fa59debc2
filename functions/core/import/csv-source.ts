/**
 * CSV lists: recognising what the bytes are, finding the delimiter, and streaming rows through csv-parse with their
 * physical line numbers. Memory stays flat: one chunk and its rows at a time.
 *
 * Encoding: UTF-8 only, with or without BOM. A UTF-16 or UTF-32 BOM is refused (`UNSUPPORTED_ENCODING`), and so are
 * bytes that are not UTF-8 (`INVALID_ENCODING`, naming the line and the byte). Such bytes nearly always mean a
 * Windows "ANSI" export, but Windows-1250 and Windows-1252 use the same bytes for different letters (0xA3 is `Ł` in
 * one, `£` in the other) and nothing in a list tells them apart reliably; a wrong guess would silently garble the
 * names a call script reads aloud. So the file is refused with the Excel steps to save it as CSV UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import { CsvError, parse } from 'csv-parse';
import type { ByteSource } from './byte-source.ts';
import { ListFormatError } from './list-format-error.ts';

export type CsvDelimiter = ',' | ';' | '\t';

/** How a CSV list is written. */
export interface CsvLayout {
  delimiter: CsvDelimiter;
  /** The file starts with a UTF-8 byte order mark (Excel's "CSV UTF-8" does). */
  bom: boolean;
}

/** One non-blank row as read, with the line it starts on. */
export interface SourceRow {
  line: number;
  fields: string[];
}

/** Bytes looked at before parsing: enough for the header and a few rows. */
const SNIFF_BYTES = 64 * 1024;
/** A header line longer than this is not a list. */
const MAX_HEADER_BYTES = 1024 * 1024;
/** Bound on one row (csv-parse's `max_record_size`, in characters): also stops a never-closed quote early. */
export const MAX_ROW_CHARACTERS = 1024 * 1024;
const DELIMITERS: readonly CsvDelimiter[] = ['\t', ';', ','];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Checks the start of a CSV list and returns its layout and its rows in batches (one batch per chunk read).
 *
 * Blank lines (nothing but white space and delimiters) are skipped, yet counted for line numbers.
 * @throws ListFormatError for an empty file, a file that is not UTF-8 text or not CSV at all; from the batches, for
 *   bytes that are not UTF-8 further down and for CSV that cannot be parsed, naming the line.
 */
export async function openCsv(
  source: ByteSource,
): Promise<{ layout: CsvLayout; batches: AsyncGenerator<SourceRow[]> }> {
  let head = await source.peek(SNIFF_BYTES);
  checkSignature(head);
  const bom = UTF8_BOM.every((byte, index) => head[index] === byte);
  let text = head.toString('utf8', bom ? 3 : 0);
  let lines = splitLines(text, source.exhausted);
  while (lines.length === 0 && !source.exhausted && head.length < MAX_HEADER_BYTES) {
    head = await source.peek(Math.min(head.length * 2, MAX_HEADER_BYTES));
    text = head.toString('utf8', bom ? 3 : 0);
    lines = splitLines(text, source.exhausted);
  }
  if (lines.length === 0) {
    if (source.exhausted) {
      throw new ListFormatError('EMPTY_FILE', 'the file is empty: it has no header and no rows');
    }
    throw new ListFormatError('MALFORMED_CSV', 'no line break in the first 1 MiB: this is not a CSV list', { line: 1 });
  }
  const layout: CsvLayout = { delimiter: detectDelimiter(lines), bom };
  return { layout, batches: parseRows(source, layout) };
}

/** The first complete non-blank lines of `text` (a quoted line break does not end a line), at most 10. */
function splitLines(text: string, complete: boolean): string[] {
  const lines: string[] = [];
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length && lines.length < 10; index++) {
    const character = text[index];
    if (character === '"') {
      quoted = !quoted;
    } else if (!quoted && (character === '\n' || character === '\r')) {
      const line = text.slice(start, index);
      if (!isBlankText(line)) {
        lines.push(line);
      }
      start = index + 1;
    }
  }
  const last = text.slice(start);
  if (complete && lines.length < 10 && !isBlankText(last)) {
    lines.push(last);
  }
  return lines;
}

function isBlankText(line: string): boolean {
  return /^[\s,;]*$/.test(line);
}

/**
 * The delimiter the header uses most (outside quotes). When two are used equally often, the one whose count on the
 * following lines matches the header's most often wins; then tab, semicolon, comma, in that order (the rarer a
 * character is inside values, the likelier it is the delimiter). A one-column header gets a comma.
 */
function detectDelimiter(lines: readonly string[]): CsvDelimiter {
  const [header, ...following] = lines.map(countDelimiters);
  let best: CsvDelimiter = ',';
  let bestInHeader = 0;
  let bestConsistent = 0;
  for (const delimiter of DELIMITERS) {
    const inHeader = header?.get(delimiter) ?? 0;
    const consistent = following.filter((line) => line.get(delimiter) === inHeader).length;
    if (inHeader > bestInHeader || (inHeader === bestInHeader && inHeader > 0 && consistent > bestConsistent)) {
      best = delimiter;
      bestInHeader = inHeader;
      bestConsistent = consistent;
    }
  }
  return best;
}

function countDelimiters(line: string): Map<string, number> {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const character of line) {
    if (character === '"') {
      quoted = !quoted;
    } else if (!quoted && (character === ',' || character === ';' || character === '\t')) {
      counts.set(character, (counts.get(character) ?? 0) + 1);
    }
  }
  return counts;
}

/** Refuses files that are recognisably not UTF-8 CSV text, with what they are and what to do. */
function checkSignature(head: Buffer): void {
  const startsWith = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
  const saveAs = 'in Excel use Save As → "CSV UTF-8 (Comma delimited) (*.csv)"';
  if (startsWith(0xff, 0xfe, 0x00, 0x00) || startsWith(0x00, 0x00, 0xfe, 0xff)) {
    throw new ListFormatError('UNSUPPORTED_ENCODING', `the file is UTF-32 text; only UTF-8 is read: ${saveAs}`, {
      line: 1,
    });
  }
  if (startsWith(0xff, 0xfe) || startsWith(0xfe, 0xff)) {
    const order = head[0] === 0xff ? 'little-endian' : 'big-endian';
    throw new ListFormatError(
      'UNSUPPORTED_ENCODING',
      `the file is UTF-16 (${order}) text, such as Excel's "Unicode Text" export; only UTF-8 is read: ${saveAs}`,
      { line: 1 },
    );
  }
  if (startsWith(0x50, 0x4b, 0x03, 0x04)) {
    throw new ListFormatError(
      'WRONG_FORMAT',
      'the file is a ZIP archive, probably an Excel .xlsx workbook: upload it as xlsx, or save it as CSV',
    );
  }
  if (startsWith(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1)) {
    throw new ListFormatError(
      'WRONG_FORMAT',
      'the file is a legacy Excel 97-2003 (.xls) workbook, which is not read: save it as .xlsx or as CSV UTF-8',
    );
  }
  if (startsWith(0x25, 0x50, 0x44, 0x46)) {
    throw new ListFormatError('WRONG_FORMAT', 'the file is a PDF document, not a CSV list');
  }
  if (startsWith(0x1f, 0x8b)) {
    throw new ListFormatError('WRONG_FORMAT', 'the file is gzip-compressed: upload the CSV inside it');
  }
  const nul = head.indexOf(0);
  if (nul >= 0) {
    const utf16 = head.length >= 4 && (head[1] === 0 || head[0] === 0) && head[3] === head[1] && head[2] === head[0];
    throw new ListFormatError(
      utf16 ? 'UNSUPPORTED_ENCODING' : 'BINARY_FILE',
      utf16
        ? `the file looks like UTF-16 text without a byte order mark; only UTF-8 is read: ${saveAs}`
        : `the file contains NUL bytes (first at byte ${nul}): it is binary data, not a CSV list`,
      { line: lineAt(head, nul, 0) },
    );
  }
  let controls = 0;
  for (const byte of head) {
    if ((byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c) || byte === 0x7f) {
      controls++;
    }
  }
  if (controls > Math.max(8, head.length / 100)) {
    throw new ListFormatError(
      'BINARY_FILE',
      `the file has ${controls} control characters in its first ${head.length} bytes: it is binary data, not a CSV list`,
    );
  }
}

async function* parseRows(source: ByteSource, layout: CsvLayout): AsyncGenerator<SourceRow[]> {
  let records: string[][] = [];
  const parser = parse({
    delimiter: layout.delimiter,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_quotes: true,
    relax_column_count: true,
    max_record_size: MAX_ROW_CHARACTERS,
    // Collecting records here instead of reading them from the stream saves a stream push and an await per row.
    on_record: (record: string[]) => {
      records.push(record);
      return null;
    },
  });
  // Errors are read from `parser.errored` after each write and from the `end` callback, never from the event.
  parser.on('error', () => {});
  let nextLine = 1;
  let linesBefore = 0;
  let carry: Buffer | undefined;
  let first = true;

  const take = (): SourceRow[] => {
    const rows: SourceRow[] = [];
    for (const fields of records) {
      const line = nextLine;
      nextLine += 1 + lineBreaks(fields);
      if (!isBlank(fields)) {
        rows.push({ line, fields });
      }
    }
    records = [];
    return rows;
  };
  const failIfErrored = (error: Error | null | undefined) => {
    if (error !== null && error !== undefined) {
      throw csvFormatError(error, nextLine);
    }
  };

  try {
    for (let chunk = await source.next(); chunk !== undefined; chunk = await source.next()) {
      if (first) {
        first = false;
        chunk = layout.bom ? chunk.subarray(3) : chunk;
        // csv-parse takes its first record's width as the norm and builds (then drops, as the width is relaxed) an
        // error for every record of another width: ~13 µs each, 10 times the cost of a row. An empty first line
        // would make every row pay, so leading empty lines are counted here instead of parsed.
        const skipped = leadingLineBreaks(chunk);
        nextLine += skipped.lines;
        linesBefore += skipped.lines;
        chunk = chunk.subarray(skipped.bytes);
      }
      if (carry !== undefined) {
        chunk = Buffer.concat([carry, chunk]);
      }
      const complete = completeUtf8Length(chunk);
      carry = complete < chunk.length ? chunk.subarray(complete) : undefined;
      const body = complete < chunk.length ? chunk.subarray(0, complete) : chunk;
      if (!isUtf8(body)) {
        throw encodingError(body, firstInvalidUtf8(body), linesBefore);
      }
      const nul = body.indexOf(0);
      if (nul >= 0) {
        throw new ListFormatError('BINARY_FILE', 'the file contains a NUL byte: it is binary data, not a CSV list', {
          line: lineAt(body, nul, linesBefore),
        });
      }
      if (body.length === 0) {
        continue;
      }
      linesBefore += countLineFeeds(body);
      parser.write(body);
      const rows = take();
      failIfErrored(parser.errored);
      if (rows.length > 0) {
        yield rows;
      }
    }
    if (carry !== undefined) {
      throw encodingError(carry, 0, linesBefore, 'the file ends in the middle of a UTF-8 character');
    }
    const endError = await new Promise<Error | null | undefined>((resolve) => parser.end(resolve));
    const rows = take();
    failIfErrored(endError ?? parser.errored);
    if (rows.length > 0) {
      yield rows;
    }
  } finally {
    parser.destroy();
    await source.close();
  }
}

/** The empty lines a chunk starts with: their count and their length in bytes. */
function leadingLineBreaks(chunk: Buffer): { lines: number; bytes: number } {
  let lines = 0;
  let index = 0;
  while (index < chunk.length) {
    if (chunk[index] === 0x0d) {
      index += chunk[index + 1] === 0x0a ? 2 : 1;
    } else if (chunk[index] === 0x0a) {
      index++;
    } else {
      break;
    }
    lines++;
  }
  return { lines, bytes: index };
}

/** Line breaks inside quoted fields (CRLF counts once), so the next record's line is known. */
function lineBreaks(fields: readonly string[]): number {
  let breaks = 0;
  for (const field of fields) {
    if (field.indexOf('\n') < 0 && field.indexOf('\r') < 0) {
      continue;
    }
    for (let index = 0; index < field.length; index++) {
      const code = field.charCodeAt(index);
      if (code === 0x0a || (code === 0x0d && field.charCodeAt(index + 1) !== 0x0a)) {
        breaks++;
      }
    }
  }
  return breaks;
}

/** Nothing but white space in every field: an empty line, or an Excel row of empty cells (`;;;`). */
function isBlank(fields: readonly string[]): boolean {
  for (const field of fields) {
    if (field !== '' && field.trim() !== '') {
      return false;
    }
  }
  return true;
}

function csvFormatError(error: Error, line: number): ListFormatError {
  if (error instanceof CsvError) {
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new ListFormatError(
          'MALFORMED_CSV',
          'a quoted value starting on this line is never closed (a stray " character?)',
          { line },
        );
      case 'CSV_MAX_RECORD_SIZE':
        return new ListFormatError(
          'MALFORMED_CSV',
          `the row starting on this line is longer than ${MAX_ROW_CHARACTERS} characters: a quote opened on it is probably never closed`,
          { line },
        );
      default:
        return new ListFormatError('MALFORMED_CSV', `cannot parse the CSV: ${error.message}`, { line });
    }
  }
  return new ListFormatError('MALFORMED_CSV', `cannot parse the CSV: ${error.message}`, { line });
}

/** Length of `chunk` without a UTF-8 sequence cut off at its end (that part is kept for the next chunk). */
function completeUtf8Length(chunk: Buffer): number {
  const length = chunk.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = chunk[length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) {
      continue;
    }
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return back < needed ? length - back : length;
    }
    return length;
  }
  return length;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (only called when there is one). */
function firstInvalidUtf8(bytes: Buffer): number {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index] ?? 0;
    if (byte < 0x80) {
      index++;
      continue;
    }
    const length =
      byte >= 0xc2 && byte <= 0xdf ? 2 : byte >= 0xe0 && byte <= 0xef ? 3 : byte >= 0xf0 && byte <= 0xf4 ? 4 : 0;
    if (length === 0 || index + length > bytes.length || !isUtf8(bytes.subarray(index, index + length))) {
      return index;
    }
    index += length;
  }
  return bytes.length;
}

function encodingError(bytes: Buffer, offset: number, linesBefore: number, problem?: string): ListFormatError {
  const byte = bytes[offset] ?? 0;
  const hex = `0x${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  const meanings = [legacyCharacter(byte, 'windows-1250'), legacyCharacter(byte, 'windows-1252')];
  const [inCentralEuropean, inWestern] = meanings;
  const meaning =
    inCentralEuropean === undefined || inWestern === undefined
      ? ''
      : inCentralEuropean === inWestern
        ? ` (${hex} is "${inCentralEuropean}" in Windows-1250 and -1252 alike)`
        : ` (${hex} is "${inCentralEuropean}" in Windows-1250 but "${inWestern}" in Windows-1252, so it is not guessed)`;
  const context = bytes
    .toString('utf8', Math.max(0, offset - 24), offset + 24)
    .split(/[\r\n]/)
    .find((part) => part.includes('\uFFFD'));
  return new ListFormatError(
    'INVALID_ENCODING',
    `${problem ?? `byte ${hex}${context === undefined ? '' : ` in "${context.trim()}"`} is not UTF-8`}: the file was ` +
      `probably saved in a Windows "ANSI" code page${meaning}; in Excel use Save As → "CSV UTF-8 (Comma delimited) (*.csv)"`,
    { line: lineAt(bytes, offset, linesBefore) },
  );
}

function legacyCharacter(byte: number, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding).decode(Uint8Array.of(byte));
  } catch {
    return undefined;
  }
}

function lineAt(bytes: Buffer, offset: number, linesBefore: number): number {
  return linesBefore + countLineFeeds(bytes.subarray(0, offset)) + 1;
}

function countLineFeeds(bytes: Buffer): number {
  let count = 0;
  for (let index = bytes.indexOf(0x0a); index >= 0; index = bytes.indexOf(0x0a, index + 1)) {
    count++;
  }
  return count;
}
