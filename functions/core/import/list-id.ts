/**
 * List ids: one per upload. The id starts with the run's date, so `GET /campaigns/{id}/lists/{listId}` finds the
 * list's item (it lives in the run's partition) without a lookup table.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/** `20250602-9f2c4e7a1b3d5f60`: the run's date without dashes, then 64 random bits. */
export const ListIdSchema = z
  .string()
  .regex(/^\d{8}-[0-9a-f]{16}$/, 'not a list id (such as 20250602-9f2c4e7a1b3d5f60)')
  .refine((listId) => !Number.isNaN(Date.parse(dateOfListId(listId))), { message: 'not a list id: bad date' });

/** A new list id for a run date (`YYYY-MM-DD`). */
export function newListId(date: string, random: Uint8Array = randomBytes(8)): string {
  return `${date.replaceAll('-', '')}-${Buffer.from(random).toString('hex')}`;
}

/** The run date (`YYYY-MM-DD`) a list id was made for. */
export function dateOfListId(listId: string): string {
  return `${listId.slice(0, 4)}-${listId.slice(4, 6)}-${listId.slice(6, 8)}`;
}
