/**
 * Compiled numbering plans for the phone normaliser's fast path.
 *
 * libphonenumber-js builds a new `RegExp` for every pattern it tests, which makes `parse + getType` cost about 5 µs
 * per number: the single biggest cost of an import. The fast path reads the same `max` metadata once per country,
 * compiles its patterns, and answers the common cases (clean E.164 or national digit strings) with the library's own
 * algorithm. It only ever *accepts*: any input it is not certain about goes to the library, and every rejection is
 * the library's. `test/unit/core/import/phone.test.ts` checks both paths agree on random input.
 */
import { type CountryCode, isSupportedCountry, type PhoneNumberType } from 'libphonenumber-js/max';
import metadataJson from 'libphonenumber-js/metadata.max.json';
import { z } from 'zod';

/** The parts of the metadata (format version 4) the fast path reads; anything else makes it step aside. */
const MetadataSchema = z.object({
  version: z.literal(4),
  country_calling_codes: z.record(z.string(), z.array(z.string())),
  countries: z.record(z.string(), z.array(z.unknown())),
  nonGeographic: z.record(z.string(), z.unknown()).default({}),
});

const PatternSchema = z.string();
const LengthsSchema = z.array(z.number().int().positive()).min(1);
/** `0` stands for "absent" in the compressed metadata. */
const AbsentSchema = z.union([z.literal(0), z.undefined(), z.null()]);
const TypeEntrySchema = z.union([AbsentSchema, z.tuple([PatternSchema]), z.tuple([PatternSchema, LengthsSchema])]);

/**
 * Country entry, by position (libphonenumber-js `metadata.js`, format version 4): calling code, IDD prefix, national
 * number pattern, possible lengths, formats, national prefix, national prefix formatting rule, national prefix for
 * parsing, national prefix transform rule, national prefix optional when formatting, leading digits, types, ….
 */
const CountryEntrySchema = z.tuple(
  [
    z.string().regex(/^\d{1,3}$/),
    PatternSchema,
    PatternSchema,
    LengthsSchema,
    z.unknown(),
    z.union([AbsentSchema, z.string()]),
    z.unknown(),
    z.union([AbsentSchema, z.string()]),
    z.union([AbsentSchema, z.string()]),
    z.unknown(),
    z.unknown(),
    z.union([AbsentSchema, z.array(TypeEntrySchema)]),
  ],
  z.unknown(),
);

/** Positions of the number types in the metadata `types` array (libphonenumber-js `metadata.js`). */
const TYPE_POSITIONS = {
  FIXED_LINE: 0,
  MOBILE: 1,
  TOLL_FREE: 2,
  PREMIUM_RATE: 3,
  PERSONAL_NUMBER: 4,
  VOICEMAIL: 5,
  UAN: 6,
  PAGER: 7,
  VOIP: 8,
  SHARED_COST: 9,
} as const;

/** Order in which libphonenumber's `getNumberType` tries the types after fixed line. */
const NON_FIXED_LINE_TYPES = [
  'MOBILE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

interface CompiledType {
  /** Empty pattern: "same as fixed line" (the metadata drops duplicate patterns). */
  pattern: RegExp | undefined;
  lengths: readonly number[];
}

/** One country's numbering plan, compiled. */
export interface NumberingPlan {
  country: CountryCode;
  callingCode: string;
  /** Only country on its calling code (the fast path cannot tell +44 GB from +44 JE, or +1 US from CA). */
  ownsCallingCode: boolean;
  /** `^(?:IDD)` as the library applies it (`search() === 0`). */
  iddPrefix: RegExp;
  nationalPattern: RegExp;
  possibleLengths: readonly number[];
  minLength: number;
  /** Plain digits stripped from national-format numbers (`0` in DE), when no special parsing rule exists. */
  nationalPrefix: string | undefined;
  /** The library has carrier-code or transform rules for this country: the fast path stays away. */
  hasSpecialPrefixRules: boolean;
  types: ReadonlyMap<PhoneNumberType, CompiledType>;
}

const metadata = MetadataSchema.safeParse(metadataJson);
const plans = new Map<string, NumberingPlan | undefined>();

/** Countries sharing a calling code (`undefined` for unknown and non-geographic codes). */
export function countriesForCallingCode(callingCode: string): readonly string[] | undefined {
  return metadata.success ? metadata.data.country_calling_codes[callingCode] : undefined;
}

/** International network and satellite codes such as +800, +870, +881, +882 that belong to no country. */
export function isNonGeographicCallingCode(callingCode: string): boolean {
  return metadata.success && callingCode in metadata.data.nonGeographic;
}

/**
 * The compiled plan for `country`, or `undefined` when the metadata has none or is not laid out as expected
 * (then callers use the library alone). Compiled once per country and kept: at most ~250 entries.
 */
export function numberingPlan(country: string): NumberingPlan | undefined {
  if (plans.has(country)) {
    return plans.get(country);
  }
  const plan = compile(country);
  plans.set(country, plan);
  return plan;
}

function compile(country: string): NumberingPlan | undefined {
  if (!metadata.success) {
    return undefined;
  }
  const entry = CountryEntrySchema.safeParse(metadata.data.countries[country]);
  if (!entry.success || !isSupportedCountry(country)) {
    return undefined;
  }
  const [callingCode, iddPrefix, nationalPattern, possibleLengths, , nationalPrefix] = entry.data;
  const [, , , , , , , prefixForParsing, prefixTransformRule, , , types] = entry.data;
  const compiledTypes = new Map<PhoneNumberType, CompiledType>();
  for (const [name, position] of Object.entries(TYPE_POSITIONS)) {
    const type = Array.isArray(types) ? types[position] : undefined;
    if (Array.isArray(type) && isPhoneNumberType(name)) {
      compiledTypes.set(name, {
        pattern: type[0] === '' ? undefined : entirely(type[0]),
        lengths: type[1] ?? possibleLengths,
      });
    }
  }
  if (compiledTypes.size === 0) {
    return undefined;
  }
  const sharing = metadata.data.country_calling_codes[callingCode] ?? [];
  return {
    country,
    callingCode,
    ownsCallingCode: sharing.length === 1 && sharing[0] === country,
    iddPrefix: new RegExp(`^(?:${iddPrefix})`),
    nationalPattern: entirely(nationalPattern),
    possibleLengths,
    minLength: Math.min(...possibleLengths),
    // A national prefix the library strips with a plain `^(?:prefix)` match; anything else is left to the library.
    nationalPrefix: typeof nationalPrefix === 'string' && /^\d+$/.test(nationalPrefix) ? nationalPrefix : undefined,
    hasSpecialPrefixRules:
      (typeof nationalPrefix === 'string' && !/^\d*$/.test(nationalPrefix)) ||
      (typeof prefixForParsing === 'string' && prefixForParsing !== '') ||
      (typeof prefixTransformRule === 'string' && prefixTransformRule !== ''),
    types: compiledTypes,
  };
}

/**
 * The number type of a national significant number, or `undefined` when the number is not valid: a faithful copy of
 * libphonenumber-js `getNumberType` (which also decides `isValid` for metadata with types).
 */
export function numberType(plan: NumberingPlan, nationalNumber: string): PhoneNumberType | undefined {
  if (!plan.nationalPattern.test(nationalNumber)) {
    return undefined;
  }
  if (matchesType(plan, 'FIXED_LINE', nationalNumber)) {
    const mobile = plan.types.get('MOBILE');
    if (mobile === undefined || mobile.pattern === undefined || matchesType(plan, 'MOBILE', nationalNumber)) {
      return 'FIXED_LINE_OR_MOBILE';
    }
    return 'FIXED_LINE';
  }
  for (const type of NON_FIXED_LINE_TYPES) {
    if (matchesType(plan, type, nationalNumber)) {
      return type;
    }
  }
  return undefined;
}

function matchesType(plan: NumberingPlan, type: PhoneNumberType, nationalNumber: string): boolean {
  const compiled = plan.types.get(type);
  if (compiled?.pattern === undefined || !compiled.lengths.includes(nationalNumber.length)) {
    return false;
  }
  return compiled.pattern.test(nationalNumber);
}

function entirely(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

const PHONE_NUMBER_TYPES: ReadonlySet<string> = new Set<PhoneNumberType>([
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
  'FIXED_LINE_OR_MOBILE',
  'FIXED_LINE',
  'MOBILE',
]);

function isPhoneNumberType(name: string): name is PhoneNumberType {
  return PHONE_NUMBER_TYPES.has(name);
}
