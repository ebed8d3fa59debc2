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
