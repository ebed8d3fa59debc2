import fc from 'fast-check';
import {
  type CountryCode,
  getExampleNumber,
  isSupportedCountry,
  isValidPhoneNumber,
  parsePhoneNumberWithError,
} from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import {
  normalisePhone,
  normalisePhoneWithLibrary,
  type PhoneResult,
} from '../../../../functions/core/import/phone.ts';
import { phoneCell } from './phone-cells.ts';

const STRICT = { allowPremium: false };
const COUNTRIES =
  'PL DE FR GB US CA IT ES NL BE AT CH CZ SK HU RO SE NO FI DK IE PT GR UA RU BR AR MX IN AU JP CN ZA TR IL AE'
    .split(' ')
    .filter((country) => isSupportedCountry(country));

describe('normalisePhone', () => {
  it.each<[string, CountryCode, PhoneResult]>([
    ['+48 601 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['0048601234567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['601-234-567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['(601) 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['  601.234.567\u00a0', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ["'+48601234567", 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['+48 22 123 45 67', 'PL', { ok: true, e164: '+48221234567', country: 'PL', type: 'FIXED_LINE' }],
    ['+48 800 123 456', 'PL', { ok: true, e164: '+48800123456', country: 'PL', type: 'TOLL_FREE' }],
    ['48601234567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['030 1234567', 'DE', { ok: true, e164: '+49301234567', country: 'DE', type: 'FIXED_LINE' }],
    ['030/1234567', 'DE', { ok: true, e164: '+49301234567', country: 'DE', type: 'FIXED_LINE' }],
    ['06 12 34 56 78', 'FR', { ok: true, e164: '+33612345678', country: 'FR', type: 'MOBILE' }],
    ['+44 (0)20 7946 0958', 'PL', { ok: true, e164: '+442079460958', country: 'GB', type: 'FIXED_LINE' }],
    ['(212) 555-0123', 'US', { ok: true, e164: '+12125550123', country: 'US', type: 'FIXED_LINE_OR_MOBILE' }],
    // `00` is not the US international prefix, but no US number starts with it.
    ['0044 20 7946 0958', 'US', { ok: true, e164: '+442079460958', country: 'GB', type: 'FIXED_LINE' }],
    // The spellings of issue 16: `+` inside parentheses, labels, Unicode spaces, fullwidth digits.
    ['(+48) 601 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['+(48) 601-234-567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['[+48] 601 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['tel. 601 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['Tel.: (+48) 601 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['tel:+48-601-234-567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['nr tel. 601234567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['phone: 0048 601 234 567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['601\u2009234\u2009567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['601\u2002234\u3000567', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['06\u202f12\u202f34\u202f56\u202f78', 'FR', { ok: true, e164: '+33612345678', country: 'FR', type: 'MOBILE' }],
    ['＋４８ ６０１ ２３４ ５６７', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['601 234 567,', 'PL', { ok: true, e164: '+48601234567', country: 'PL', type: 'MOBILE' }],
    ['8 (912) 345-67-89', 'RU', { ok: true, e164: '+79123456789', country: 'RU', type: 'MOBILE' }],
    ['(0)20 7946 0958', 'GB', { ok: true, e164: '+442079460958', country: 'GB', type: 'FIXED_LINE' }],
    ['030 / 123 45 67', 'DE', { ok: true, e164: '+49301234567', country: 'DE', type: 'FIXED_LINE' }],
    // Local numbers the library completes with the area code (Jersey: 01534).
    ['640-400', 'JE', { ok: true, e164: '+441534640400', country: 'JE', type: 'FIXED_LINE' }],
    ['', 'PL', { ok: false, code: 'EMPTY', reason: 'no phone number' }],
    ['   ', 'PL', { ok: false, code: 'EMPTY', reason: 'no phone number' }],
    ['---', 'PL', { ok: false, code: 'NOT_A_NUMBER', reason: 'not a phone number: no digits in "---"' }],
    ['n/a', 'PL', { ok: false, code: 'NOT_A_NUMBER', reason: 'not a phone number: "n/a" contains letters' }],
    [
      '4,86012E+10',
      'PL',
      {
        ok: false,
        code: 'NOT_A_NUMBER',
        reason:
          '"4,86012E+10" is a number in scientific notation: Excel dropped digits; format the phone column as Text',
      },
    ],
    [
      '601234',
      'PL',
      {
        ok: false,
        code: 'INVALID_LENGTH',
        reason: 'number is too short for PL (6 digits; fixed-line and mobile numbers have 7 or 9)',
      },
    ],
    [
      '6012345678',
      'PL',
      {
        ok: false,
        code: 'INVALID_LENGTH',
        reason: 'number is too long for PL (10 digits; fixed-line and mobile numbers have 7 or 9)',
      },
    ],
    [
      '60123456',
      'PL',
      { ok: false, code: 'INVALID_LENGTH', reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9)' },
    ],
    ['+48 901 234 567', 'PL', { ok: false, code: 'INVALID_NUMBER', reason: 'number is not valid for PL' }],
    [
      '112',
      'PL',
      {
        ok: false,
        code: 'SHORT_CODE',
        reason: '112 is a short code or service number, not a full PL number (6 digits or more)',
      },
    ],
    [
      '+48 701 234 567',
      'PL',
      {
        ok: false,
        code: 'PREMIUM_RATE',
        reason: '+48701234567 is a premium-rate number; the campaign does not allow premium numbers',
      },
    ],
    [
      '0900 1234567',
      'DE',
      {
        ok: false,
        code: 'PREMIUM_RATE',
        reason: '+499001234567 is a premium-rate number; the campaign does not allow premium numbers',
      },
    ],
    [
      '+48 801 234 567',
      'PL',
      {
        ok: false,
        code: 'SHARED_COST',
        reason: '+48801234567 is a shared-cost number; the campaign does not allow premium numbers',
      },
    ],
    [
      '601 234 567 x12',
      'PL',
      { ok: false, code: 'EXTENSION', reason: 'extension 12 cannot be dialled: list the direct number without it' },
    ],
    [
      '+870 773 111 632',
      'PL',
      {
        ok: false,
        code: 'NON_GEOGRAPHIC',
        reason: '+870 is an international network or satellite code, not a country: such numbers are not called',
      },
    ],
    [
      '+999 123 456',
      'PL',
      { ok: false, code: 'INVALID_COUNTRY_CODE', reason: 'unknown country calling code in "+999 123 456"' },
    ],
    [
      '601234567 / 602345678',
      'PL',
      {
        ok: false,
        code: 'MULTIPLE_NUMBERS',
        reason:
          'the cell holds 2 numbers ("601234567", "602345678"): the phone column takes one number per row; put each in a row of its own',
      },
    ],
    [
      'tel. 601 234 567, kom. 602 345 678',
      'PL',
      {
        ok: false,
        code: 'MULTIPLE_NUMBERS',
        reason:
          'the cell holds 2 numbers ("tel. 601 234 567", "kom. 602 345 678"): the phone column takes one number per row; put each in a row of its own',
      },
    ],
    [
      '601,234,567',
      'PL',
      {
        ok: false,
        code: 'MULTIPLE_NUMBERS',
        reason:
          'the cell holds 3 groups of digits ("601", "234", "567") separated by "," ";" or a word: the phone column takes one number per row',
      },
    ],
    [
      '+48 601 234 567 wew. 12',
      'PL',
      { ok: false, code: 'EXTENSION', reason: 'extension 12 cannot be dialled: list the direct number without it' },
    ],
    [
      '601 234 567, 12',
      'PL',
      {
        ok: false,
        code: 'EXTENSION',
        reason:
          '"12" after the number is an extension, dialled after a pause: the dialer cannot key it in; list the direct number without it',
      },
    ],
    [
      '601 234 567 (mama)',
      'PL',
      {
        ok: false,
        code: 'EXTRA_TEXT',
        reason:
          'the cell holds "mama" besides the number: put only the number in the phone column (notes belong in a column of their own)',
      },
    ],
    [
      'Jan Kowalski 601 234 567 nie dzwonić',
      'PL',
      {
        ok: false,
        code: 'EXTRA_TEXT',
        reason:
          'the cell holds "Jan Kowalski", "nie dzwonić" besides the number: put only the number in the phone column (notes belong in a column of their own)',
      },
    ],
    [
      '601 234 56 (mama)',
      'PL',
      {
        ok: false,
        code: 'INVALID_LENGTH',
        reason: 'no PL fixed-line or mobile number has 8 digits (7 or 9); the cell also holds "mama"',
      },
    ],
    [
      '48+601234567',
      'PL',
      {
        ok: false,
        code: 'NOT_A_NUMBER',
        reason: 'not a phone number: "48+601234567" has a + that does not start the number',
      },
    ],
    ['tel.', 'PL', { ok: false, code: 'NOT_A_NUMBER', reason: 'not a phone number: "tel." contains letters' }],
  ])('%j in %s', (raw, country, expected) => {
    expect(normalisePhone(raw, country, STRICT)).toEqual(expected);
  });

  it.each<[string, CountryCode]>([
    ['+39 06 698 12345', 'VA'],
    ['+39 06 1234 5678', 'IT'],
    ['+44 1481 256789', 'GG'],
    ['+44 20 7946 0958', 'GB'],
    ['+7 701 123 4567', 'KZ'],
    ['+7 912 345 67 89', 'RU'],
    ['+1 506 234 5678', 'CA'],
    ['+1 212 555 0123', 'US'],
    ['+1 876 555 0123', 'JM'],
    ['+358 18 123456', 'AX'],
    ['+358 9 1234567', 'FI'],
    ['+47 79 12 34 56', 'SJ'],
    ['+61 8 9162 1234', 'CC'],
    ['+262 269 61 23 45', 'YT'],
    ['+590 690 00 12 34', 'GP'],
  ])('tells which country %s of a shared calling code belongs to (%s)', (raw, country) => {
    const result = normalisePhone(raw, 'PL', STRICT);

    expect(result).toMatchObject({ ok: true, country });
    expect(result).toEqual(normalisePhoneWithLibrary(raw, 'PL', STRICT));
  });

  it('accepts premium-rate and shared-cost numbers when allowed', () => {
    expect(normalisePhone('+48 701 234 567', 'PL', { allowPremium: true })).toEqual({
      ok: true,
      e164: '+48701234567',
      country: 'PL',
      type: 'PREMIUM_RATE',
    });
    expect(normalisePhone('+48 801 234 567', 'PL', { allowPremium: true })).toMatchObject({
      ok: true,
      type: 'SHARED_COST',
    });
  });
});

/** Valid numbers of many countries: the mobile example of each, with its last 5 digits replaced. */
const validNumber = fc
  .record({ country: fc.constantFrom(...COUNTRIES), digits: fc.stringMatching(/^\d{5}$/) })
  .map(({ country, digits }) => {
    const example = getExampleNumber(country, examples);
    return example === undefined ? '' : `${example.number.slice(0, -5)}${digits}`;
  })
  .filter((e164) => e164 !== '' && isValidPhoneNumber(e164));

/** How lists write a number: international with separators, with `00`, and national in its own country. */
function spellings(e164: string): Array<[string, CountryCode]> {
  const phone = parsePhoneNumberWithError(e164);
  const own = phone.country ?? 'PL';
  const international = phone.formatInternational();
  const national = phone.formatNational();
  const [firstGroup = '', ...rest] = national.split(' ');
  return [
    [e164, 'PL'],
    [international, 'PL'],
    [international.replace(/ /g, '-'), 'PL'],
    [`00${e164.slice(1)}`, 'PL'],
    [`00 ${international.slice(1)}`, 'DE'],
    [`'${international}`, 'PL'],
    [e164, own],
    [national, own],
    [national.replace(/ /g, '-'), own],
    [rest.length > 0 && !firstGroup.includes('(') ? `(${firstGroup}) ${rest.join(' ')}` : national, own],
  ];
}

describe('normalisePhone properties', () => {
  it('normalises every spelling of a valid number to the same E.164', () => {
    fc.assert(
      fc.property(validNumber, (e164) => {
        for (const [spelling, country] of spellings(e164)) {
          expect(normalisePhone(spelling, country, { allowPremium: true }), `${spelling} in ${country}`).toMatchObject({
            ok: true,
            e164,
          });
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is idempotent', () => {
    const anyInput = fc.oneof(validNumber, fc.stringMatching(/^[+(]?[0-9 ()\-./]{0,20}$/), fc.string());
    fc.assert(
      fc.property(anyInput, fc.constantFrom(...COUNTRIES), (raw, country) => {
        const first = normalisePhone(raw, country, STRICT);
        if (first.ok) {
          expect(normalisePhone(first.e164, country, STRICT)).toEqual(first);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws, whatever the cell holds', () => {
    const garbage = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }),
      fc.string({ unit: fc.constantFrom(...'0123456789+()- ./#x;,e\u00a0٣０'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(garbage, fc.constantFrom(...COUNTRIES), fc.boolean(), (raw, country, allowPremium) => {
        const result = normalisePhone(raw, country, { allowPremium });
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });

  it('gives exactly the answer of libphonenumber-js alone (the fast path is only a shortcut)', () => {
    const digits = fc.stringMatching(/^\d{1,15}$/);
    const input = fc.oneof(
      validNumber,
      validNumber.map((e164) => e164.slice(0, -1)),
      validNumber.chain((e164) => fc.constantFrom(...spellings(e164).map(([spelling]) => spelling))),
      digits,
      digits.map((value) => `+${value}`),
      digits.map((value) => `00${value}`),
      digits.map((value) => `0${value}`),
      fc.stringMatching(/^[+0]?[0-9 ()\-.]{0,18}$/),
      phoneCell.map((drawn) => drawn.cell),
    );
    fc.assert(
      fc.property(input, fc.constantFrom(...COUNTRIES), (raw, country) => {
        expect(normalisePhone(raw, country, STRICT)).toEqual(normalisePhoneWithLibrary(raw, country, STRICT));
      }),
      { numRuns: 5000 },
    );
  });
});
