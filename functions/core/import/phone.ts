/**
 * Phone number normalisation for list imports: whatever a spreadsheet holds in the phone column becomes an E.164
 * number the dialer can call, or a precise, stable reason why not.
 *
 * Validation is libphonenumber-js with its `max` metadata (needed to tell premium-rate and shared-cost numbers
 * apart). Clean inputs take a fast path over pre-compiled patterns of the same metadata (see `numbering-plan.ts`);
 * it gives the library's answer over 10 times faster and leaves every doubtful case, and every rejection, to the
 * library itself.
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
  /** Letters or symbols, no digits, or a spreadsheet artefact such as `4.86012E+10`. */
  'NOT_A_NUMBER',
  /** `+` (or `00`) followed by a calling code that does not exist. */
  'INVALID_COUNTRY_CODE',
  /** Too short, too long, or a length no number of that country has. */
  'INVALID_LENGTH',
  /** The right length but not a number the country's numbering plan assigns. */
  'INVALID_NUMBER',
  /** 3 to 6 digits without a country code, shorter than any full number: 112, 19115, 116111, … */
  'SHORT_CODE',
  /** An extension (`ext. 12`, `x12`, `#12`): the dialer cannot key it in. */
  'EXTENSION',
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
 * Normalises one phone number as written in a list: `+48 601 234 567`, `0048601234567`, `601-234-567`,
 * `(601) 234 567`, `'+48601234567` (Excel's text marker) and so on. Numbers without an international prefix are
 * read in `defaultCountry`'s national format. Never throws.
 *
 * @param raw - The cell, untrimmed.
 * @param defaultCountry - ISO 3166 alpha-2 country for national-format numbers (the campaign's `defaultCountry`).
 */
export function normalisePhone(raw: string, defaultCountry: CountryCode, options: NormalisePhoneOptions): PhoneResult {
  const cleaned = clean(raw, defaultCountry);
  if (!('digits' in cleaned)) {
    return cleaned;
  }
  const identified =
    (cleaned.simple ? identifyFast(cleaned, defaultCountry) : undefined) ?? identify(cleaned, defaultCountry);
  return identified.ok ? applyTypePolicy(identified, options) : identified;
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
  const cleaned = clean(raw, defaultCountry);
  if (!('digits' in cleaned)) {
    return cleaned;
  }
  const identified = identify(cleaned, defaultCountry);
  return identified.ok ? applyTypePolicy(identified, options) : identified;
}

/** A cell reduced to what matters for parsing. */
interface CleanedPhone {
  /** Trimmed cell without Excel's leading apostrophe. */
  text: string;
  /** The digits, without the `+` (or the `00` read as `+`). */
  digits: string;
  /** Written with an international prefix. */
  plus: boolean;
  /** Only digits and separators (space, `-`, `.`, `/`, parentheses) after an optional `+`. */
  simple: boolean;
}

const MAX_CELL_LENGTH = 64;
const SCIENTIFIC_NOTATION = /^\d(?:[.,]\d+)?e\+?\d+$/i;

function clean(raw: string, defaultCountry: CountryCode): CleanedPhone | RejectedPhone {
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
  let plus = text.charCodeAt(0) === 0x2b;
  let digits = '';
  let simple = true;
  for (let index = plus ? 1 : 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 0x30 && code <= 0x39) {
      digits += text[index];
    } else if (!isSeparator(code)) {
      simple = false;
      break;
    }
  }
  if (!simple) {
    if (SCIENTIFIC_NOTATION.test(text)) {
      return reject(
        'NOT_A_NUMBER',
        `"${text}" is a number in scientific notation: Excel dropped digits; format the phone column as Text`,
      );
    }
    return { text, digits: '', plus, simple };
  }
  if (digits === '') {
    return reject('NOT_A_NUMBER', `not a phone number: no digits in "${text}"`);
  }
  const plan = numberingPlan(defaultCountry);
  if (!plus && digits.startsWith('00') && digits.charCodeAt(2) !== 0x30) {
    // `00` is the international prefix in most of the world. Where it is not the whole prefix (e.g. Brazil's
    // `0021` carrier selection) the library strips the real one; elsewhere `00` cannot start a national number.
    const idd = plan?.iddPrefix.exec(digits);
    if (idd === null || idd === undefined || idd[0].length === 2) {
      plus = true;
      digits = digits.slice(2);
    }
  }
  if (!plus && plan !== undefined && digits.length >= 3 && digits.length <= 6 && digits.length < plan.minLength) {
    return reject(
      'SHORT_CODE',
      `${digits} is a short code or service number, not a full ${defaultCountry} number (${plan.minLength} digits or more)`,
    );
  }
  return { text, digits, plus, simple };
}

function isSeparator(code: number): boolean {
  return (
    code === 0x20 || // space
    code === 0x2d || // -
    code === 0x2e || // .
    code === 0x2f || // /
    code === 0x28 || // (
    code === 0x29 || // )
    code === 0xa0 || // no-break space
    code === 0x2009 || // thin space
    code === 0x202f // narrow no-break space (French formatting)
  );
}

type Identified = AcceptedPhone | RejectedPhone;

/**
 * The library's answer for simple inputs it would accept, computed without it; `undefined` when not certain.
 * Mirrors libphonenumber-js `parse` → `extractCountryCallingCode` → `extractNationalNumber` → `getNumberType`.
 */
function identifyFast(cleaned: CleanedPhone, defaultCountry: CountryCode): Identified | undefined {
  const { digits } = cleaned;
  if (cleaned.plus) {
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
function identify(cleaned: CleanedPhone, defaultCountry: CountryCode): Identified {
  const input = cleaned.simple ? `${cleaned.plus ? '+' : ''}${cleaned.digits}` : cleaned.text;
  let phone: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    phone = parsePhoneNumberWithError(input, { defaultCountry, extract: false });
  } catch (error) {
    if (error instanceof ParseError) {
      return fromParseError(error.message, cleaned, defaultCountry);
    }
    throw error;
  }
  if (phone.ext !== undefined && phone.ext !== '') {
    return reject('EXTENSION', `extension ${phone.ext} cannot be dialled: list the direct number without it`);
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

function fromParseError(error: string, cleaned: CleanedPhone, defaultCountry: CountryCode): RejectedPhone {
  const count = cleaned.simple ? ` (${cleaned.digits.length} digits)` : '';
  switch (error) {
    case 'INVALID_COUNTRY':
      return reject('INVALID_COUNTRY_CODE', `unknown country calling code in "${cleaned.text}"`);
    case 'TOO_SHORT':
      return reject(
        'INVALID_LENGTH',
        `number is too short for ${cleaned.plus ? 'any country' : defaultCountry}${count}`,
      );
    case 'TOO_LONG':
      return reject(
        'INVALID_LENGTH',
        `number is too long for ${cleaned.plus ? 'any country' : defaultCountry}${count}`,
      );
    default:
      return reject(
        'NOT_A_NUMBER',
        /\p{L}/u.test(cleaned.text)
          ? `not a phone number: "${cleaned.text}" contains letters`
          : `not a phone number: "${cleaned.text}"`,
      );
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
