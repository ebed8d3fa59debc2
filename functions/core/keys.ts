/**
 * The single-table layout (see docs/data-model.md). Key builders live here so every adapter
 * agrees on them; nothing else in the code writes a key by hand.
 */

/**
 * A run: one campaign on one date. The run item, its lists, exports and history samples share this partition;
 * its contacts do not (see {@link runBucketPartition}).
 */
export const runPartition = (campaignId: string, date: string): string => `RUN#${campaignId}#${date}`;
export const runKey = (campaignId: string, date: string) => ({ pk: runPartition(campaignId, date), sk: 'RUN' });

/**
 * A run's contacts, their answers and follow-ups, and the run's counters are spread over this many partitions (by
 * a hash of the phone number), so that no partition key takes more than a small share of a run's writes: at
 * 140 dials/s one run writes about 3,000 WCU/s, a bucket about 100 (docs/data-model.md, "Hot keys"). Fixed for
 * the life of the table: every key below depends on it.
 */
export const RUN_BUCKETS = 32;

/** The bucket (0 … RUN_BUCKETS − 1) of a phone number: FNV-1a over its characters, stable across processes. */
export function bucketOf(phone: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < phone.length; index++) {
    hash ^= phone.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % RUN_BUCKETS;
}

/** Every bucket number, in order. */
export const RUN_BUCKET_NUMBERS: readonly number[] = Array.from({ length: RUN_BUCKETS }, (_, bucket) => bucket);

/** One bucket partition of a run: `RUN#<campaignId>#<date>#B07`. */
export const runBucketPartition = (campaignId: string, date: string, bucket: number): string =>
  `${runPartition(campaignId, date)}#B${String(bucket).padStart(2, '0')}`;

/**
 * The run's counters of one bucket: contacts by status, attempts by outcome, answers… of the contacts in that
 * bucket. A summary adds up the RUN_BUCKETS items (one BatchGetItem); every change of a contact moves its own
 * bucket's counters in the same transaction, so the sums always equal the contacts.
 */
export const runCountersKey = (campaignId: string, date: string, bucket: number) => ({
  pk: runBucketPartition(campaignId, date, bucket),
  sk: 'COUNTERS',
});

/**
 * The run's measured AWS usage (docs/cost-model.md): usage counters `u_…` the functions add, each write to a bucket
 * picked at random, so no item takes more than a share of them. A report adds up the RUN_BUCKETS items.
 */
export const runUsageKey = (campaignId: string, date: string, bucket: number) => ({
  pk: runBucketPartition(campaignId, date, bucket),
  sk: 'USAGE',
});

export const contactKey = (campaignId: string, date: string, phone: string) => ({
  pk: runBucketPartition(campaignId, date, bucketOf(phone)),
  sk: `CONTACT#${phone}`,
});
export const CONTACT_PREFIX = 'CONTACT#';

/** The sparse "due" index: only contacts waiting for a call carry these attributes. */
export const duePartition = (campaignId: string, date: string): string => `DUE#${campaignId}#${date}`;
export const dueSortKey = (at: Date, phone: string): string => `${at.toISOString()}#${phone}`;

/**
 * The engine's lines are split over line shards (docs/data-model.md): shard `k` holds up to its share of
 * `maxConcurrentCalls` live calls, counted in its own item, and the leases of those calls in its own partition.
 * Taking and releasing a line writes one shard, never an engine-wide item.
 */
export const lineShardPartition = (shard: number): string => `LINES#${String(shard).padStart(3, '0')}`;
export const lineShardKey = (shard: number) => ({ pk: lineShardPartition(shard), sk: 'LINES' });

/** A line held by one call attempt; deleting it is what releases the line, exactly once. */
export const LEASE_PREFIX = 'LEASE#';
export const leaseKey = (shard: number, campaignId: string, date: string, phone: string, attempt: number) => ({
  pk: lineShardPartition(shard),
  sk: `${LEASE_PREFIX}${campaignId}#${date}#${phone}#${attempt}`,
});

/** Engine-wide pacing state: the shared dial-rate bucket (written once per dispatcher tick). */
export const dialRateKey = { pk: 'PACING', sk: 'DIAL_RATE' } as const;

/** Runs currently dialing, with their weights, for fair shares between campaigns (one partition: one query). */
export const ACTIVE_RUNS_PARTITION = 'ACTIVE_RUNS';
export const activeRunKey = (campaignId: string, date: string) => ({
  pk: ACTIVE_RUNS_PARTITION,
  sk: `${campaignId}#${date}`,
});

/** Maps a Connect ContactId to the attempt it belongs to (contact events carry only the ContactId). */
export const callKey = (connectContactId: string) => ({ pk: `CALL#${connectContactId}`, sk: 'CALL' });

/** Do-not-call entries, engine-wide. */
export const DO_NOT_CALL_PARTITION = 'DNC';
export const doNotCallKey = (phone: string) => ({ pk: DO_NOT_CALL_PARTITION, sk: phone });

/** Campaign definitions, one item per campaign in one partition (listing them is a single query). */
export const CAMPAIGNS_PARTITION = 'CAMPAIGNS';
export const campaignKey = (campaignId: string) => ({ pk: CAMPAIGNS_PARTITION, sk: campaignId });

/** Operator alerts as last sent, one item per condition: the dedupe record and the dashboard's "recent alerts". */
export const ALERTS_PARTITION = 'ALERTS';
export const alertKey = (condition: string) => ({ pk: ALERTS_PARTITION, sk: condition });

/** Analytics bookkeeping, engine-wide: the values each campaign's dimensions have taken (docs/analytics.md). */
export const ANALYTICS_PARTITION = 'ANALYTICS';
export const dimensionRegistryKey = (campaignId: string, dimension: string) => ({
  pk: ANALYTICS_PARTITION,
  sk: `DIMENSION#${campaignId}#${dimension}`,
});

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

/** Keypad answers of a run: one item per (contact, attempt, question), written once, in the contact's bucket. */
export const ANSWER_PREFIX = 'ANSWER#';
export const answerKey = (campaignId: string, date: string, phone: string, attempt: number, questionId: string) => ({
  pk: runBucketPartition(campaignId, date, bucketOf(phone)),
  sk: `${ANSWER_PREFIX}${phone}#${attempt}#${questionId}`,
});

/** A follow-up SMS of a run: one item per (contact, rule), claimed before the message is sent; in the contact's bucket. */
export const FOLLOW_UP_PREFIX = 'FOLLOWUP#';
export const followUpKey = (campaignId: string, date: string, phone: string, ruleId: string) => ({
  pk: runBucketPartition(campaignId, date, bucketOf(phone)),
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

/**
 * A person's contact ledger (frequency caps across campaigns): one small item per phone number, written once per
 * call placed to that person (docs/data-model.md, "Hot keys": a person gets a few calls a day).
 */
export const PERSON_PREFIX = 'PERSON#';
export const personLedgerKey = (phone: string) => ({ pk: `${PERSON_PREFIX}${phone}`, sk: 'CONTACTS' });

/** One caller number's use against its rate tiers: written once per call placed from it (at most its tier rate). */
export const callerUsageKey = (callerNumber: string) => ({ pk: `CALLERID#${callerNumber}`, sk: 'USAGE' });

/** The audit log: one partition per UTC day, appended to only; each entry sorted by time. */
export const auditPartition = (day: string): string => `AUDIT#${day}`;
export const auditKey = (at: Date, id: string) => ({
  pk: auditPartition(at.toISOString().slice(0, 10)),
  sk: `${at.toISOString()}#${id}`,
});

/** Erasure records (what was removed, when, by whom; never the number): one partition per UTC month. */
export const erasureKey = (at: Date, erasureId: string) => ({
  pk: `ERASURES#${at.toISOString().slice(0, 7)}`,
  sk: `${at.toISOString()}#${erasureId}`,
});

/** A do-not-call entry by keyed hash (HMAC-SHA256 of the E.164 number): the list never holds the number. */
export const hashedDoNotCallKey = (numberHash: string) => ({ pk: DO_NOT_CALL_PARTITION, sk: `H#${numberHash}` });
/** A run's latest finish estimate (written once a minute by the estimates schedule, read by the run status). */
export const estimateKey = (campaignId: string, date: string) => ({
  pk: runPartition(campaignId, date),
  sk: 'ESTIMATE',
});

/**
 * The phone index's partition (`gsi2`, keys only): the E.164 number itself, on every item that holds it (contacts,
 * answers, follow-ups), so a person's data is found without scanning (access and erasure, docs/contact-policy.md).
 */
export const phoneIndexPartition = (phone: string): string => phone;
