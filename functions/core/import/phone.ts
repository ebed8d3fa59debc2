/**
 * Phone number normalisation for list imports: whatever a spreadsheet holds in the phone column becomes an E.164
 * number the dialer can call, or a precise, stable reason why not.
 *
 * Validation is libphonenumber-js with its `max` metadata (needed to tell premium-rate and shared-cost numbers
 * apart). The cell is read first: digits in any script libphonenumber knows (ASCII, fullwidth, Arabic-Indic), a
 * leading `+` (also inside parentheses, `(+48)`), separators (spaces of every kind, `-`, `.`, `/`, brackets), and
 * around them a label (`tel.`), an extension (`wew. 12`), a note or a second number, which have their own rejection
 * codes. The digits then take a fast path over pre-compiled patterns of the same metadata (see `numbering-plan.ts`),
 * which gives the library's answer over 10 times faster and leaves every doubtful case, and every rejection, to the
 * library itself. `docs/import.md` lists the spellings accepted and refused.
 */
import {
  type CountryCode,
  ParseError,
  type PhoneNumberType,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from 'libphonenumber-js/max';
import {
  countriesForCallingCode,
  isNonGeographicCallingCode,
  type NumberingPlan,
  numberingPlan,
  numberType,
} from './numbering-plan.ts';

/** Why a phone number was refused. Stable machine codes; `reason` carries the human text. */
export const PHONE_REJECTION_CODES = [
  /** The cell is empty. */
  'EMPTY',
  /** Letters or symbols and no number, or a spreadsheet artefact such as `4.86012E+10`. */
  'NOT_A_NUMBER',
  /** `+` (or `00`) followed by a calling code that does not exist. */
  'INVALID_COUNTRY_CODE',
  /** Too short, too long, or a length no number of that country has. */
  'INVALID_LENGTH',
  /** The right length but not a number the country's numbering plan assigns. */
  'INVALID_NUMBER',
  /** 3 to 6 digits without a country code, shorter than any full number: 112, 19115, 116111, … */
  'SHORT_CODE',
  /** An extension (`wew. 12`, `ext. 12`, `x12`, `#12`, or digits after a `,`): the dialer cannot key it in. */
  'EXTENSION',
  /** Two or more numbers in one cell (`601 234 567, 602 345 678`): which one to call is the operator's choice. */
  'MULTIPLE_NUMBERS',
  /** Text beside the number (`601 234 567 (mama)`): a note may say "do not call", so it is not silently dropped. */
  'EXTRA_TEXT',
  /** Premium-rate number, refused unless `import.allowPremium`. */
  'PREMIUM_RATE',
  /** Shared-cost number, refused unless `import.allowPremium`. */
  'SHARED_COST',
  /** International network or satellite code (+800, +870, +881, +882, …) with no country. */
  'NON_GEOGRAPHIC',
  /** Pager or voicemail-access number: nobody can answer a voice call there. */
  'NOT_DIALABLE',
] as const;
export type PhoneRejectionCode = (typeof PHONE_REJECTION_CODES)[number];

/**
 * Refusals on purpose: the cell holds a phone number, and libphonenumber-js may well accept it (it drops notes and
 * keeps extensions aside, for instance), but the engine will not call it. Every other code is for a cell the library
 * refuses too.
 */
export const DELIBERATE_REJECTION_CODES = [
  'EXTENSION',
  'MULTIPLE_NUMBERS',
  'EXTRA_TEXT',
  'PREMIUM_RATE',
  'SHARED_COST',
  'NON_GEOGRAPHIC',
  'NOT_DIALABLE',
] as const satisfies readonly PhoneRejectionCode[];

/** A number that can be dialled. */
export interface AcceptedPhone {
  ok: true;
  /** `+` and up to 15 digits. */
  e164: string;
  /** The country whose numbering plan the number belongs to (not necessarily the campaign's). */
  country: CountryCode;
  /** libphonenumber's type, such as `MOBILE` or `FIXED_LINE_OR_MOBILE`. */
  type?: PhoneNumberType;
}

/** A number that will not be dialled, and why. */
export interface RejectedPhone {
  ok: false;
  code: PhoneRejectionCode;
  /** For the operator, e.g. `number is too long for PL (10 digits; fixed-line and mobile numbers have 7 or 9)`. */
  reason: string;
}

export type PhoneResult = AcceptedPhone | RejectedPhone;

export interface NormalisePhoneOptions {
  /** Accept premium-rate and shared-cost numbers (the campaign's `import.allowPremium`). */
  allowPremium: boolean;
}

/**
 * Normalises one phone number as written in a list: `+48 601 234 567`, `(+48) 601-234-567`, `0048601234567`,
 * `601.234.567`, `tel. 601 234 567`, `'+48601234567` (Excel's text marker), fullwidth digits, thin spaces and so on.
 * Numbers without an international prefix are read in `defaultCountry`'s national format. Never throws.
 *
 * @param raw - The cell, untrimmed.
 * @param defaultCountry - ISO 3166 alpha-2 country for national-format numbers (the campaign's `defaultCountry`).
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode, options: NormalisePhoneOptions): PhoneResult {
  return normalise(raw, defaultCountry, options, true);
}

/**
 * {@link normalisePhone} without the fast path: every number goes through libphonenumber-js. Same results, over 10
 * times slower; kept as the reference the fast path is tested and benchmarked against.
 */
export function normalisePhoneWithLibrary(
  raw: string,
  defaultCountry: CountryCode,
  options: NormalisePhoneOptions,
): PhoneResult {
  return normalise(raw, defaultCountry, options, false);
}

/** How to read a cell with words in it: the arguments of {@link normalisePhone}. */
interface Reading {
  /** The campaign's default country. */
  country: CountryCode;
  options: NormalisePhoneOptions;
  /** Try the compiled patterns before the library. */
  fast: boolean;
}

/** The digits of a cell (ASCII), without the `+`. */
interface Digits {
  digits: string;
  /** Written with `+` (or its fullwidth form) before the first digit. */
  plus: boolean;
  /** Has a `/`, which may separate two numbers. */
  slash: boolean;
}

/** libphonenumber-js's own bound on its input. */
const MAX_CELL_LENGTH = 250;
const SCIENTIFIC_NOTATION = /^\d(?:[.,]\d+)?e\+?\d+$/i;

function normalise(raw: string, country: CountryCode, options: NormalisePhoneOptions, fast: boolean): PhoneResult {
  let text = raw.trim();
  if (text.charCodeAt(0) === 0x27) {
    // Excel's "this is text" marker, and the prefix `rejected-csv.ts` adds against formula injection.
    text = text.slice(1).trim();
  }
  if (text === '') {
    return reject('EMPTY', 'no phone number');
  }
  if (text.length > MAX_CELL_LENGTH) {
    return reject('NOT_A_NUMBER', `not a phone number: longer than ${MAX_CELL_LENGTH} characters`);
  }
  const digits = digitsOf(text);
  if (digits === undefined) {
    return readText(text, { country, options, fast });
  }
  if (digits.digits === '') {
    return reject('NOT_A_NUMBER', `not a phone number: no digits in "${text}"`);
  }
  return readDigits(text, digits, country, options, fast);
}

// Character classes of a cell. Separators are libphonenumber's punctuation (dashes, dots, brackets, its spaces) and
// every other Unicode space: exports write French numbers with U+202F and typeset ones with U+2009, which the library
// does not know.
const OTHER = 0;
const DIGIT = 1;
const PLUS = 2;
const SEPARATOR = 3;
const SLASH = 4;

function classOf(code: number): number {
  if (code < 0x80) {
    if (code >= 0x30 && code <= 0x39) return DIGIT;
    switch (code) {
      case 0x20: // space
      case 0x09: // tab
      case 0x2d: // -
      case 0x2e: // .
      case 0x28: // (
      case 0x29: // )
      case 0x5b: // [
      case 0x5d: // ]
        return SEPARATOR;
      case 0x2f: // /
        return SLASH;
      case 0x2b: // +
        return PLUS;
      default:
        return OTHER;
    }
  }
  if (digitValue(code) >= 0) return DIGIT;
  if (code === 0xff0b) return PLUS; // fullwidth +
  if (code === 0xff0f) return SLASH; // fullwidth /
  return canonicalSeparator(code) === undefined ? OTHER : SEPARATOR;
}

/** Value of a fullwidth or Arabic-Indic digit (libphonenumber reads both), else -1. */
function digitValue(code: number): number {
  if (code >= 0xff10 && code <= 0xff19) return code - 0xff10;
  if (code >= 0x660 && code <= 0x669) return code - 0x660;
  if (code >= 0x6f0 && code <= 0x6f9) return code - 0x6f0;
  return -1;
}

/** The ASCII form of a non-ASCII separator, `''` for invisible ones, `undefined` for anything else. */
function canonicalSeparator(code: number): string | undefined {
  if (code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x202f) return ' ';
  if (code === 0x205f || code === 0x3000) return ' ';
  if (code === 0xad || code === 0x200b || code === 0x2060 || code === 0xfeff) return ''; // soft hyphen, zero-width
  if ((code >= 0x2010 && code <= 0x2015) || code === 0x2212 || code === 0x30fc || code === 0xff0d) return '-';
  switch (code) {
    case 0xff0e:
      return '.';
    case 0xff08:
      return '(';
    case 0xff09:
      return ')';
    case 0xff3b:
      return '[';
    case 0xff3d:
      return ']';
    default:
      return undefined;
  }
}

/**
 * The digits of a cell made of digits, separators and a `+` before the first digit (`(+48) 601-234-567`), as ASCII;
 * `undefined` when it holds anything else. The hot path of an import: one pass, no regular expression.
 */
function digitsOf(text: string): Digits | undefined {
  let digits = '';
  let plus = false;
  let slash = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) {
      digits += text[index];
      continue;
    }
    switch (classOf(code)) {
      case SEPARATOR:
        break;
      case DIGIT:
        digits += String.fromCharCode(0x30 + digitValue(code));
        break;
      case SLASH:
        slash = true;
        break;
      case PLUS:
        if (plus || digits !== '') return undefined;
        plus = true;
        break;
      default:
        return undefined;
    }
  }
  return { digits, plus, slash };
}

/** A number written as digits and separators: two numbers split by `/`, or one number to identify. */
function readDigits(
  text: string,
  written: Digits,
  country: CountryCode,
  options: NormalisePhoneOptions,
  fast: boolean,
): PhoneResult {
  if (written.slash) {
    const several = slashSeparated(text, country, options, fast);
    if (several !== undefined) {
      return several;
    }
  }
  let { digits, plus } = written;
  const plan = numberingPlan(country);
  if (!plus && digits.startsWith('00') && digits.charCodeAt(2) !== 0x30) {
    // `00` is the international prefix in most of the world. Where it is not the whole prefix (e.g. Brazil's
    // `0021` carrier selection) the library strips the real one; elsewhere `00` cannot start a national number.
    const idd = plan?.iddPrefix.exec(digits);
    if (idd === null || idd === undefined || idd[0].length === 2) {
      plus = true;
      digits = digits.slice(2);
    }
  }
  const identified = (fast ? identifyFast(digits, plus, country) : undefined) ?? identify(text, digits, plus, country);
  if (identified.ok) {
    return applyTypePolicy(identified, options);
  }
  // Checked after the library: in Jersey or Norfolk Island it completes 6 and 5 local digits with the area code.
  if (!plus && plan !== undefined && digits.length >= 3 && digits.length <= 6 && digits.length < plan.minLength) {
    return reject(
      'SHORT_CODE',
      `${digits} is a short code or service number, not a full ${country} number (${plan.minLength} digits or more)`,
    );
  }
  return identified;
}

/**
 * `601 234 567 / 602 345 678`: parts split by `/` of which two or more are numbers on their own. Otherwise the slash
 * is a separator, as in `030/1234567` (area code / subscriber number, the German way).
 */
function slashSeparated(
  text: string,
  country: CountryCode,
  options: NormalisePhoneOptions,
  fast: boolean,
): RejectedPhone | undefined {
  const parts = text.split(SLASHES);
  const numbers: string[] = [];
  for (const part of parts) {
    const written = digitsOf(part);
    if (
      written !== undefined &&
      written.digits.length >= MIN_DIGITS_AROUND_SLASH &&
      isNumber(readDigits(part, written, country, options, fast))
    ) {
      numbers.push(part.trim());
    }
  }
  return numbers.length >= 2 ? multipleNumbers(numbers) : undefined;
}

const SLASHES = /[/\uff0f]/;
/**
 * Digits each side of a `/` needs to be taken for a number of its own. Some countries have valid 5- and 6-digit
 * numbers, which an area code before a slash could pass for (`(49) 1512/345 6720`); full numbers in lists have 7 or
 * more digits nearly everywhere.
 */
const MIN_DIGITS_AROUND_SLASH = 7;

const DELIBERATE: ReadonlySet<PhoneRejectionCode> = new Set(DELIBERATE_REJECTION_CODES);

/** A result that says the text is a phone number, whether it will be called or not. */
function isNumber(result: PhoneResult): boolean {
  return result.ok || DELIBERATE.has(result.code);
}

function multipleNumbers(numbers: readonly string[]): RejectedPhone {
  return reject(
    'MULTIPLE_NUMBERS',
    `the cell holds ${numbers.length} numbers (${quoted(numbers)}): the phone column takes one number per row; ` +
      'put each in a row of its own',
  );
}

// Words and marks around the number, matched on the cell with its digits, plus signs and separators made ASCII.
/** Labels before the number: `tel.`, `Tel.:`, `tel:`, `nr`, `nr tel.`, `tel. kom.`, `phone:`, `Mobile`, … */
const LABELS =
  /^(?:(?:t[eé]l(?:[eé]fono?|ephone|[eé]phone|efoon)?|phone|ph|mob(?:ile|il)?|m[oó]vil|cell(?:ulare?|ular)?|kom(?:[oó]rka)?|gsm|handy|portable|nr|no(?=\.)|n°|№|numer|number|nummer|num[eé]ro)(?!\p{L})[\s.:]*)+/iu;
const EXTENSION_LABEL = '(?:ext(?:ension|n)?|wewn?|int|dw|durchwahl|poste|interno|anexo|доб|x|#)';
/** An extension at the end: `wew. 12`, `ext 12`, `x12`, `#12`, `(wew. 12)`. */
const EXTENSION = new RegExp(
  String.raw`^(?<main>.*?\d[^\d]*?)[\s,;(\[]*(?<!\p{L})${EXTENSION_LABEL}\s*[.:=]?\s*(?<extension>\d{1,20})\s*[#)\]]?\s*$`,
  'iu',
);
/** A part of a cell that is only an extension: `12` after `601 234 567,` or `ext=12` after `;`. */
const EXTENSION_ONLY = new RegExp(String.raw`^(?:${EXTENSION_LABEL}\s*[.:=]?\s*)?\d{1,6}\s*#?$`, 'iu');
/** What separates two numbers in one cell (`/` is handled apart, being also a separator inside a number). */
const LIST_SEPARATORS = /\s*[,;|\n\r]\s*|\s+(?:or|lub|albo|oder|ou|o|of|od|and|und|i|y|e|et|или)\s+/iu;
const NOISE_AT_ENDS = /^[\s\-.()[\]/,;|:]+|[\s\-.()[\]/,;|:]+$/g;

/** A cell with something besides digits and separators: labels, extensions, notes, several numbers. */
function readText(text: string, reading: Reading): PhoneResult {
  if (SCIENTIFIC_NOTATION.test(text)) {
    return reject(
      'NOT_A_NUMBER',
      `"${text}" is a number in scientific notation: Excel dropped digits; format the phone column as Text`,
    );
  }
  const canonical = canonicalise(text);
  const parts = canonical
    .split(LIST_SEPARATORS)
    .flatMap((part) => splitBySlash(part, reading))
    .filter((part) => /\d/.test(part));
  if (parts.length < 2) {
    return readPart(canonical, reading);
  }
  const numbers = parts.filter((part) => isNumber(readPart(part, reading)));
  if (numbers.length >= 2) {
    return multipleNumbers(numbers);
  }
  const [first, ...rest] = parts;
  if (first !== undefined && numbers[0] === first && rest.every((part) => EXTENSION_ONLY.test(part.trim()))) {
    return reject(
      'EXTENSION',
      `${quoted(rest)} after the number is an extension, dialled after a pause: the dialer cannot key it in; ` +
        'list the direct number without it',
    );
  }
  return reject(
    'MULTIPLE_NUMBERS',
    `the cell holds ${parts.length} groups of digits (${quoted(parts)}) separated by "," ";" or a word: ` +
      'the phone column takes one number per row',
  );
}

/** `part` split at its slashes when two or more of the pieces are numbers (`tel. 601 234 567 / kom. 602 345 678`). */
function splitBySlash(part: string, reading: Reading): string[] {
  if (!SLASHES.test(part)) {
    return [part];
  }
  const pieces = part.split(SLASHES);
  const digitCount = (piece: string) => (EXTENSION.exec(piece)?.groups?.main ?? piece).replace(/\D/g, '').length;
  const numbers = pieces.filter(
    (piece) => digitCount(piece) >= MIN_DIGITS_AROUND_SLASH && isNumber(readPart(piece, reading)),
  );
  return numbers.length >= 2 ? pieces : [part];
}

/** One number with its label, extension or note, as `readText` splits a cell. */
function readPart(part: string, reading: Reading): PhoneResult {
  const unlabelled = part.replace(LABELS, '');
  const extension = EXTENSION.exec(unlabelled);
  if (extension?.groups !== undefined) {
    const main = readPart(extension.groups.main ?? '', reading);
    return isNumber(main)
      ? reject(
          'EXTENSION',
          `extension ${extension.groups.extension} cannot be dialled: list the direct number without it`,
        )
      : main;
  }
  let digits = '';
  let plus = false;
  /** Digits before a `+` that came after the first digit (or a second `+`), -1 for none. */
  let digitsBeforeLatePlus = -1;
  let slash = false;
  let text = false;
  for (let index = 0; index < unlabelled.length; index++) {
    const code = unlabelled.charCodeAt(index);
    switch (classOf(code)) {
      case DIGIT:
        digits += unlabelled[index];
        break;
      case PLUS:
        if (plus || digits !== '') {
          digitsBeforeLatePlus = digitsBeforeLatePlus < 0 ? digits.length : digitsBeforeLatePlus;
        } else {
          plus = true;
        }
        break;
      case SLASH:
        slash = true;
        break;
      case SEPARATOR:
        break;
      default:
        // A `,` or `;` left at an end (`601 234 567,`) is no more than a stray separator.
        text ||= code !== 0x2c && code !== 0x3b && code !== 0x7c;
    }
  }
  const letters = /\p{L}/u.test(part);
  if (digits === '') {
    return reject(
      'NOT_A_NUMBER',
      letters ? `not a phone number: "${part.trim()}" contains letters` : `not a phone number: "${part.trim()}"`,
    );
  }
  if (digitsBeforeLatePlus >= 0 && digits.length > digitsBeforeLatePlus) {
    return reject('NOT_A_NUMBER', `not a phone number: "${part.trim()}" has a + that does not start the number`);
  }
  // A `+` after the last digit is a stray mark, like any other.
  text ||= digitsBeforeLatePlus >= 0;
  if (!text) {
    return read(unlabelled.replace(/[,;|]/g, ' ').trim(), { digits, plus, slash }, reading);
  }
  const besides = [
    ...new Set(
      unlabelled
        .split(/[\d+]+/)
        .map((piece) => piece.replace(NOISE_AT_ENDS, ''))
        .filter((piece) => piece !== ''),
    ),
  ];
  if (besides.length === 0) {
    besides.push('+');
  }
  if (digits.length < 3) {
    return reject('NOT_A_NUMBER', `not a phone number: "${part.trim()}"${letters ? ' contains letters' : ''}`);
  }
  const number = read(`${plus ? '+' : ''}${digits}`, { digits, plus, slash: false }, reading);
  if (!isNumber(number)) {
    return number.ok ? number : { ...number, reason: `${number.reason}; the cell also holds ${quoted(besides)}` };
  }
  return reject(
    'EXTRA_TEXT',
    `the cell holds ${quoted(besides)} besides the number: put only the number in the phone column ` +
      '(notes belong in a column of their own)',
  );
}

function read(text: string, written: Digits, { country, options, fast }: Reading): PhoneResult {
  return readDigits(text, written, country, options, fast);
}

/** The cell with its digits, plus signs and separators in ASCII, so that the patterns above can read it. */
function canonicalise(text: string): string {
  let out = '';
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (code < 0x80) {
      out += character;
    } else if (digitValue(code) >= 0) {
      out += String.fromCharCode(0x30 + digitValue(code));
    } else if (code === 0xff0b) {
      out += '+';
    } else if (code === 0xff0f) {
      out += '/';
    } else if (code === 0x2028 || code === 0x2029) {
      out += '\n';
    } else {
      out += canonicalSeparator(code) ?? character;
    }
  }
  return out;
}

function quoted(parts: readonly string[]): string {
  return parts.map((part) => `"${part.trim()}"`).join(', ');
}

type Identified = AcceptedPhone | RejectedPhone;

/**
 * The library's answer for simple inputs it would accept, computed without it; `undefined` when not certain.
 * Mirrors libphonenumber-js `parse` → `extractCountryCallingCode` → `extractNationalNumber` → `getNumberType`.
 */
function identifyFast(digits: string, plus: boolean, defaultCountry: CountryCode): Identified | undefined {
  if (plus) {
    const callingCode = leadingCallingCode(digits);
    const countries = callingCode === undefined ? undefined : countriesForCallingCode(callingCode);
    const country = countries?.length === 1 ? countries[0] : undefined;
    const plan = country === undefined ? undefined : numberingPlan(country);
    if (callingCode === undefined || plan === undefined || plan.hasSpecialPrefixRules) {
      return undefined;
    }
    const nationalNumber = digits.slice(callingCode.length);
    if (plan.nationalPrefix !== undefined && nationalNumber.startsWith(plan.nationalPrefix)) {
      return undefined;
    }
    return accepted(plan, nationalNumber);
  }
  const plan = numberingPlan(defaultCountry);
  if (
    plan === undefined ||
    !plan.ownsCallingCode ||
    plan.hasSpecialPrefixRules ||
    plan.iddPrefix.test(digits) ||
    digits.startsWith(plan.callingCode)
  ) {
    return undefined;
  }
  let nationalNumber = digits;
  if (plan.nationalPrefix !== undefined && digits.startsWith(plan.nationalPrefix)) {
    nationalNumber = digits.slice(plan.nationalPrefix.length);
    // The library keeps the prefix when stripping it would turn a valid-looking number invalid, or leave one too
    // short; both are rare, so leave them to it.
    if (plan.nationalPattern.test(digits) || !plan.possibleLengths.includes(nationalNumber.length)) {
      return undefined;
    }
  }
  return accepted(plan, nationalNumber);
}

function accepted(plan: NumberingPlan, nationalNumber: string): AcceptedPhone | undefined {
  if (nationalNumber.length < 2 || nationalNumber.length > 17) {
    return undefined;
  }
  const type = numberType(plan, nationalNumber);
  if (type === undefined) {
    return undefined;
  }
  return { ok: true, e164: `+${plan.callingCode}${nationalNumber}`, country: plan.country, type };
}

/** The shortest known calling code `digits` starts with, as the library looks for it (1 to 3 digits). */
function leadingCallingCode(digits: string): string | undefined {
  if (digits.charCodeAt(0) === 0x30) {
    return undefined;
  }
  for (let length = 1; length <= 3 && length <= digits.length; length++) {
    const candidate = digits.slice(0, length);
    if (countriesForCallingCode(candidate) !== undefined) {
      return candidate;
    }
  }
  return undefined;
}

/** The library's answer, with its errors turned into rejection codes. */
function identify(text: string, digits: string, plus: boolean, defaultCountry: CountryCode): Identified {
  let phone: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    // The digits alone: the cell has been read already (its extension, label or note are not the library's to see).
    phone = parsePhoneNumberWithError(`${plus ? '+' : ''}${digits}`, { defaultCountry, extract: false });
  } catch (error) {
    if (error instanceof ParseError) {
      return fromParseError(error.message, text, digits, plus, defaultCountry);
    }
    throw error;
  }
  const callingCode = phone.countryCallingCode;
  if (isNonGeographicCallingCode(callingCode)) {
    return reject(
      'NON_GEOGRAPHIC',
      `+${callingCode} is an international network or satellite code, not a country: such numbers are not called`,
    );
  }
  const region = phone.country ?? `+${callingCode}`;
  if (!phone.isValid()) {
    return invalid(phone.number, phone.nationalNumber.length, region, phone.country);
  }
  if (phone.country === undefined) {
    return reject('INVALID_NUMBER', `cannot tell which country +${callingCode} ${phone.nationalNumber} belongs to`);
  }
  return { ok: true, e164: phone.number, country: phone.country, type: phone.getType() };
}

/**
 * Why a parsed number is not valid. The library's own length check uses every length any number type has (6 to 10
 * digits in PL), so an 8-digit Polish number would only be "not valid"; the lengths of fixed-line and mobile numbers
 * give the operator the more useful "too short".
 */
function invalid(e164: string, length: number, region: string, country: CountryCode | undefined): RejectedPhone {
  const usual = country === undefined ? undefined : usualLengths(country);
  const digits =
    usual === undefined
      ? `${length} digits`
      : `${length} digits; fixed-line and mobile numbers have ${usual.join(' or ')}`;
  switch (validatePhoneNumberLength(e164)) {
    case 'TOO_SHORT':
      return reject('INVALID_LENGTH', `number is too short for ${region} (${digits})`);
    case 'TOO_LONG':
      return reject('INVALID_LENGTH', `number is too long for ${region} (${digits})`);
    case 'INVALID_LENGTH':
      return reject('INVALID_LENGTH', `no ${region} number has ${length} digits`);
    default:
      if (usual === undefined || usual.includes(length)) {
        return reject('INVALID_NUMBER', `number is not valid for ${region}`);
      }
      if (length < Math.min(...usual)) {
        return reject('INVALID_LENGTH', `number is too short for ${region} (${digits})`);
      }
      if (length > Math.max(...usual)) {
        return reject('INVALID_LENGTH', `number is too long for ${region} (${digits})`);
      }
      return reject(
        'INVALID_LENGTH',
        `no ${region} fixed-line or mobile number has ${length} digits (${usual.join(' or ')})`,
      );
  }
}

/** Lengths of the country's fixed-line and mobile numbers, ascending. */
function usualLengths(country: CountryCode): number[] | undefined {
  const plan = numberingPlan(country);
  if (plan === undefined) {
    return undefined;
  }
  const lengths = new Set([
    ...(plan.types.get('FIXED_LINE')?.lengths ?? []),
    ...(plan.types.get('MOBILE')?.lengths ?? []),
  ]);
  return lengths.size === 0 ? undefined : [...lengths].sort((a, b) => a - b);
}

function fromParseError(
  error: string,
  text: string,
  digits: string,
  plus: boolean,
  defaultCountry: CountryCode,
): RejectedPhone {
  const count = ` (${digits.length} digits)`;
  switch (error) {
    case 'INVALID_COUNTRY':
      return reject('INVALID_COUNTRY_CODE', `unknown country calling code in "${text}"`);
    case 'TOO_SHORT':
      return reject('INVALID_LENGTH', `number is too short for ${plus ? 'any country' : defaultCountry}${count}`);
    case 'TOO_LONG':
      return reject('INVALID_LENGTH', `number is too long for ${plus ? 'any country' : defaultCountry}${count}`);
    default:
      return reject('NOT_A_NUMBER', `not a phone number: "${text}"`);
  }
}

function applyTypePolicy(phone: AcceptedPhone, options: NormalisePhoneOptions): PhoneResult {
  switch (phone.type) {
    case 'PREMIUM_RATE':
      return options.allowPremium
        ? phone
        : reject('PREMIUM_RATE', `${phone.e164} is a premium-rate number; the campaign does not allow premium numbers`);
    case 'SHARED_COST':
      return options.allowPremium
        ? phone
        : reject('SHARED_COST', `${phone.e164} is a shared-cost number; the campaign does not allow premium numbers`);
    case 'PAGER':
      return reject('NOT_DIALABLE', `${phone.e164} is a pager number: it cannot take a voice call`);
    case 'VOICEMAIL':
      return reject('NOT_DIALABLE', `${phone.e164} is a voicemail access number, not a subscriber`);
    default:
      return phone;
  }
}

function reject(code: PhoneRejectionCode, reason: string): RejectedPhone {
  return { ok: false, code, reason };
}
