/**
 * The analytics fact tables: their columns, types and keys. One definition for the Parquet writer, the Glue tables
 * in serverless.yml (a test checks they agree), the query views and the local Athena endpoint.
 *
 * Files live under `analytics/<table>/campaign=<id>/date=<run date>/`; the partition columns `campaign` and
 * `run_date` come from the path (Glue partition projection), never from the files. No column holds a phone number
 * or a name: a contact is a random 63-bit `contact_key` (docs/analytics.md, "Privacy").
 */

/** Column types, named as Athena (Glue) names them; the Parquet writer maps each to its physical type. */
export type FactColumnType = 'string' | 'bigint' | 'int' | 'double' | 'boolean' | 'timestamp';

export interface FactColumn {
  name: string;
  type: FactColumnType;
  comment: string;
}

export interface FactTable {
  name: StoredTableName;
  comment: string;
  columns: readonly FactColumn[];
  /** The columns that identify one fact: a fact written twice is the same fact (exactly once in every result). */
  key: readonly string[];
  /** The column that says when the fact happened (its row's time for retention of carried rows and for backfill). */
  timeColumn: string;
}

export const FACT_TABLE_NAMES = ['attempts', 'answers', 'contacts', 'follow_ups'] as const;
export type FactTableName = (typeof FACT_TABLE_NAMES)[number];

/** Declared dimensions ride in fixed slots: `dim<n>_name` says which list column `dim<n>` holds. */
export const DIMENSION_SLOTS = 4;

const dimensionColumns: FactColumn[] = Array.from({ length: DIMENSION_SLOTS }, (_, index) => [
  {
    name: `dim${index + 1}_name`,
    type: 'string' as const,
    comment: `the list column dim${index + 1} holds (the campaign's analytics.dimensions, in order)`,
  },
  {
    name: `dim${index + 1}`,
    type: 'string' as const,
    comment: `value of that column (trimmed, at most 64 characters, 'other' past 100 distinct values)`,
  },
]).flat();

const commonColumns: FactColumn[] = [
  ...dimensionColumns,
  { name: 'list_id', type: 'string', comment: 'the uploaded list the contact came from' },
  { name: 'recorded_at', type: 'timestamp', comment: 'when the change reached the table (its stream record), UTC' },
];

const contactKeyColumn: FactColumn = {
  name: 'contact_key',
  type: 'bigint',
  comment: 'random key of the contact in this run; erasing the person removes its only link to them',
};

export const FACT_TABLES: Readonly<Record<FactTableName, FactTable>> = {
  attempts: {
    name: 'attempts',
    comment: 'one row per ended call attempt',
    key: ['contact_key', 'attempt'],
    timeColumn: 'ended_at',
    columns: [
      contactKeyColumn,
      { name: 'attempt', type: 'int', comment: 'attempt number of the contact, from 1' },
      { name: 'called_at', type: 'timestamp', comment: 'when the call was placed, UTC' },
      { name: 'ended_at', type: 'timestamp', comment: 'when the call ended, UTC' },
      { name: 'local_hour', type: 'int', comment: "hour the call was placed in the callee's time zone, 0-23" },
      { name: 'local_weekday', type: 'int', comment: "weekday in the callee's time zone, 1 = Monday … 7 = Sunday" },
      { name: 'outcome', type: 'string', comment: 'COMPLETED, PARTIAL, NO_ANSWER, BUSY, VOICEMAIL, …' },
      { name: 'reached', type: 'boolean', comment: 'a person picked up (COMPLETED, PARTIAL or OPTED_OUT)' },
      { name: 'first_reach', type: 'boolean', comment: 'the first attempt of the contact on which a person picked up' },
      {
        name: 'ring_seconds',
        type: 'double',
        comment: 'from the dial to the answer, or to the end of an unanswered call',
      },
      { name: 'talk_seconds', type: 'double', comment: 'from the answer to the hang-up (null when not answered)' },
      { name: 'caller_id', type: 'string', comment: "the campaign's caller ID when the attempt was recorded" },
      { name: 'questions_answered', type: 'int', comment: 'how far the script got: questions answered in this call' },
      { name: 'script_completed', type: 'boolean', comment: 'every question of the script was answered in this call' },
      { name: 'opted_out', type: 'boolean', comment: 'the person pressed the opt-out key in this call' },
      { name: 'final_status', type: 'string', comment: "the contact's final status when this attempt was its last" },
      ...commonColumns,
    ],
  },
  answers: {
    name: 'answers',
    comment: 'one row per recorded keypad answer',
    key: ['contact_key', 'attempt', 'question_id'],
    timeColumn: 'answered_at',
    columns: [
      contactKeyColumn,
      { name: 'attempt', type: 'int', comment: 'the attempt (call) the answer was given in' },
      { name: 'question_id', type: 'string', comment: 'the question, as the script names it (q1)' },
      { name: 'answer_key', type: 'string', comment: 'the key pressed' },
      { name: 'label', type: 'string', comment: 'what the key means in the script (Yes)' },
      { name: 'script_version', type: 'int', comment: 'the campaign version the question was asked under' },
      { name: 'answered_at', type: 'timestamp', comment: 'when the answer was recorded, UTC' },
      ...commonColumns,
    ],
  },
  contacts: {
    name: 'contacts',
    comment: 'one row per contact that reached a final status',
    key: ['contact_key'],
    timeColumn: 'recorded_at',
    columns: [
      contactKeyColumn,
      { name: 'final_status', type: 'string', comment: 'COMPLETED, PARTIAL, NO_ANSWER, EXPIRED, SUPPRESSED, …' },
      { name: 'attempts', type: 'int', comment: 'calls placed to the contact' },
      { name: 'last_outcome', type: 'string', comment: 'outcome of the last call (null when never called)' },
      { name: 'reached', type: 'boolean', comment: 'a person picked up on at least one call' },
      { name: 'first_reach_attempt', type: 'int', comment: 'the attempt on which a person first picked up' },
      { name: 'opted_out', type: 'boolean', comment: 'the person opted out' },
      { name: 'first_called_hour', type: 'int', comment: 'local hour of the first call, 0-23 (null: never called)' },
      { name: 'first_called_weekday', type: 'int', comment: 'local weekday of the first call, 1 = Monday … 7' },
      ...commonColumns,
    ],
  },
  follow_ups: {
    name: 'follow_ups',
    comment: 'one row per follow-up SMS sent or failed',
    key: ['contact_key', 'rule_id'],
    timeColumn: 'at',
    columns: [
      contactKeyColumn,
      { name: 'rule_id', type: 'string', comment: "the campaign's follow-up rule" },
      { name: 'status', type: 'string', comment: 'SENT or FAILED' },
      { name: 'at', type: 'timestamp', comment: 'when it was sent or failed, UTC' },
      ...commonColumns,
    ],
  },
};

/**
 * Tables compaction derives from the facts (never written by the stream): `latest_answers`, a snapshot per
 * partition of each contact's latest answer to each question, so the analyses that read latest answers read one
 * row per contact and question instead of comparing every answer with the re-answers of later attempts
 * (docs/analytics.md, "Latest answers").
 */
export const LATEST_ANSWERS = 'latest_answers';
export type DerivedTableName = typeof LATEST_ANSWERS;
/** Every table with files under `analytics/`: the fact tables and the derived ones. */
export type StoredTableName = FactTableName | DerivedTableName;
export const STORED_TABLE_NAMES: readonly StoredTableName[] = [...FACT_TABLE_NAMES, LATEST_ANSWERS];

export const STORED_TABLES: Readonly<Record<StoredTableName, FactTable>> = {
  ...FACT_TABLES,
  latest_answers: {
    ...FACT_TABLES.answers,
    name: LATEST_ANSWERS,
    comment: "each contact's latest answer to each question, as of the partition's newest snapshot file",
    key: ['contact_key', 'question_id'],
  },
};

/** The partition columns, in path order: `campaign=<id>/date=<run date>`. */
export const PARTITION_COLUMNS: readonly FactColumn[] = [
  { name: 'campaign', type: 'string', comment: 'campaign id' },
  { name: 'run_date', type: 'string', comment: 'run date, YYYY-MM-DD' },
];

/** Prefix of every analytics object in the reports bucket. */
export const ANALYTICS_PREFIX = 'analytics/';

/** The partition's folder: `analytics/<table>/campaign=<id>/date=<run date>/`. */
export const partitionPrefix = (table: StoredTableName, campaignId: string, date: string): string =>
  `${ANALYTICS_PREFIX}${table}/campaign=${campaignId}/date=${date}/`;

const PARTITION_KEY =
  /^analytics\/(attempts|answers|contacts|follow_ups)\/campaign=([a-z0-9][a-z0-9-]{0,62})\/date=(\d{4}-\d{2}-\d{2})\/([^/]+)$/;

/** The table, partition and file name of an analytics object key, or undefined for any other key. */
export function parseFactObjectKey(
  key: string,
): { table: FactTableName; campaignId: string; date: string; fileName: string } | undefined {
  const match = PARTITION_KEY.exec(key);
  if (match === null) return undefined;
  const [, tableName, campaignId = '', date = '', fileName = ''] = match;
  const table = FACT_TABLE_NAMES.find((name) => name === tableName);
  return table === undefined ? undefined : { table, campaignId, date, fileName };
}
