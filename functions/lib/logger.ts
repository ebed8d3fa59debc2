/**
 * Structured logging (Powertools). Phone numbers never reach the logs in full: use `maskPhone`.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger();

/** `+48601234567` → `+48*****4567`: enough to correlate, not enough to call. */
export function maskPhone(phone: string): string {
  if (phone.length <= 6) {
    return '*'.repeat(phone.length);
  }
  return `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}`;
}

/**
 * `text` with every phone number in it masked: `+` followed by 7–15 digits (spaces, dashes, brackets allowed
 * inside), and bare runs of 9–15 digits that are not part of a longer token (so dates, times and ids stay).
 */
export function maskPhonesIn(text: string): string {
  return text
    .replace(/\+\d[\d ()-]{5,22}\d/g, (match) => {
      const digits = match.replace(/\D/g, '');
      // However many digits follow (two numbers side by side, a number and a count), none go out in full.
      return digits.length >= 7 ? maskPhone(`+${digits}`) : match;
    })
    .replace(/(?<![\w+-])\d{9,15}(?![\w-])/g, (digits) => maskPhone(digits));
}
