/**
 * Phone cells as real exports write them, and libphonenumber-js's reading of them: the generator and the reference of
 * the differential property test in `phone-spellings.test.ts`.
 *
 * A cell is a number of some country spelled one of the ways people and spreadsheets write it (international with
 * `+`, `00` or the calling code in parentheses, national with or without the trunk prefix, grouped and separated in
 * any way, in ASCII or fullwidth digits), optionally wrapped in a label, an extension, a note, or a second number.
 */
import fc from 'fast-check';
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import examples from 'libphonenumber-js/mobile/examples';
import { z } from 'zod';

/** Campaign countries the issue names; random others from the library's list are drawn beside them. */
export const FOCUS_COUNTRIES: readonly CountryCode[] = [
  'PL',
  'GB',
  'US',
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'IE',
  'AU',
  'IN',
  'BR',
  'RU',
  'HU',
];

/** What the generator meant to write, which decides the answer expected beyond agreement with the library. */
export type Intent =
  /** One number, perhaps with a label: only agreement with the library is expected. */
  | { kind: 'number' }
  /** `main` followed by an extension: `EXTENSION` whenever the library accepts `main`. */
  | { kind: 'extension'; main: string }
  /** Two numbers in one cell, `first`, `separator`, `second`: `MULTIPLE_NUMBERS` when both are numbers. */
  | { kind: 'two numbers'; first: string; separator: string; second: string }
  /** `bare` with a note such as `(mama)`: `EXTRA_TEXT` whenever the library accepts `bare`. */
  | { kind: 'note'; bare: string }
  /** An emergency or service short code such as `112`: `SHORT_CODE`, which the library refuses as no number. */
  | { kind: 'short code' }
  /** Phone-like characters in any order: only agreement with the library is expected. */
  | { kind: 'noise' };

export interface PhoneCell {
  cell: string;
  /** The campaign's default country. */
  country: CountryCode;
  allowPremium: boolean;
  intent: Intent;
}

/** The library's verdict on a cell. */
export type LibraryAnswer = { valid: true; e164: string } | { valid: false };

const NationalPrefixSchema = z
  .tuple([z.string(), z.string(), z.string(), z.unknown(), z.unknown(), z.string()])
  .rest(z.unknown());
const CountriesSchema = z.object({ countries: z.record(z.string(), z.array(z.unknown())) });
const countriesMetadata = CountriesSchema.parse(metadataJson).countries;

/** The national (trunk) prefix in the library's metadata: `0` in GB, DE and FR, `8` in RU, `06` in HU, none in PL. */
export function trunkPrefix(country: CountryCode): string | undefined {
  const entry = NationalPrefixSchema.safeParse(countriesMetadata[country]);
  return entry.success && /^\d+$/.test(entry.data[5]) ? entry.data[5] : undefined;
}

/**
 * The library's type of the number it reads in the cell (its plain reading, else with a leading `00` read as `+`),
 * or `undefined` when it reads no valid number: decides whether the engine's premium-rate policy applies.
 */
export function libraryType(cell: string, country: CountryCode): string | undefined {
  for (const text of [cell, cell.replace(LEADING_DOUBLE_ZERO, '$1+')]) {
    const phone = parsePhoneNumberFromString(text.replace(UNICODE_SPACES, ' ').replace(FULLWIDTH_PLUS, '+'), country);
    if (phone?.isValid() === true) return phone.getType();
  }
  return undefined;
}

/**
 * libphonenumber-js's answer for the cell with the campaign's default country, read as `parsePhoneNumber(cell,
 * country)` does by default (it finds the number in the text). Two characters are given to it in ASCII, where the
 * library falls short and the engine reads them for what they are:
 * - every horizontal space: the library does not know thin, narrow no-break and other Unicode spaces (it refuses
 *   `601 234 567` written with U+2009 or U+202F);
 * - the fullwidth plus `＋`: the library starts the number there, then drops it, and reads `＋49 151 23456789` as a
 *   national number of the default country (`parseIncompletePhoneNumber` keeps only an ASCII `+`).
 */
export function libraryAnswer(cell: string, country: CountryCode): LibraryAnswer {
  const phone = parsePhoneNumberFromString(cell.replace(UNICODE_SPACES, ' ').replace(FULLWIDTH_PLUS, '+'), country);
  return phone?.isValid() === true ? { valid: true, e164: phone.number } : { valid: false };
}

/**
 * The library's answer with the cell's leading `00` read as `+`: the engine reads `00` as the international prefix in
 * every country (`0048 601 234 567` is a Polish number in a US list), where the library only does so in countries
 * whose international prefix is `00`.
 */
export function libraryAnswerWithPlus(cell: string, country: CountryCode): LibraryAnswer {
  return libraryAnswer(cell.replace(LEADING_DOUBLE_ZERO, '$1+'), country);
}

const UNICODE_SPACES = /[\p{Zs}\t\uFEFF]/gu;
const FULLWIDTH_PLUS = /\uff0b/g;
const DIGIT = '0-9\uFF10-\uFF19\u0660-\u0669\u06F0-\u06F9';
const LEADING_DOUBLE_ZERO = new RegExp(`^([^${DIGIT}+\uFF0B]*?)[0\uFF10\u0660\u06F0]{2}`, 'u');

const ALL_COUNTRIES = getCountries();
const country = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FOCUS_COUNTRIES) },
  { weight: 1, arbitrary: fc.constantFrom(...ALL_COUNTRIES) },
);

interface DrawnNumber {
  country: CountryCode;
  /** National significant number. */
  national: string;
}

const digit = fc.constantFrom(...'0123456789');
const digits = (length: number) => fc.array(digit, { minLength: length, maxLength: length }).map((d) => d.join(''));

/**
 * A number of `country`: its mobile example with the last digits replaced (mostly valid), or with only its first
 * digits kept (valid or not: fixed lines, premium rates, unassigned ranges), or a length off by one.
 */
function numberOf(country: CountryCode): fc.Arbitrary<DrawnNumber> {
  const example = getExampleNumber(country, examples)?.nationalNumber ?? '';
  if (example.length < 4) {
    return fc.integer({ min: 4, max: 12 }).chain((length) => digits(length).map((national) => ({ country, national })));
  }
  const keep = (kept: number, length: number) =>
    digits(Math.max(0, length - kept)).map((tail) => ({ country, national: `${example.slice(0, kept)}${tail}` }));
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.integer({ min: 2, max: 5 }).chain((tail) => keep(example.length - tail, example.length)),
    },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 2 }).chain((kept) => keep(kept, example.length)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(-1, 1).chain((delta) => keep(example.length - 3, example.length + delta)),
    },
  );
}

/**
 * Starts of premium-rate and shared-cost ranges, with the national number's length, in the focus countries (checked
 * against the library's `max` metadata: `getType()` of e.g. PL 701234567 is PREMIUM_RATE, DE 1801234567 SHARED_COST).
 * The mobile examples `numberOf` starts from never reach these ranges. The tail is random, so some draws land in
 * another type or no valid number; the property judges each by the library's type.
 */
const PREMIUM_RANGES: Partial<Record<CountryCode, readonly (readonly [prefix: string, length: number])[]>> = {
  PL: [
    ['701', 9],
    ['801', 9],
  ],
  DE: [
    ['900', 10],
    ['180', 10],
  ],
  GB: [
    ['909', 10],
    ['843', 10],
  ],
  FR: [
    ['891', 9],
    ['810', 9],
  ],
  US: [['900', 10]],
  ES: [
    ['803', 9],
    ['901', 9],
  ],
  IT: [['899', 9]],
  NL: [['900', 10]],
  AU: [['1900', 10]],
  HU: [['90', 8]],
  RU: [['809', 10]],
};

/** A number in a premium-rate or shared-cost range of `country`, where it has such ranges listed above. */
function premiumOf(country: CountryCode): fc.Arbitrary<DrawnNumber> | undefined {
  const ranges = PREMIUM_RANGES[country];
  if (ranges === undefined) return undefined;
  return fc
    .constantFrom(...ranges)
    .chain(([prefix, length]) => digits(length - prefix.length).map((tail) => ({ country, national: prefix + tail })));
}

/**
 * Emergency and service short codes of the focus countries, which the engine refuses as `SHORT_CODE` (the library
 * finds no valid number in them). DE's 5- and 6-digit service numbers (`11833`, `116117`) are left out: Germany has
 * fixed-line numbers that short, so they are `INVALID_NUMBER`, as the library says too.
 */
const SHORT_CODES: Partial<Record<CountryCode, readonly string[]>> = {
  PL: ['112', '997', '999', '19115'],
  GB: ['999', '111', '101', '118118'],
  US: ['911', '411', '988'],
  DE: ['110', '112'],
  FR: ['112', '3949'],
  ES: ['112', '091'],
  IT: ['112', '113', '1500'],
  NL: ['112', '144'],
  IE: ['999', '11811'],
  AU: ['000', '112'],
  IN: ['100', '112', '108'],
  BR: ['190', '192'],
  RU: ['112', '101'],
  HU: ['112', '104', '1817'],
};

/** Separators between digit groups: ASCII, no-break, thin and other Unicode spaces, or none. */
const GROUP_SEPARATORS = [
  ' ',
  ' ',
  '-',
  '.',
  '/',
  '',
  ' - ',
  '\u00a0',
  '\u2009',
  '\u202f',
  '\u2002',
  '\u2007',
  '\u3000',
  '\u205f',
  '\t',
  '\u2010',
  '\u2013',
  '\uff0d',
];
const NON_SLASH_SEPARATORS = GROUP_SEPARATORS.filter((separator) => !separator.includes('/'));

type DigitStyle = 'ascii' | 'fullwidth' | 'arabic-indic' | 'mixed';

function renderDigits(text: string, style: DigitStyle, mixedSeed: number): string {
  if (style === 'ascii') {
    return text;
  }
  let out = '';
  let index = 0;
  for (const character of text) {
    const value = character.charCodeAt(0) - 0x30;
    const fullwidth = style === 'fullwidth' || (style === 'mixed' && ((mixedSeed >> (index % 30)) & 1) === 1);
    if (value < 0 || value > 9) {
      out += character === '+' && fullwidth ? '\uff0b' : character;
    } else if (style === 'arabic-indic') {
      out += String.fromCharCode(0x660 + value);
    } else {
      out += fullwidth ? String.fromCharCode(0xff10 + value) : character;
    }
    index++;
  }
  return out;
}

/** Splits digits into groups of 1 to 4, as lists group them (`601 234 567`, `22 123 45 67`, `0 20 7946 0958`). */
function grouped(text: string, sizes: readonly number[]): string[] {
  const groups: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= text.length) break;
    groups.push(text.slice(at, at + size));
    at += size;
  }
  if (at < text.length) groups.push(text.slice(at));
  return groups;
}

const INTERNATIONAL_PREFIXES = [
  (code: string) => `+${code}`,
  (code: string) => `+${code}`,
  (code: string) => `+ ${code}`,
  (code: string) => `00${code}`,
  (code: string) => `00 ${code}`,
  (code: string) => `(+${code})`,
  (code: string) => `+(${code})`,
  (code: string) => `(00${code})`,
  (code: string) => `(00 ${code})`,
  (code: string) => `[+${code}]`,
  (code: string) => `(${code})`,
  (code: string) => code,
];

/** One number spelled in one of the ways lists write it. */
function spelled(number: DrawnNumber, separators: readonly string[]): fc.Arbitrary<string> {
  const code = getCountryCallingCode(number.country);
  const trunk = trunkPrefix(number.country);
  return fc
    .record({
      form: fc.constantFrom('international', 'international', 'national', 'national', 'national'),
      prefix: fc.constantFrom(...INTERNATIONAL_PREFIXES),
      trunkInInternational: fc.boolean(),
      trunkInNational: fc.constantFrom('plain', 'plain', 'parentheses', 'none'),
      sizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 6 }),
      parentheses: fc.constantFrom('none', 'none', 'area', 'any'),
      parenthesised: fc.nat(),
      separators: fc.array(fc.constantFrom(...separators), { minLength: 8, maxLength: 8 }),
      oneSeparator: fc.boolean(),
      digitStyle: fc.constantFrom<DigitStyle>('ascii', 'ascii', 'ascii', 'ascii', 'fullwidth', 'arabic-indic', 'mixed'),
      mixedSeed: fc.integer({ min: 0, max: 2 ** 30 }),
    })
    .map((style) => {
      const groups = style.sizes.length === 0 ? [number.national] : grouped(number.national, style.sizes);
      // Parentheses anywhere: mostly around the area code (`(22) 123 45 67`), sometimes around any group.
      if (style.parentheses !== 'none' && groups.length > 1) {
        const at = style.parentheses === 'area' ? 0 : style.parenthesised % groups.length;
        groups[at] = `(${groups[at]})`;
      }
      const head: string[] = [];
      if (style.form === 'international') {
        head.push(style.prefix(code));
        if (style.trunkInInternational && trunk !== undefined) head.push(`(${trunk})`);
      } else if (trunk !== undefined && style.trunkInNational !== 'none') {
        head.push(style.trunkInNational === 'parentheses' ? `(${trunk})` : trunk);
      }
      const parts = [...head, ...groups];
      let text = parts[0] ?? '';
      for (let index = 1; index < parts.length; index++) {
        text += (style.oneSeparator ? style.separators[0] : style.separators[index % 8]) ?? ' ';
        text += parts[index];
      }
      return renderDigits(text, style.digitStyle, style.mixedSeed);
    });
}

const LABELS = [
  'tel. ',
  'tel.',
  'tel: ',
  'tel:',
  'Tel ',
  'Tel.: ',
  'TEL. ',
  'nr ',
  'nr',
  'Nr. ',
  'nr tel. ',
  'phone: ',
  'Phone ',
  'tel. kom. ',
  'kom. ',
  'mob. ',
  'Telefon: ',
  'Mobile: ',
];
const EXTENSION_LABELS = [' wew. ', ' wew.', ' Wew. ', ' ext. ', ' ext ', ' Ext.', ' x', ' x ', 'x', ' X', ' #', '#'];
const NOTES = [' (mama)', ' (praca)', ' home', ' - biuro', ' nie dzwonić', ' (old)', 'Jan ', 'Dom: ', 'Anna Nowak '];
const LIST_SEPARATORS = [', ', ',', '; ', ';', ' ; ', ' / ', '/', ' or ', ' lub ', ' oder ', '\n', ' | '];
const PADDING = ['', '', '', ' ', '  ', '\u00a0', '\t', '\u2009'];

/** Number spelled in a cell of a campaign in `campaign`: mostly that country's numbers, sometimes another's. */
function numberFor(campaign: CountryCode): fc.Arbitrary<DrawnNumber> {
  return fc.oneof({ weight: 4, arbitrary: numberOf(campaign) }, { weight: 1, arbitrary: country.chain(numberOf) });
}

const labelled = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.option(fc.constantFrom(...LABELS), { freq: 3 }), text)
    .map(([label, spelling]) => `${label ?? ''}${spelling}`);

function cellIn(campaign: CountryCode): fc.Arbitrary<{ cell: string; intent: Intent }> {
  const one = numberFor(campaign).chain((number) => spelled(number, GROUP_SEPARATORS));
  const oneWithoutSlash = numberFor(campaign).chain((number) => spelled(number, NON_SLASH_SEPARATORS));
  const premium = premiumOf(campaign);
  const shortCodes = SHORT_CODES[campaign];
  return fc.oneof(
    ...(premium === undefined
      ? []
      : [
          {
            weight: 1,
            arbitrary: labelled(premium.chain((number) => spelled(number, GROUP_SEPARATORS))).map((cell) => ({
              cell,
              intent: { kind: 'number' } as Intent,
            })),
          },
        ]),
    ...(shortCodes === undefined
      ? []
      : [
          {
            weight: 1,
            arbitrary: labelled(
              fc
                .tuple(fc.constantFrom(...shortCodes), fc.constantFrom<DigitStyle>('ascii', 'ascii', 'fullwidth'))
                .map(([code, style]) => renderDigits(code, style, 0)),
            ).map((cell) => ({ cell, intent: { kind: 'short code' } as Intent })),
          },
        ]),
    { weight: 8, arbitrary: labelled(one).map((cell) => ({ cell, intent: { kind: 'number' } as Intent })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(labelled(one), fc.constantFrom(...EXTENSION_LABELS), fc.integer({ min: 1, max: 9999 }))
        .map(([main, label, extension]) => ({
          cell: `${main}${label}${extension}`,
          intent: { kind: 'extension', main } as Intent,
        })),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...LIST_SEPARATORS).chain((separator) => {
        const part = labelled(separator.includes('/') ? oneWithoutSlash : one);
        return fc.tuple(part, part).map(([first, second]) => ({
          cell: `${first}${separator}${second}`,
          intent: { kind: 'two numbers', first, separator, second } as Intent,
        }));
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(labelled(one), fc.constantFrom(...NOTES)).map(([bare, note]) => ({
        cell: note.endsWith(' ') ? `${note}${bare}` : `${bare}${note}`,
        intent: { kind: 'note', bare } as Intent,
      })),
    },
  );
}

/** Cells as real exports write them, each with the campaign country it is read in. */
export const phoneCell: fc.Arbitrary<PhoneCell> = country.chain((campaign) =>
  fc
    .record({
      written: cellIn(campaign),
      before: fc.constantFrom(...PADDING),
      after: fc.constantFrom(...PADDING),
      apostrophe: fc.boolean(),
      allowPremium: fc.boolean(),
    })
    .map(({ written, before, after, apostrophe, allowPremium }) => ({
      cell: `${apostrophe && written.intent.kind === 'number' ? "'" : ''}${before}${written.cell}${after}`,
      country: campaign,
      allowPremium,
      intent: written.intent,
    })),
);

/** Short strings of the characters phone cells are made of, in any order: for agreement alone. */
export const phoneLikeNoise: fc.Arbitrary<PhoneCell> = fc
  .record({
    cell: fc.string({
      unit: fc.constantFrom(...'0123456789012345678901234567890+()- ./#x;,\u00a0\u2009０１２３４５６７８９＋tel:wew'),
      maxLength: 30,
    }),
    country,
    allowPremium: fc.boolean(),
  })
  .map((drawn) => ({ ...drawn, intent: { kind: 'noise' } }));
