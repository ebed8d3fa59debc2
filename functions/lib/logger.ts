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
