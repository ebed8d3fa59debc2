/**
 * The daily list import, pure part: bytes of a CSV or XLSX list in, one outcome per data row out. Storage, S3 and
 * the API are the adapters' business; nothing here talks to AWS.
 *
 * ```ts
 * const { header, rows } = await readList(body, 'csv', campaign);
 * const summariser = new ImportSummariser();
 * for await (const row of rows) {
 *   summariser.add(row);
 *   if (row.kind === 'accepted') await store.put(row.contact); // conditional write: dupes of earlier imports
 * }
 * ```
 */
import { type CountryCode, isSupportedCountry } from 'libphonenumber-js/max';
import type { Campaign } from '../campaign.ts';
import { ByteSource, type ListInput } from './byte-source.ts';
import { type CsvDelimiter, openCsv, type SourceRow } from './csv-source.ts';
import { analyseHeader, type ListColumns } from './header.ts';
import { ListFormatError } from './list-format-error.ts';
import { type RowResult, RowValidator } from './row-validator.ts';
import { resolveTimeZoneName } from './time-zone.ts';
import { openXlsx, type XlsxReadOptions } from './xlsx-source.ts';

export type { ListInput } from './byte-source.ts';

export type ListFileFormat = 'csv' | 'xlsx';

/** What the reader needs from a campaign (a whole `Campaign` will do). */
export interface ReadListSettings {
  defaultCountry: Campaign['defaultCountry'];
  timeZone: Campaign['timeZone'];
  import: Pick<Campaign['import'], 'phoneColumns' | 'allowPremium'>;
}

export interface ReadListOptions {
  /**
   * Data rows (blank lines not counted) a list may have; the next one is a `TOO_MANY_ROWS` error, thrown after the
   * allowed rows have been yielded. Bounds the memory of the duplicate check: about 24 bytes per accepted number,
   * 48 MiB (72 MiB while growing) at the default 2,000,000.
   */
  maxRows?: number;
  /** Workbook budgets and where a workbook's temporary files go (XLSX only; see `xlsx-source.ts`). */
  xlsx?: XlsxReadOptions;
}

export const DEFAULT_MAX_ROWS = 2_000_000;

/** What the reader found out about the file, before any data row. */
export interface ListHeader extends ListColumns {
  format: ListFileFormat;
  /** CSV only. */
  delimiter?: CsvDelimiter;
  /** CSV only: the file starts with a UTF-8 byte order mark. */
  bom?: boolean;
}

export interface ListReading {
  header: ListHeader;
  /**
   * One outcome per non-blank data row, in file order. Iterate it once, to the end or until it throws; to give up
   * early, `break` out of the loop or call `rows.return()`, which closes the input.
   */
  rows: AsyncGenerator<RowResult, void, undefined>;
}

/**
 * Opens a list and reads its header.
 *
 * CSV: UTF-8 (with or without BOM), delimiter `,` `;` or tab detected from the first lines, quoted fields,
 * CRLF/LF/CR line ends; line numbers are physical lines, the header's included. XLSX: the first worksheet; line
 * numbers are sheet row numbers. In both, the header is the first non-blank row, and blank rows are skipped
 * without being counted as rejections.
 *
 * @param input - The file's bytes: a Readable (S3 `GetObject` body, file stream) or any async iterable of chunks.
 * @throws ListFormatError when the file cannot be a list at all (see `LIST_FORMAT_ERROR_CODES`); iterating `rows`
 *   throws it too for problems found further down (bytes that are not UTF-8, an unclosed quote, too many rows).
 */
export async function readList(
  input: ListInput,
  format: ListFileFormat,
  settings: ReadListSettings,
  options: ReadListOptions = {},
): Promise<ListReading> {
  const { country, timeZone } = checkSettings(settings);
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  const source = new ByteSource(input);
  let opened: { batches: AsyncGenerator<SourceRow[]>; delimiter?: CsvDelimiter; bom?: boolean };
  try {
    if (format === 'csv') {
      const csv = await openCsv(source);
      opened = { batches: csv.batches, delimiter: csv.layout.delimiter, bom: csv.layout.bom };
    } else {
      opened = await openXlsx(source, options.xlsx);
    }
  } catch (error) {
    await source.close();
    throw error;
  }

  const { batches } = opened;
  let pending: SourceRow[] = [];
  let headerRow: SourceRow | undefined;
  try {
    while (headerRow === undefined) {
      const batch = await batches.next();
      if (batch.done === true) {
        throw new ListFormatError('EMPTY_FILE', 'the file is empty: it has no header and no rows');
      }
      [headerRow, ...pending] = batch.value;
    }
  } catch (error) {
    await batches.return(undefined);
    throw error;
  }

  let columns: ListColumns;
  try {
    columns = analyseHeader(headerRow.fields, headerRow.line, settings.import.phoneColumns, country);
  } catch (error) {
    await batches.return(undefined);
    throw error;
  }
  const header: ListHeader = { format, ...columns };
  if (opened.delimiter !== undefined) {
    header.delimiter = opened.delimiter;
  }
  if (opened.bom !== undefined) {
    header.bom = opened.bom;
  }
  const validator = new RowValidator(columns, {
    defaultCountry: country,
    timeZone,
    allowPremium: settings.import.allowPremium,
    extraFields: format === 'csv' ? 'reject' : 'keep',
  });
  return { header, rows: validateRows(pending, batches, validator, maxRows) };
}

async function* validateRows(
  first: readonly SourceRow[],
  batches: AsyncGenerator<SourceRow[]>,
  validator: RowValidator,
  maxRows: number,
): AsyncGenerator<RowResult, void, undefined> {
  let count = 0;
  try {
    for (let batch: readonly SourceRow[] | undefined = first; batch !== undefined; ) {
      for (const row of batch) {
        count++;
        if (count > maxRows) {
          throw new ListFormatError(
            'TOO_MANY_ROWS',
            `the list has more than ${maxRows} rows; split it into several files`,
            { line: row.line },
          );
        }
        yield validator.check(row.line, row.fields);
      }
      const next = await batches.next();
      batch = next.done === true ? undefined : next.value;
    }
  } finally {
    await batches.return(undefined);
  }
}

function checkSettings(settings: ReadListSettings): { country: CountryCode; timeZone: string } {
  const country = settings.defaultCountry;
  if (!isSupportedCountry(country)) {
    throw new ListFormatError(
      'INVALID_SETTINGS',
      `defaultCountry "${country}" is not a country with a known numbering plan`,
      { parameter: 'defaultCountry' },
    );
  }
  const timeZone = resolveTimeZoneName(settings.timeZone);
  if (timeZone === undefined) {
    throw new ListFormatError('INVALID_SETTINGS', `timeZone "${settings.timeZone}" is not an IANA time zone`, {
      parameter: 'timeZone',
    });
  }
  if (settings.import.phoneColumns.length === 0) {
    throw new ListFormatError('INVALID_SETTINGS', 'import.phoneColumns names no column', {
      parameter: 'import.phoneColumns',
    });
  }
  return { country, timeZone };
}
