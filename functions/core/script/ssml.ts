/**
 * Prompts as Amazon Connect speaks them: campaign texts are plain text with `{attribute}`
 * placeholders; the flow plays them as SSML (Amazon Polly's dialect), so every character that is
 * markup in XML is escaped, placeholders and all. A callee named `Tom & Jerry <3` must be read out,
 * not break the prompt (Connect takes the action's error branch on invalid SSML).
 *
 * Polly's SSML tags: https://docs.aws.amazon.com/polly/latest/dg/supportedtags.html (`speak`, `break`).
 */

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes the five XML special characters, so `text` is read out literally inside SSML. */
export function escapeSsml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character] ?? character);
}

/** `{name}`-style placeholders: letters, digits, `_` and `-`, as Connect attribute keys allow. */
const PLACEHOLDER = /\{([A-Za-z0-9_-]+)\}/g;

/** Longest value a placeholder is filled with, in characters: a name, not a paragraph. */
export const MAX_PLACEHOLDER_VALUE = 100;
/**
 * Longest text one part of a prompt may become once filled: two parts stay within Polly's 3,000 billed characters,
 * and escaped (6 bytes a character at worst) within the 32 KB a flow Lambda may answer with.
 */
export const MAX_FILLED_PART = 1_500;

/**
 * Fills `{attribute}` placeholders from contact attributes. A placeholder without a value is left
 * out (with the space before it, so "Hello {name}," reads "Hello,"): a blank is better than the
 * callee hearing "curly bracket name". Only the attributes' own properties count (`{constructor}` is
 * no placeholder for Object's constructor), values are cut at {@link MAX_PLACEHOLDER_VALUE} and the
 * filled text at {@link MAX_FILLED_PART} characters, so no list value can make a prompt Connect refuses.
 */
export function fillPlaceholders(template: string, attributes: Readonly<Record<string, string | undefined>>): string {
  const filled = template
    .replace(/ ?\{([A-Za-z0-9_-]+)\}/g, (match, name: string) => {
      const raw = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
      const value = typeof raw === 'string' ? cut(raw.trim(), MAX_PLACEHOLDER_VALUE) : '';
      if (value === '') return '';
      return match.startsWith(' ') ? ` ${value}` : value;
    })
    .trim();
  return cut(filled, MAX_FILLED_PART);
}

/** The first `length` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair. */
function cut(text: string, length: number): string {
  if (text.length <= length) return text;
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/** The placeholders a template uses, for validation and tests. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

/**
 * One SSML document from plain-text parts (each filled and escaped), separated by a short pause.
 * Empty parts are skipped; no parts gives an empty string (nothing to say).
 */
export function toSsml(parts: ReadonlyArray<string>, attributes: Readonly<Record<string, string | undefined>>): string {
  const sentences = parts.map((part) => escapeSsml(fillPlaceholders(part, attributes))).filter((part) => part !== '');
  if (sentences.length === 0) return '';
  return `<speak>${sentences.join('<break time="300ms"/>')}</speak>`;
}

/** The words of an SSML document with the markup removed and entities decoded (call logs, speech timing). */
export function ssmlToText(ssml: string): string {
  return ssml
    .replace(/<break[^>]*>/g, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(amp|lt|gt|quot|apos);/g, (_entity, name: string) => {
      const decoded: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      return decoded[name] ?? '';
    })
    .replace(/\s+/g, ' ')
    .trim();
}
