/**
 * The header row of a list: which column holds the phone number, which hold the optional contact fields, and the
 * attribute key every other column is stored under.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import { ListFormatError } from './list-format-error.ts';
import { normalisePhone } from './phone.ts';

/** What a column is used for. `unnamed`: no header; non-empty values are kept as `column_<n>` attributes. */
export type ColumnRole = 'phone' | 'name' | 'externalId' | 'timeZone' | 'language' | 'attribute' | 'unnamed';

/** Header names recognised for the optional contact fields, compared like phone column names. */
export const OPTIONAL_COLUMN_NAMES: Readonly<
  Record<'name' | 'externalId' | 'timeZone' | 'language', readonly string[]>
> = {
  name: ['name', 'full_name'],
  externalId: ['external_id'],
  timeZone: ['timezone', 'time_zone', 'tz'],
  language: ['language', 'lang', 'locale'],
};

export interface ListColumn {
  /** 0-based position in the row. */
  index: number;
  /** The header as written in the file, trimmed. */
  header: string;
  role: ColumnRole;
  /** Attribute key (`attribute` and `unnamed` columns); matches Amazon Connect's `[A-Za-z0-9_-]+`. */
  key: string;
}

/** The analysed header row. */
export interface ListColumns {
  /** Line (CSV) or sheet row (XLSX) of the header. */
  line: number;
  /** Header cells as written in the file, untrimmed: what the rejected-rows file repeats. */
  headers: string[];
  columns: ListColumn[];
  /** Header of the column the phone numbers are read from. */
  phoneColumn: string;
}

/**
 * Compares header names the way operators write them: case, white space, `_`, `-`, `.` and accents do not matter,
 * so `Phone Number`, `phone_number` and `PHONE-NUMBER` are the same name.
 */
export function compactHeaderName(name: string): string {
  return stripAccents(name)
    .toLowerCase()
    .replace(/[\s_.-]+/g, '');
}

/**
 * The attribute key for a header: ASCII letters, digits, `_` and `-` only (Amazon Connect's rule for contact
 * attribute keys), lower case, accents removed (`Miejscowość` → `miejscowosc`), every other run of characters
 * replaced by one `_`. Empty results fall back to `column_<n>`.
 */
export function attributeKey(header: string, index: number): string {
  const key = stripAccents(header)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    .replace(/^[_-]+|[_-]+$/g, '');
  return key === '' ? `column_${index + 1}` : key;
}

/**
 * Reads the header row.
 *
 * @param cells - The header row's cells as read.
 * @param line - Its line (CSV) or sheet row (XLSX).
 * @param phoneColumns - The campaign's `import.phoneColumns`, in order of preference.
 * @param defaultCountry - To recognise a first line that is data rather than a header.
 * @throws ListFormatError `NO_HEADER` when the row holds a phone number, `NO_PHONE_COLUMN` when no header matches.
 */
export function analyseHeader(
  cells: readonly string[],
  line: number,
  phoneColumns: readonly string[],
  defaultCountry: CountryCode,
): ListColumns {
  const headers = cells.map((cell) => cell.trim());
  const compact = headers.map(compactHeaderName);
  const phoneIndex = findColumn(compact, phoneColumns);
  if (phoneIndex === undefined) {
    throw missingPhoneColumn(headers, line, phoneColumns, defaultCountry);
  }
  const roles = new Map<number, ColumnRole>([[phoneIndex, 'phone']]);
  for (const [role, names] of Object.entries(OPTIONAL_COLUMN_NAMES)) {
    const index = findColumn(compact, names, roles);
    if (index !== undefined && isOptionalRole(role)) {
      roles.set(index, role);
    }
  }
  const usedKeys = new Set<string>();
  const columns = headers.map((header, index): ListColumn => {
    const role = roles.get(index) ?? (header === '' ? 'unnamed' : 'attribute');
    return {
      index,
      header,
      role,
      key: role === 'attribute' || role === 'unnamed' ? unique(attributeKey(header, index), usedKeys) : '',
    };
  });
  return { line, headers: [...cells], columns, phoneColumn: headers[phoneIndex] ?? '' };
}

/** Index of the first column named like the earliest possible entry of `names`, skipping columns already taken. */
function findColumn(compact: readonly string[], names: readonly string[], taken?: ReadonlyMap<number, ColumnRole>) {
  for (const name of names) {
    const wanted = compactHeaderName(name);
    const index = compact.findIndex((header, position) => header === wanted && taken?.has(position) !== true);
    if (index >= 0) {
      return index;
    }
  }
  return undefined;
}

function missingPhoneColumn(
  headers: readonly string[],
  line: number,
  phoneColumns: readonly string[],
  defaultCountry: CountryCode,
): ListFormatError {
  const data = headers.find((header) => normalisePhone(header, defaultCountry, { allowPremium: true }).ok);
  if (data !== undefined) {
    return new ListFormatError(
      'NO_HEADER',
      `the first line is data ("${data}" is a phone number), not a header: add a first line naming the columns, e.g. ${phoneColumns[0] ?? 'phone'}`,
      { line },
    );
  }
  const shown = headers.filter((header) => header !== '');
  const found =
    shown.length === 0
      ? 'no column names'
      : `${shown
          .slice(0, 20)
          .map((header) => `"${header}"`)
          .join(', ')}${shown.length > 20 ? `, … (${shown.length} in all)` : ''}`;
  return new ListFormatError(
    'NO_PHONE_COLUMN',
    `no phone column in the header (found ${found}); name it one of ${phoneColumns.join(', ')} (case, spaces, "_" and "-" do not matter)`,
    { line },
  );
}

function unique(key: string, used: Set<string>): string {
  let candidate = key;
  for (let suffix = 2; used.has(candidate); suffix++) {
    candidate = `${key}_${suffix}`;
  }
  used.add(candidate);
  return candidate;
}

function isOptionalRole(role: string): role is 'name' | 'externalId' | 'timeZone' | 'language' {
  return role in OPTIONAL_COLUMN_NAMES;
}

/** Letters NFKD does not decompose, spelled the way their languages transliterate them. */
const LETTERS: Readonly<Record<string, string>> = {
  ł: 'l',
  Ł: 'L',
  đ: 'd',
  Đ: 'D',
  ø: 'o',
  Ø: 'O',
  æ: 'ae',
  Æ: 'AE',
  œ: 'oe',
  Œ: 'OE',
  ß: 'ss',
  þ: 'th',
  Þ: 'TH',
  ı: 'i',
};

function stripAccents(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[łŁđĐøØæÆœŒßþÞı]/g, (letter) => LETTERS[letter] ?? letter);
}
