/**
 * Reading an uploaded do-not-call list: a CSV with a phone column, read by the same rules as a day's list
 * (`readList`: header, encodings, delimiters, blank lines, the phone normaliser), premium numbers included (they
 * must be suppressible too).
 *
 * Numbers written without a country code need the country they are written in. Without one, only international
 * numbers are accepted: the list is read twice, in two countries with different calling codes, and a number is
 * international exactly when both readings agree on it.
 */
import { Readable } from 'node:stream';
import type { CountryCode } from 'libphonenumber-js/max';
import { ImportSettingsSchema } from '../../core/campaign.ts';
import { type ListHeader, type ReadListSettings, readList } from '../../core/import/list-reader.ts';
import type { RowResult } from '../../core/import/row-validator.ts';

/** A refused row of a do-not-call list. */
export interface DoNotCallRowError {
  line: number;
  column: string | null;
  value: string | null;
  /** A row rejection code, or `NO_COUNTRY_CODE` for a national number without `?country=`. */
  code: string;
  reason: string;
}

export interface DoNotCallReading {
  header: ListHeader;
  /** Distinct numbers (E.164), in file order. */
  phones: string[];
  /** Non-blank data rows: `phones.length + duplicates + rejected`. */
  rows: number;
  duplicates: number;
  rejected: number;
  /** The first rejections, in file order. */
  errors: DoNotCallRowError[];
  errorsTruncated: boolean;
}

const PHONE_COLUMNS = ImportSettingsSchema.parse({}).phoneColumns;
/** The two readings for lists without a country: both use `00` as their international prefix. */
const PROBE_COUNTRIES: readonly [CountryCode, CountryCode] = ['DE', 'FR'];

const settingsFor = (country: CountryCode): ReadListSettings => ({
  defaultCountry: country,
  timeZone: 'UTC',
  import: { phoneColumns: PHONE_COLUMNS, allowPremium: true },
});

/**
 * Reads a do-not-call list.
 * @param country - Country of numbers written without a country code; without it such rows are rejected.
 * @throws ListFormatError when the file is not a readable list at all.
 */
export async function readDoNotCallList(
  bytes: Buffer,
  country: CountryCode | undefined,
  options: { maxErrors?: number } = {},
): Promise<DoNotCallReading> {
  const maxErrors = options.maxErrors ?? 100;
  const [first, second] = PROBE_COUNTRIES;
  const primary = await readList(Readable.from([bytes]), 'csv', settingsFor(country ?? first));
  const probe = country === undefined ? await readList(Readable.from([bytes]), 'csv', settingsFor(second)) : undefined;
  const reading: DoNotCallReading = {
    header: primary.header,
    phones: [],
    rows: 0,
    duplicates: 0,
    rejected: 0,
    errors: [],
    errorsTruncated: false,
  };
  const probeRows = probe?.rows[Symbol.asyncIterator]();
  try {
    for await (const row of primary.rows) {
      const other = probeRows === undefined ? undefined : (await probeRows.next()).value;
      const outcome = other === undefined ? row : international(row, other, primary.header.phoneColumn);
      reading.rows++;
      if (outcome.kind === 'accepted') {
        reading.phones.push(outcome.contact.phone);
      } else if (outcome.kind === 'duplicate') {
        reading.duplicates++;
      } else {
        reading.rejected++;
        if (reading.errors.length < maxErrors) {
          const { line, column, value, code, reason } = outcome;
          reading.errors.push({ line, column, value, code, reason });
        }
      }
    }
  } finally {
    await probeRows?.return?.(undefined);
  }
  reading.errorsTruncated = reading.rejected > reading.errors.length;
  return reading;
}

type Outcome = RowResult | (DoNotCallRowError & { kind: 'rejected' });

/** The row as read in the first country if both readings agree, else a rejection for lack of a country code. */
function international(row: RowResult, other: RowResult, phoneColumn: string): Outcome {
  if (row.kind === 'accepted' && other.kind === 'accepted' && row.contact.phone === other.contact.phone) return row;
  if (row.kind === 'duplicate' && other.kind === 'duplicate' && row.phone === other.phone) return row;
  if (row.kind === 'rejected' && other.kind === 'rejected') {
    const written = row.value ?? '';
    // Row-level problems, and numbers written with a country code, keep their own reason.
    if (row.column !== phoneColumn || /^'?\s*(?:\+|00)/.test(written)) return row;
  }
  return {
    kind: 'rejected',
    line: row.line,
    column: phoneColumn,
    value: row.kind === 'rejected' ? row.value : other.kind === 'rejected' ? other.value : null,
    code: 'NO_COUNTRY_CODE',
    reason:
      'the number is written without a country code: write it as +<country code><number>, ' +
      'or name the country of such numbers with ?country=XX',
  };
}
