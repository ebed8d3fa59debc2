import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

// The dashboard is plain JavaScript for the browser, outside this project's TypeScript: its module is loaded by path
// and its function checked for what it is (Node 22 has the `navigator` the module reads as it loads).
const dashboardFormat = new URL('../../../dashboard/format.js', import.meta.url).href;
const { usableLocale } = z
  .object({
    usableLocale: z.custom<(candidates: readonly unknown[], fallback: string) => string>(
      (value) => typeof value === 'function',
    ),
  })
  .parse(await import(dashboardFormat));

const FALLBACK = 'en-GB';

describe('usableLocale', () => {
  it.each([
    [['en-US@posix'], 'en-US'],
    [['pl_PL.UTF-8'], 'pl-PL'],
    [['de_DE@euro'], 'de-DE'],
    [['EN-us'], 'en-US'],
    [['C'], FALLBACK],
    [['C.UTF-8'], FALLBACK],
    [['POSIX'], FALLBACK],
    [[''], FALLBACK],
    [[], FALLBACK],
    [[undefined, null, 42], FALLBACK],
    [['x-private', 'not a tag', 'pl-PL'], 'pl-PL'],
    [['@posix', 'fr-FR'], 'fr-FR'],
  ])('%j → %j', (candidates, expected) => {
    expect(usableLocale(candidates, FALLBACK)).toBe(expected);
  });

  it('always gives a tag Intl accepts, or the fallback', () => {
    const posixLike = fc
      .tuple(
        fc.stringMatching(/^[a-zA-Z]{1,9}$/),
        fc.option(fc.stringMatching(/^[_-][a-zA-Z0-9]{1,8}$/), { nil: '' }),
        fc.option(fc.constantFrom('.UTF-8', '.utf8', '@posix', '@euro', '.ISO-8859-2@latin'), { nil: '' }),
      )
      .map(([language, region, suffix]) => language + region + suffix);
    const candidate = fc.oneof(posixLike, fc.string({ unit: 'binary', maxLength: 20 }), fc.constant(undefined));
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 4 }), (candidates) => {
        const locale = usableLocale(candidates, FALLBACK);
        if (locale === FALLBACK) return true;
        // Throws RangeError for a tag Intl refuses: the page would go blank.
        new Intl.NumberFormat(locale).format(1);
        new Intl.DateTimeFormat(locale).format(0);
        return Intl.getCanonicalLocales(locale)[0] === locale;
      }),
    );
  });
});
