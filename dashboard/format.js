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

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** @param {number | undefined} value */
export const count = (value) => (value === undefined ? '–' : integer.format(value));
/** @param {number | undefined} value */
export const oneDecimal = (value) => (value === undefined ? '–' : decimal.format(value));
/** @param {number | undefined} share 0…1 */
export const percent = (share) => (share === undefined ? '–' : `${decimal.format(share * 100)} %`);

/** @param {string | undefined} iso */
export function clock(iso) {
  if (!iso) return '–';
  const at = new Date(iso);
  const sameDay = at.toDateString() === new Date().toDateString();
  return at.toLocaleString(undefined, sameDay ? { timeStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' });
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
