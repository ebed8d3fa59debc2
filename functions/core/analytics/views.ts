/**
 * The catalogue analysts and the engine query: per fact table, a raw table over its files (`attempts_files`) and a
 * view with one row per fact (`attempts`). The view is the rule of core/analytics/fact-files.ts in SQL: every row of
 * a compacted segment, plus the rows of batch files written at or after the partition's newest segment watermark,
 * one per fact key. Written in the SQL that Athena (Trino) and DuckDB share (docs/analytics.md, "SQL subset").
 */
import {
  DIMENSION_SLOTS,
  FACT_TABLES,
  type FactColumnType,
  type FactTableName,
  LATEST_ANSWERS,
  PARTITION_COLUMNS,
  STORED_TABLES,
  type StoredTableName,
} from './fact-tables.ts';

/** The raw table of a stored table: its files, as written (a fact may be repeated). */
export const filesTableName = (table: StoredTableName): string => `${table}_files`;

/** Trino's names of the column types (Presto view definitions use them). */
export const TRINO_TYPES: Readonly<Record<FactColumnType, string>> = {
  string: 'varchar',
  bigint: 'bigint',
  int: 'integer',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp(3)',
};

/** A quoted identifier (every name here is `[a-z0-9_]`, quoted anyway so no name is ever a keyword). */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The columns of a view: the table's columns, then the partition columns. */
export function viewColumns(table: FactTableName): Array<{ name: string; type: FactColumnType }> {
  return [...FACT_TABLES[table].columns, ...PARTITION_COLUMNS].map(({ name, type }) => ({ name, type }));
}

/** The SQL of the view `<table>` over `<database>.<table>_files`. */
export function factViewSql(table: FactTableName, database: string): string {
  const files = qualified(database, filesTableName(table));
  const columns = viewColumns(table).map((column) => quoteIdentifier(column.name));
  return [
    `SELECT ${columns.join(', ')}`,
    `FROM ${files}`,
    `WHERE "$path" LIKE '%/c-%'`,
    'UNION ALL',
    ...visibleBatchRows(table, database, { alias: 'f', segments: 's' }),
  ].join('\n');
}

/** A table's name, in the database when one is given (views), else as the query's default schema resolves it. */
const qualified = (database: string | undefined, table: string): string =>
  database === undefined ? quoteIdentifier(table) : `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;

/** Extra conditions on a scan (by its alias): an analysis' partitions and question, so each scan reads only them. */
export interface ScanScope {
  /** Conditions on the partition columns of the scan `alias` (every scan gets them). */
  partition?: (alias: string) => string;
  /** Only these questions' answers (scans of answers and snapshots, not the ones that find a watermark or file). */
  questionIds?: readonly string[];
}

const text = (value: string): string => `'${value.replaceAll("'", "''")}'`;

const conditions = (alias: string, scope: ScanScope, question: boolean): string[] => [
  ...(scope.partition === undefined ? [] : [scope.partition(alias)]),
  ...(question && scope.questionIds !== undefined
    ? [
        scope.questionIds.length === 1
          ? `${alias}.question_id = ${text(scope.questionIds[0] ?? '')}`
          : `${alias}.question_id IN (${scope.questionIds.map(text).join(', ')})`,
      ]
    : []),
];

/**
 * The rows of a table's batch files that its view reads: files written at or after the partition's newest segment
 * watermark, one row per fact key. `alias` and `segments` name the files and the watermark's subquery.
 */
function visibleBatchRows(
  table: FactTableName,
  database: string | undefined,
  names: { alias: string; segments: string },
  scope: ScanScope = {},
): string[] {
  const { alias, segments } = names;
  const files = qualified(database, filesTableName(table));
  const columns = viewColumns(table).map((column) => quoteIdentifier(column.name));
  const key = ['campaign', 'run_date', ...FACT_TABLES[table].key].map((name) => `${alias}.${quoteIdentifier(name)}`);
  return [
    `SELECT ${columns.join(', ')}`,
    'FROM (',
    `  SELECT ${columns.map((column) => `${alias}.${column}`).join(', ')},`,
    `    row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY ${alias}."$path") AS copy`,
    `  FROM ${files} ${alias}`,
    `  WHERE ${[`${alias}."$path" LIKE '%/b-%'`, ...conditions(alias, scope, true)].join(' AND ')}`,
    `    AND regexp_extract(${alias}."$path", '/b-([0-9]{13})-[^/]*$', 1) >= coalesce((`,
    `      SELECT max(regexp_extract(${segments}."$path", '/c-([0-9]{13})-[^/]*$', 1))`,
    `      FROM ${files} ${segments}`,
    `      WHERE ${[`${segments}."$path" LIKE '%/c-%'`, ...conditions(segments, scope, false)].join(' AND ')}`,
    `        AND ${segments}.campaign = ${alias}.campaign AND ${segments}.run_date = ${alias}.run_date`,
    `    ), '0000000000000')`,
    ') batches',
    'WHERE copy = 1',
  ];
}

/**
 * Each contact's latest answer to each question (the answer of its highest attempt), exactly: the partition's newest
 * snapshot (core/analytics/latest-answers.ts) and the answers of the batch files the `answers` view reads (fresh
 * ones, not yet in a segment). A snapshot row stays unless a fresh answer of a later attempt replaces it; a fresh
 * answer stays if it is its contact's latest fresh one and no row of any snapshot has the same or a later attempt
 * (the same fact may be in both while compaction writes). The newest snapshot is the partition's greatest file path: its
 * name is `c-<13-digit time>-…`, and a new snapshot is always named later than the others.
 *
 * Joins on equal keys rather than correlated subqueries where the outer side is the snapshot (a row per contact):
 * DuckDB runs a correlated subquery by first collecting the outer side's distinct keys, which at millions of rows
 * costs more than the rest of the query.
 * @param database - The database of the tables (the view); undefined for the query's default schema (analyses).
 * @param scope - Conditions every scan gets (an analysis' partitions and question), so none reads more.
 */
export function latestAnswersSql(database: string | undefined, scope: ScanScope = {}): string {
  const snapshots = qualified(database, filesTableName(LATEST_ANSWERS));
  const columns = latestAnswersColumns().map((column) => quoteIdentifier(column.name));
  const key = ['campaign', 'run_date', 'contact_key', 'question_id'].map(quoteIdentifier);
  const same = (left: string, right: string) =>
    key.map((column) => `${left}.${column} = ${right}.${column}`).join(' AND ');
  const where = (items: string[]) => (items.length === 0 ? [] : [`WHERE ${items.join(' AND ')}`]);
  const snapshot = (alias: string, files: string) =>
    [
      `SELECT ${columns.map((column) => `${alias}.${column}`).join(', ')}`,
      `FROM ${snapshots} ${alias}`,
      `WHERE ${[...conditions(alias, scope, true), `${alias}."$path" IN (`].join(' AND ')}`,
      `  SELECT max(${files}."$path")`,
      `  FROM ${snapshots} ${files}`,
      ...where(conditions(files, scope, false)).map((line) => `  ${line}`),
      `  GROUP BY ${files}.campaign, ${files}.run_date`,
      ')',
    ].join('\n');
  const fresh = (alias: string, segments: string) =>
    visibleBatchRows('answers', database, { alias, segments }, scope).join('\n');
  /** The highest fresh attempt of each contact and question. */
  const latestFresh = (alias: string, segments: string, rows: string) =>
    [
      `SELECT ${key.map((column) => `${rows}.${column}`).join(', ')}, max(${rows}.attempt) AS attempt`,
      `FROM (\n${fresh(alias, segments)}\n) ${rows}`,
      `GROUP BY ${key.map((column) => `${rows}.${column}`).join(', ')}`,
    ].join('\n');
  return [
    `SELECT ${columns.map((column) => `s.${column}`).join(', ')}`,
    `FROM (\n${snapshot('l', 'm')}\n) s`,
    `LEFT JOIN (\n${latestFresh('b', 'w', 'r')}\n) f ON ${same('f', 's')}`,
    'WHERE f.attempt IS NULL OR f.attempt <= s.attempt',
    'UNION ALL',
    `SELECT ${columns.map((column) => `f.${column}`).join(', ')}`,
    `FROM (\n${fresh('b', 'w')}\n) f`,
    `JOIN (\n${latestFresh('c', 'x', 'r')}\n) g ON ${same('g', 'f')} AND g.attempt = f.attempt`,
    // Any snapshot, not only the newest: a row of an older one is an answer too, so a fresh answer of the same or an
    // earlier attempt is not the latest (and the newest holds that answer or a later one).
    `WHERE NOT EXISTS (SELECT 1 FROM ${snapshots} s WHERE ${[...conditions('s', scope, true), same('s', 'f')].join(' AND ')} AND s.attempt >= f.attempt)`,
  ].join('\n');
}

/** The time in a snapshot file's name (`c-<13 digits>-…`), as a number: one value per file, cheap to compare. */
const snapshotTime = (alias: string): string =>
  `CAST(regexp_extract(${alias}."$path", '/c-([0-9]{13})-[^/]*$', 1) AS bigint)`;

/**
 * Each partition's newest latest-answers snapshot: `campaign, run_date, snapshot_at` (the time in its file name; a
 * new snapshot is always named later than the others of its partition, so the time alone picks it).
 */
export function newestSnapshotsSql(scope: ScanScope = {}): string {
  const snapshots = quoteIdentifier(filesTableName(LATEST_ANSWERS));
  return [
    `SELECT m.campaign, m.run_date, max(${snapshotTime('m')}) AS snapshot_at`,
    `FROM ${snapshots} m`,
    ...(scope.partition === undefined ? [] : [`WHERE ${scope.partition('m')}`]),
    'GROUP BY m.campaign, m.run_date',
  ].join('\n');
}

/** The columns of weighted latest answers (what the analyses read of an answer), before `snapshot_at, weight`. */
export const WEIGHTED_ANSWER_COLUMNS = [
  'contact_key',
  'question_id',
  'answer_key',
  'label',
  ...Array.from({ length: DIMENSION_SLOTS }, (_, index) => [`dim${index + 1}_name`, `dim${index + 1}`]).flat(),
  'campaign',
  'run_date',
];

/**
 * Each contact's latest answer to each question as weighted rows, for analyses that count them with `sum(weight)`
 * and keep only the rows whose `snapshot_at` is their partition's newest snapshot (`newest`, the CTE of
 * newestSnapshotsSql) after grouping, so no scan compares millions of rows with the newest file's path:
 *
 * - every row of every snapshot in scope, weight 1, `snapshot_at` its file's time (an older snapshot's rows are
 *   dropped with their groups);
 * - a snapshot row a fresh answer of a later attempt replaces, again with weight -1 (it nets to nothing);
 * - each fresh answer that is its contact's latest and later than any snapshot row, weight 1, `snapshot_at` its
 *   partition's newest snapshot time (0 when the partition has none).
 *
 * The rows of one contact share `snapshot_at` with the snapshot they belong to, so two questions' answers of a
 * contact join on `contact_key` and `snapshot_at`, and a joined row weighs the product of its sides' weights.
 * The same rule as latestAnswersSql (which the `latest_answers` view keeps).
 * @param scope - Conditions every scan gets (an analysis' partitions and questions).
 * @param newest - The name of the CTE with the newest snapshot of each partition.
 */
export function weightedLatestAnswersSql(scope: ScanScope, newest: string): string {
  const snapshots = quoteIdentifier(filesTableName(LATEST_ANSWERS));
  const columns = WEIGHTED_ANSWER_COLUMNS.map(quoteIdentifier);
  const key = ['campaign', 'run_date', 'contact_key', 'question_id'].map(quoteIdentifier);
  const same = (left: string, right: string) =>
    key.map((column) => `${left}.${column} = ${right}.${column}`).join(' AND ');
  const fresh = (alias: string, segments: string) =>
    visibleBatchRows('answers', undefined, { alias, segments }, scope).join('\n');
  const latestFresh = (alias: string, segments: string, rows: string) =>
    [
      `SELECT ${key.map((column) => `${rows}.${column}`).join(', ')}, max(${rows}.attempt) AS attempt`,
      `FROM (\n${fresh(alias, segments)}\n) ${rows}`,
      `GROUP BY ${key.map((column) => `${rows}.${column}`).join(', ')}`,
    ].join('\n');
  const pick = (alias: string) => columns.map((column) => `${alias}.${column}`).join(', ');
  return [
    `SELECT ${pick('l')}, ${snapshotTime('l')} AS snapshot_at, 1 AS weight`,
    `FROM ${snapshots} l`,
    `WHERE ${conditions('l', scope, true).join(' AND ') || 'true'}`,
    'UNION ALL',
    `SELECT ${pick('l')}, ${snapshotTime('l')} AS snapshot_at, -1 AS weight`,
    `FROM ${snapshots} l`,
    `JOIN (\n${latestFresh('b', 'w', 'r')}\n) f ON ${same('f', 'l')}`,
    `WHERE ${[...conditions('l', scope, true), 'f.attempt > l.attempt'].join(' AND ')}`,
    'UNION ALL',
    `SELECT ${pick('f')}, coalesce(n.snapshot_at, 0) AS snapshot_at, 1 AS weight`,
    `FROM (\n${fresh('b', 'w')}\n) f`,
    `JOIN (\n${latestFresh('c', 'x', 'r')}\n) g ON ${same('g', 'f')} AND g.attempt = f.attempt`,
    `LEFT JOIN ${newest} n ON n.campaign = f.campaign AND n.run_date = f.run_date`,
    `WHERE NOT EXISTS (SELECT 1 FROM ${snapshots} s WHERE ${[...conditions('s', scope, true), same('s', 'f')].join(' AND ')} AND s.attempt >= f.attempt)`,
  ].join('\n');
}

/** The SQL of the view `latest_answers` (each contact's latest answer to each question, exactly). */
export function latestAnswersViewSql(database: string): string {
  return latestAnswersSql(database);
}

/** The columns of the `latest_answers` view: an answer's, then the partition columns. */
export function latestAnswersColumns(): Array<{ name: string; type: FactColumnType }> {
  return [...STORED_TABLES[LATEST_ANSWERS].columns, ...PARTITION_COLUMNS].map(({ name, type }) => ({ name, type }));
}
