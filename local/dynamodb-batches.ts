/**
 * Batches the fault proxy answers in part: the throttled entries of a BatchWriteItem or
 * BatchGetItem are taken out of the request and put back into the answer as unprocessed, in the
 * shape DynamoDB uses (`UnprocessedItems: { table: [WriteRequest] }`, `UnprocessedKeys: { table:
 * KeysAndAttributes }`); a BatchExecuteStatement gets an error entry for each statement the proxy
 * answered itself, in statement order.
 */
import { z } from 'zod';
import { BatchGetItemSchema, BatchWriteItemSchema } from './dynamodb-wire.ts';

const KeysAndAttributesSchema = z.looseObject({ Keys: z.array(z.unknown()) });
const UnprocessedSchema = z.record(z.string(), z.unknown());

export type BatchKind = 'batchWrite' | 'batchGet';

/**
 * Splits a batch (already known to parse) into the request to forward and the entries at
 * `indexes` (counted across tables in request order), shaped as the answer's unprocessed member.
 */
export function splitBatch(
  kind: BatchKind,
  json: unknown,
  indexes: ReadonlySet<number>,
): { forwarded: Record<string, unknown>; unprocessed: Record<string, unknown> } {
  let index = 0;
  const forwardedItems: Record<string, unknown> = {};
  const unprocessed: Record<string, unknown> = {};
  const split = <Entry>(entries: readonly Entry[]) => {
    const kept: Entry[] = [];
    const left: Entry[] = [];
    for (const entry of entries) {
      (indexes.has(index) ? left : kept).push(entry);
      index += 1;
    }
    return { kept, left };
  };
  if (kind === 'batchWrite') {
    const parsed = BatchWriteItemSchema.parse(json);
    for (const [table, requests] of Object.entries(parsed.RequestItems)) {
      const { kept, left } = split(requests);
      if (kept.length > 0) forwardedItems[table] = kept;
      if (left.length > 0) unprocessed[table] = left;
    }
    return { forwarded: { ...parsed, RequestItems: forwardedItems }, unprocessed };
  }
  const parsed = BatchGetItemSchema.parse(json);
  for (const [table, entry] of Object.entries(parsed.RequestItems)) {
    const { kept, left } = split(entry.Keys);
    // An unprocessed entry keeps its projection and consistency settings, as DynamoDB returns it.
    if (kept.length > 0) forwardedItems[table] = { ...entry, Keys: kept };
    if (left.length > 0) unprocessed[table] = { ...entry, Keys: left };
  }
  return { forwarded: { ...parsed, RequestItems: forwardedItems }, unprocessed };
}

const keysOf = (value: unknown): unknown[] => KeysAndAttributesSchema.safeParse(value).data?.Keys ?? [];

/** Adds the proxy's unprocessed entries to what DynamoDB Local itself left unprocessed. */
export function mergeUnprocessed(
  kind: BatchKind,
  fromUpstream: unknown,
  ours: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...UnprocessedSchema.safeParse(fromUpstream).data };
  for (const [table, entry] of Object.entries(ours)) {
    const existing = merged[table];
    if (existing === undefined) merged[table] = entry;
    else if (kind === 'batchWrite' && Array.isArray(existing) && Array.isArray(entry))
      merged[table] = [...existing, ...entry];
    else if (kind === 'batchGet')
      merged[table] = {
        ...KeysAndAttributesSchema.safeParse(entry).data,
        Keys: [...keysOf(existing), ...keysOf(entry)],
      };
  }
  return merged;
}

/**
 * A BatchExecuteStatement answer in statement order: the proxy's own errors where it answered, and
 * DynamoDB Local's responses (for the statements it forwarded, in order) elsewhere.
 */
export function mergeStatementResponses(
  count: number,
  errors: ReadonlyMap<number, { Code: string; Message: string; TableName?: string }>,
  forwarded: readonly unknown[],
): unknown[] {
  let next = 0;
  return Array.from({ length: count }, (_, index) => {
    const error = errors.get(index);
    if (error !== undefined) {
      const { TableName, ...detail } = error;
      return TableName === undefined ? { Error: detail } : { Error: detail, TableName };
    }
    const response = forwarded[next] ?? {};
    next += 1;
    return response;
  });
}
