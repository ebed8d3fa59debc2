/**
 * Analytics dimensions: the list columns a campaign declares (`analytics.dimensions`) and the bounds on their values.
 * Every fact carries them in fixed slots, so their number, length and variety are bounded: a free-text column
 * declared by mistake cannot turn the facts into a copy of the list.
 */
import { MAX_ANALYTICS_DIMENSIONS } from '../campaign.ts';
import { DIMENSION_SLOTS } from './fact-tables.ts';

/** Longest value kept, in characters; longer values are cut (on a character boundary). */
export const MAX_DIMENSION_VALUE_LENGTH = 64;
/** Distinct values kept per campaign and dimension; later new values are counted under {@link OTHER_VALUE}. */
export const MAX_DIMENSION_VALUES = 100;
/** The bucket of values past the cardinality bound (a real value "other" shares it). */
export const OTHER_VALUE = 'other';

if (MAX_ANALYTICS_DIMENSIONS > DIMENSION_SLOTS) {
  throw new Error('every declared dimension needs a slot in the fact tables');
}

/**
 * The value a fact stores for a list cell: white space trimmed and collapsed, Unicode NFC, at most
 * {@link MAX_DIMENSION_VALUE_LENGTH} characters; `undefined` for a missing or blank cell (stored as null).
 */
export function normaliseDimensionValue(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (value === '') return undefined;
  const characters = [...value];
  return characters.length > MAX_DIMENSION_VALUE_LENGTH
    ? characters.slice(0, MAX_DIMENSION_VALUE_LENGTH).join('')
    : value;
}

/** The slot columns of a fact: `dim1_name`, `dim1`, … for the declared dimensions, null for unused slots. */
export type DimensionSlots = Record<string, string | null>;

/**
 * Fills the slots from the declared dimensions and the values admitted for them (a value refused by the
 * cardinality bound is already {@link OTHER_VALUE} in `values`).
 */
export function dimensionSlots(
  dimensions: readonly string[],
  values: Readonly<Record<string, string | undefined>>,
): DimensionSlots {
  const slots: DimensionSlots = {};
  for (let index = 0; index < DIMENSION_SLOTS; index++) {
    const name = dimensions[index];
    slots[`dim${index + 1}_name`] = name ?? null;
    slots[`dim${index + 1}`] = name === undefined ? null : (values[name] ?? null);
  }
  return slots;
}
