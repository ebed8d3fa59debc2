// @ts-check
/** DOM building and display formats. Text always goes in as text (never as HTML): list rows and names are data. */

/**
 * Creates an element with attributes (`on*` functions become listeners) and children (strings become text).
 * @param {string} tag
 * @param {Record<string, unknown>} [attributes]
 * @param {...(Node | string | number | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (name === 'class') {
      element.className = String(value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

/**
 * A language tag Intl accepts, from what the browser says its languages are. A browser started without a usable
 * system locale reports a POSIX one (`en-US@posix`, `pl_PL.UTF-8`, `C`), which Intl refuses with a RangeError:
 * the codeset and modifier are dropped, `_` becomes `-`, and a tag that still does not parse is skipped.
 * @param {readonly (string | null | undefined)[]} candidates the browser's languages, preferred first
 * @param {string} fallback what to use when none of them is usable
 * @returns {string}
 */
export function usableLocale(candidates, fallback) {
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const tag = candidate
      .trim()
      .replace(/[.@].*$/, '')
      .replace(/_/g, '-');
    if (tag === '' || /^(c|posix)$/i.test(tag)) continue;
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical !== undefined) return canonical;
    } catch {
      // Not a language tag: the next one may be.
    }
  }
  return fallback;
}

/** The locale every date and number on the page is written in; Intl's own default when the browser's is unusable. */
export const PAGE_LOCALE = usableLocale(
  [navigator.language, ...(navigator.languages ?? [])],
  new Intl.DateTimeFormat().resolvedOptions().locale,
);

// uPlot formats numbers with `navigator.language` as it loads, and an odd one (the npm Chromium's `en-US@posix`)
// made it throw, which took every module of the page down with it: the page stayed on "Connecting…". This module is
// imported before uPlot (charts.js), so the browser's language is made usable first.
if (!isLanguageTag(navigator.language)) {
  try {
    Object.defineProperty(navigator, 'language', { configurable: true, get: () => PAGE_LOCALE });
  } catch {
    // A browser that does not let it be replaced: the page's own formats still use PAGE_LOCALE.
  }
}

/** @param {unknown} tag */
function isLanguageTag(tag) {
  try {
    return typeof tag === 'string' && Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

const integer = new Intl.NumberFormat(PAGE_LOCALE, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(PAGE_LOCALE, { maximumFractionDigits: 1 });

/** @param {number | undefined} value */
export const count = (value) => (value === undefined ? '–' : integer.format(value));
/** @param {number | undefined} value */
export const oneDecimal = (value) => (value === undefined ? '–' : decimal.format(value));
/**
 * Dollars to the cent, and under a cent to 4 or 6 decimals (a run's engine cost by service often is that small).
 * @param {number | undefined} value
 */
export const dollars = (value) => {
  if (value === undefined) return '–';
  if (value === 0 || value >= 0.01) return `$${value.toFixed(2)}`;
  return `$${value.toFixed(value >= 0.0001 ? 4 : 6)}`;
};
/** @param {number | undefined} share 0…1 */
export const percent = (share) => (share === undefined ? '–' : `${decimal.format(share * 100)} %`);

/** @param {string | undefined} iso */
export function clock(iso) {
  if (!iso) return '–';
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date().toDateString();
  return at.toLocaleString(
    PAGE_LOCALE,
    sameDay ? { timeStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' },
  );
}

/** "in 2 min", "5 s ago": how far an instant is from now. @param {string | undefined} iso */
export function relative(iso) {
  if (!iso) return '';
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  const size = Math.abs(seconds);
  const text = size < 90 ? `${size} s` : size < 5400 ? `${Math.round(size / 60)} min` : `${Math.round(size / 3600)} h`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** Today's date (YYYY-MM-DD) in a time zone. @param {string} [timeZone] */
export function todayIn(timeZone) {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(),
  );
}

/** @param {number} bytes */
export function size(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${decimal.format(bytes / 1024)} KiB`;
  return `${decimal.format(bytes / 1024 / 1024)} MiB`;
}
