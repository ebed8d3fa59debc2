/**
 * Turns one data row of a list into its outcome: an accepted contact, a rejection with a precise reason, or a
 * duplicate of an earlier row.
 */
import type { CountryCode } from 'libphonenumber-js/max';
import type { ListColumn, ListColumns } from './header.ts';
import { PhoneNumberSet } from './number-set.ts';
import { normalisePhone, PHONE_REJECTION_CODES } from './phone.ts';
import { resolveTimeZoneName, zoneForCountry } from './time-zone.ts';

/** Why a row was rejected: the phone codes plus the row-level ones. Stable machine codes. */
export const ROW_REJECTION_CODES = [
  ...PHONE_REJECTION_CODES,
  /** A CSV row with more fields than the header: values have probably shifted (an unquoted delimiter?). */
  'TOO_MANY_FIELDS',
  /** The `timezone` column holds something that is not an IANA time zone. */
  'INVALID_TIME_ZONE',
  /** The `language` column holds something that is not a BCP 47 language tag. */
  'INVALID_LANGUAGE',
  /** The row's attributes were too large (lists imported before {@link MAX_CONTACT_DATA_BYTES}; kept so they read). */
  'ATTRIBUTES_TOO_LARGE',
  /** Name, external id, language and attributes together are larger than {@link MAX_CONTACT_DATA_BYTES}. */
  'ROW_TOO_LARGE',
] as const;
export type RowRejectionCode = (typeof ROW_REJECTION_CODES)[number];

/**
 * One budget for everything a row gives its contact: name, external id, language and attributes (keys plus values),
 * in UTF-8 bytes. The dispatcher hands these to Amazon Connect as contact attributes, which Connect allows 32 KB of
 * per contact in all (StartOutboundVoiceContact: "up to 32,768 UTF-8 bytes across all key-value pairs"); half is
 * left for what the dialer and the contact flow add. The contact item in DynamoDB (400 KB at most) holds the same
 * data plus a bounded attempt log and answers. So no accepted row can fail a dial or a write.
 */
export const MAX_CONTACT_DATA_BYTES = 16 * 1024;

/** A contact ready to be stored. */
export interface ImportedContact {
  /** E.164. */
  phone: string;
  /** Country of the number's numbering plan. */
  country: CountryCode;
  name?: string;
  externalId?: string;
  /** IANA zone: the list's `timezone` column, else the number's country when it has one zone, else the campaign's. */
  timeZone: string;
  /** BCP 47 tag in canonical form (`pl-PL`). */
  language?: string;
  /** Every other column, by attribute key; values trimmed. */
  attributes: Record<string, string>;
}

export interface AcceptedRow {
  kind: 'accepted';
  line: number;
  contact: ImportedContact;
}

export interface RejectedRow {
  kind: 'rejected';
  line: number;
  /** Header of the offending column; `null` when the problem is the row as a whole. */
  column: string | null;
  /** The offending value, trimmed; `null` with `column`. */
  value: string | null;
  code: RowRejectionCode;
  reason: string;
  /** The row's cells as read, for the rejected-rows file. */
  fields: readonly string[];
}

export interface DuplicateRow {
  kind: 'duplicate';
  line: number;
  /** E.164. */
  phone: string;
  /** Line of the accepted row with the same number. */
  firstLine: number;
}

/** What happened to one data row. */
export type RowResult = AcceptedRow | RejectedRow | DuplicateRow;

export interface RowValidatorSettings {
  defaultCountry: CountryCode;
  /** Campaign time zone, already validated. */
  timeZone: string;
  allowPremium: boolean;
  /**
   * Cells beyond the header: `reject` the row (CSV, where they mean shifted values) or `keep` non-empty ones as
   * `column_<n>` attributes (XLSX, where cells cannot shift).
   */
  extraFields: 'reject' | 'keep';
}

const MAX_CACHED_LANGUAGES = 1_000;

/**
 * Validates the data rows of one list, in order. Keeps the numbers accepted so far (about 24 bytes per number, see
 * `PhoneNumberSet`) to report later rows with the same number as duplicates of the first.
 */
/** The column the rejected-rows file adds (`reason`, or `import_reason[_n]` when the list had a `reason`) … */
const REJECTION_REASON_HEADER = /^(reason|import_reason(_\d+)?)$/;
/** … and its cells (`line 7: …`): a list that is a corrected rejected-rows file does not keep them as attributes. */
const REJECTION_REASON_CELL = /^line \d+: /;

export class RowValidator {
  readonly #settings: RowValidatorSettings;
  readonly #columns: readonly ListColumn[];
  readonly #phone: ListColumn;
  readonly #name: ListColumn | undefined;
  readonly #externalId: ListColumn | undefined;
  readonly #timeZone: ListColumn | undefined;
  readonly #language: ListColumn | undefined;
  readonly #attributes: readonly ListColumn[];
  readonly #unnamed: readonly ListColumn[];
  /** The rejected-rows file's reason column, when this list is such a file coming back (see `#collectAttributes`). */
  readonly #rejectionReason: ListColumn | undefined;
  readonly #seen = new PhoneNumberSet();
  readonly #languages = new Map<string, string | undefined>();

  constructor(columns: ListColumns, settings: RowValidatorSettings) {
    this.#settings = settings;
    this.#columns = columns.columns;
    const byRole = (role: ListColumn['role']) => columns.columns.find((column) => column.role === role);
    const phone = byRole('phone');
    if (phone === undefined) {
      throw new TypeError('the header has no phone column');
    }
    this.#phone = phone;
    this.#name = byRole('name');
    this.#externalId = byRole('externalId');
    this.#timeZone = byRole('timeZone');
    this.#language = byRole('language');
    this.#attributes = columns.columns.filter((column) => column.role === 'attribute');
    this.#unnamed = columns.columns.filter((column) => column.role === 'unnamed');
    const last = columns.columns.at(-1);
    this.#rejectionReason = last?.role === 'attribute' && REJECTION_REASON_HEADER.test(last.header) ? last : undefined;
  }

  /** Numbers accepted so far. */
  get acceptedNumbers(): number {
    return this.#seen.size;
  }

  /**
   * The outcome of one data row (never a blank one: callers skip those).
   * @param line - Physical line (CSV) or sheet row (XLSX) the row starts on.
   * @param fields - The row's cells as read.
   */
  check(line: number, fields: readonly string[]): RowResult {
    const width = this.#columns.length;
    if (fields.length > width && this.#settings.extraFields === 'reject') {
      const extra = fields.slice(width).find((field) => field.trim() !== '');
      if (extra !== undefined) {
        return rejected(
          line,
          fields,
          null,
          extra.trim(),
          'TOO_MANY_FIELDS',
          `row has ${fields.length} fields but the header has ${width}: a value with an unquoted delimiter?`,
        );
      }
    }
    const rawPhone = fields[this.#phone.index] ?? '';
    const phone = normalisePhone(rawPhone, this.#settings.defaultCountry, this.#settings);
    if (!phone.ok) {
      return rejected(line, fields, this.#phone.header, rawPhone.trim(), phone.code, phone.reason);
    }
    // A number already accepted is not imported again, so the rest of its row does not matter.
    const firstLine = this.#seen.lineOf(phone.e164);
    if (firstLine !== undefined) {
      return { kind: 'duplicate', line, phone: phone.e164, firstLine };
    }

    let timeZone = this.#settings.timeZone;
    const writtenZone = cell(fields, this.#timeZone);
    if (writtenZone !== '') {
      const zone = resolveTimeZoneName(writtenZone);
      if (zone === undefined) {
        return rejected(
          line,
          fields,
          this.#timeZone?.header ?? null,
          writtenZone,
          'INVALID_TIME_ZONE',
          `"${writtenZone}" is not an IANA time zone such as Europe/Warsaw (leave it empty to use the number's or the campaign's)`,
        );
      }
      timeZone = zone;
    } else {
      timeZone = zoneForCountry(phone.country) ?? timeZone;
    }

    const writtenLanguage = cell(fields, this.#language);
    const language = writtenLanguage === '' ? undefined : this.#canonicalLanguage(writtenLanguage);
    if (language === undefined && writtenLanguage !== '') {
      return rejected(
        line,
        fields,
        this.#language?.header ?? null,
        writtenLanguage,
        'INVALID_LANGUAGE',
        `"${writtenLanguage}" is not a language tag such as pl or pl-PL`,
      );
    }

    const name = cell(fields, this.#name);
    const externalId = cell(fields, this.#externalId);
    const attributes: Record<string, string> = {};
    const size = this.#collectAttributes(fields, attributes, [name, externalId, language ?? '']);
    if (size > MAX_CONTACT_DATA_BYTES) {
      return rejected(
        line,
        fields,
        null,
        null,
        'ROW_TOO_LARGE',
        `the row's name, external id and other columns take ${size} bytes; at most ${MAX_CONTACT_DATA_BYTES} are ` +
          'allowed per contact (Amazon Connect takes 32 KB of contact attributes): shorten the longest values',
      );
    }

    this.#seen.add(phone.e164, line);
    const contact: ImportedContact = { phone: phone.e164, country: phone.country, timeZone, attributes };
    if (name !== '') {
      contact.name = name;
    }
    if (externalId !== '') {
      contact.externalId = externalId;
    }
    if (language !== undefined) {
      contact.language = language;
    }
    return { kind: 'accepted', line, contact };
  }

  /**
   * Fills `attributes` and returns their size plus that of `also` (name, external id, language) in UTF-8 bytes
   * (exactly when close to the bound).
   */
  #collectAttributes(fields: readonly string[], attributes: Record<string, string>, also: readonly string[]): number {
    let characters = also.reduce((sum, value) => sum + value.length, 0);
    const add = (key: string, value: string) => {
      attributes[key] = value;
      characters += key.length + value.length;
    };
    for (const column of this.#attributes) {
      const value = unescapeFormula((fields[column.index] ?? '').trim());
      // A fixed row of a rejected-rows file: the old reason is not an attribute of the contact.
      if (column === this.#rejectionReason && REJECTION_REASON_CELL.test(value)) continue;
      add(column.key, value);
    }
    for (const column of this.#unnamed) {
      const value = (fields[column.index] ?? '').trim();
      if (value !== '') {
        add(column.key, unescapeFormula(value));
      }
    }
    for (let index = this.#columns.length; index < fields.length; index++) {
      const value = (fields[index] ?? '').trim();
      if (value !== '') {
        add(`column_${index + 1}`, unescapeFormula(value));
      }
    }
    if (characters * 3 <= MAX_CONTACT_DATA_BYTES) {
      // A UTF-16 code unit never takes more than 3 UTF-8 bytes: certainly within the bound, no need to count.
      return characters;
    }
    let bytes = also.reduce((sum, value) => sum + Buffer.byteLength(value), 0);
    for (const [key, value] of Object.entries(attributes)) {
      bytes += Buffer.byteLength(key) + Buffer.byteLength(value);
    }
    return bytes;
  }

  #canonicalLanguage(written: string): string | undefined {
    if (this.#languages.has(written)) {
      return this.#languages.get(written);
    }
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(written.replace(/_/g, '-'))[0];
    } catch {
      canonical = undefined;
    }
    // Intl accepts any 5-8 letter word as a language subtag ("polish"); real languages have 2 or 3 letters.
    if (canonical !== undefined && !/^[a-z]{2,3}(?:-|$)/.test(canonical)) {
      canonical = undefined;
    }
    if (this.#languages.size < MAX_CACHED_LANGUAGES) {
      this.#languages.set(written, canonical);
    }
    return canonical;
  }
}

function cell(fields: readonly string[], column: ListColumn | undefined): string {
  return column === undefined ? '' : unescapeFormula((fields[column.index] ?? '').trim());
}

/** Undoes the formula-injection guard of the rejected-rows file (`'=…`, `'+…`, …) when a fixed file comes back. */
function unescapeFormula(value: string): string {
  return value.charCodeAt(0) === 0x27 && /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}

function rejected(
  line: number,
  fields: readonly string[],
  column: string | null,
  value: string | null,
  code: RowRejectionCode,
  reason: string,
): RejectedRow {
  return { kind: 'rejected', line, column, value, code, reason, fields };
}
