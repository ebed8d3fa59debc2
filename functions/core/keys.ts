/**
 * The single-table layout (see docs/data-model.md). Key builders live here so every adapter
 * agrees on them; nothing else in the code writes a key by hand.
 */

/** A run: one campaign on one date. Its contacts share the partition. */
export const runPartition = (campaignId: string, date: string): string => `RUN#${campaignId}#${date}`;
export const runKey = (campaignId: string, date: string) => ({ pk: runPartition(campaignId, date), sk: 'RUN' });
export const contactKey = (campaignId: string, date: string, phone: string) => ({
  pk: runPartition(campaignId, date),
  sk: `CONTACT#${phone}`,
});
export const CONTACT_PREFIX = 'CONTACT#';

/** The sparse "due" index: only contacts waiting for a call carry these attributes. */
export const duePartition = (campaignId: string, date: string): string => `DUE#${campaignId}#${date}`;
export const dueSortKey = (at: Date, phone: string): string => `${at.toISOString()}#${phone}`;

/** A line held by one call attempt; deleting it is what releases the line, exactly once. */
export const leaseKey = (campaignId: string, date: string, phone: string, attempt: number) => ({
  pk: 'LEASES',
  sk: `${campaignId}#${date}#${phone}#${attempt}`,
});

/** Engine-wide pacing state: live calls across all campaigns and the dial-rate bucket. */
export const capacityKey = { pk: 'PACING', sk: 'CAPACITY' } as const;
export const dialRateKey = { pk: 'PACING', sk: 'DIAL_RATE' } as const;

/** Runs currently dialing, with their weights, for fair shares between campaigns. */
export const activeRunKey = (campaignId: string, date: string) => ({ pk: 'ACTIVE_RUNS', sk: `${campaignId}#${date}` });

/** Maps a Connect ContactId to the attempt it belongs to (contact events carry only the ContactId). */
export const callKey = (connectContactId: string) => ({ pk: `CALL#${connectContactId}`, sk: 'CALL' });

/** Do-not-call entries, engine-wide. */
export const doNotCallKey = (phone: string) => ({ pk: 'DNC', sk: phone });

/** One list imported into a run (its status and summary); it shares the run's partition. */
export const LIST_PREFIX = 'LIST#';
export const listKey = (campaignId: string, date: string, listId: string) => ({
  pk: runPartition(campaignId, date),
  sk: `${LIST_PREFIX}${listId}`,
});

/** File formats a list is uploaded in, as they appear in object keys. */
export type ListObjectFormat = 'csv' | 'xlsx';

/** Uploads-bucket prefix whose new objects start an import (the S3 event's rule). */
export const LIST_OBJECTS_PREFIX = 'lists/';
/** The original upload of a list: `lists/<campaignId>/<date>/<listId>.<csv|xlsx>`. */
export const listObjectKey = (campaignId: string, date: string, listId: string, format: ListObjectFormat): string =>
  `${LIST_OBJECTS_PREFIX}${campaignId}/${date}/${listId}.${format}`;
/** The rows an import refused, as CSV the operator can fix and upload again. */
export const rejectedRowsObjectKey = (listId: string): string => `rejected/${listId}.csv`;

const LIST_OBJECT_KEY = /^lists\/([a-z0-9][a-z0-9-]{0,62})\/(\d{4}-\d{2}-\d{2})\/([0-9a-z-]{1,64})\.(csv|xlsx)$/;

/** The ids in a key built by {@link listObjectKey}, or `undefined` for any other key. */
export function parseListObjectKey(
  key: string,
): { campaignId: string; date: string; listId: string; format: ListObjectFormat } | undefined {
  const match = LIST_OBJECT_KEY.exec(key);
  if (match === null) return undefined;
  const [, campaignId = '', date = '', listId = '', format] = match;
  return { campaignId, date, listId, format: format === 'xlsx' ? 'xlsx' : 'csv' };
}

/** Keypad answers of a run: one item per (contact, attempt, question), written once. */
export const ANSWER_PREFIX = 'ANSWER#';
export const answerKey = (campaignId: string, date: string, phone: string, attempt: number, questionId: string) => ({
  pk: runPartition(campaignId, date),
  sk: `${ANSWER_PREFIX}${phone}#${attempt}#${questionId}`,
});

/** A follow-up SMS of a run: one item per (contact, rule), claimed before the message is sent. */
export const FOLLOW_UP_PREFIX = 'FOLLOWUP#';
export const followUpKey = (campaignId: string, date: string, phone: string, ruleId: string) => ({
  pk: runPartition(campaignId, date),
  sk: `${FOLLOW_UP_PREFIX}${phone}#${ruleId}`,
});

/** A per-contact export job of a run: its request, progress and result (the export itself is an object in S3). */
export const EXPORT_PREFIX = 'EXPORT#';
export const exportJobKey = (campaignId: string, date: string, exportId: string) => ({
  pk: runPartition(campaignId, date),
  sk: `${EXPORT_PREFIX}${exportId}`,
});

/** A run's minute-by-minute history (calls in flight, pacing, attempts so far), for charts opened mid-run. */
export const SAMPLE_PREFIX = 'SAMPLE#';
export const sampleKey = (campaignId: string, date: string, minute: string) => ({
  pk: runPartition(campaignId, date),
  sk: `${SAMPLE_PREFIX}${minute}`,
});
