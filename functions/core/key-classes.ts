/**
 * The kind of item a DynamoDB key addresses (functions/core/keys.ts builds them), so that consumed capacity can be
 * told apart by what it was spent on: the usage meter (functions/lib/usage-meter.ts) totals it per class, and the
 * real-time benchmark looks for hot keys within a class.
 */

export const KEY_CLASSES = [
  'line-shard',
  'lease',
  'run-bucket',
  'contact',
  'answer',
  'follow-up',
  'call-map',
  'run-item',
  'run-list',
  'run-export',
  'run-history',
  'pacing',
  'active-runs',
  'due-index',
  'phone-index',
  'campaign',
  'do-not-call',
  'alert',
  'other',
] as const;
export type KeyClass = (typeof KEY_CLASSES)[number];

/**
 * The class of an index's entries (serverless.yml, MainTable): `gsi1` is the due index (one partition per run),
 * `gsi2` the phone index (every item holding a number, by number: spread over the numbers).
 */
export function indexClassOf(indexName: string): KeyClass {
  if (indexName === 'gsi1') return 'due-index';
  if (indexName === 'gsi2') return 'phone-index';
  return 'other';
}

/** The class of the item at (`pk`, `sk`); a key of the due index (`gsi1pk = DUE#…`) is `due-index`. */
export function keyClassOf(pk: string, sk = ''): KeyClass {
  if (pk.startsWith('LINES#')) return sk.startsWith('LEASE#') ? 'lease' : 'line-shard';
  if (pk.startsWith('RUN#')) {
    // RUN#<campaign>#<date>#Bnn: a bucket of the run's contacts; RUN#<campaign>#<date>: the run's own partition.
    if (/#B\d{2}$/.test(pk)) {
      if (sk === 'COUNTERS' || sk === 'USAGE') return 'run-bucket';
      if (sk.startsWith('CONTACT#')) return 'contact';
      if (sk.startsWith('ANSWER#')) return 'answer';
      if (sk.startsWith('FOLLOWUP#')) return 'follow-up';
      return 'other';
    }
    if (sk === 'RUN') return 'run-item';
    if (sk.startsWith('LIST#')) return 'run-list';
    if (sk.startsWith('EXPORT#')) return 'run-export';
    if (sk.startsWith('SAMPLE#')) return 'run-history';
    return 'other';
  }
  if (pk.startsWith('DUE#')) return 'due-index';
  if (pk.startsWith('CALL#')) return 'call-map';
  if (pk === 'PACING') return 'pacing';
  if (pk === 'ACTIVE_RUNS') return 'active-runs';
  if (pk === 'CAMPAIGNS') return 'campaign';
  if (pk === 'DNC') return 'do-not-call';
  if (pk.startsWith('ALERT')) return 'alert';
  return 'other';
}
