/**
 * The catalogue analysts and the engine query: per fact table, a raw table over its files (`attempts_files`) and a
 * view with one row per fact (`attempts`). The view is the rule of core/analytics/fact-files.ts in SQL: every row of
 * a compacted segment, plus the rows of batch files written at or after the partition's newest segment watermark,
 * one per fact key. Written in the SQL that Athena (Trino) and DuckDB share (docs/analytics.md, "SQL subset").
 */
import {
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
    ...visibleBatchRows(table, database, 'f', 's'),
  ].join('\n');
}

const qualified = (database: string, table: string): string => `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;

/**
 * The rows of a table's batch files that its view reads: files written at or after the partition's newest segment
 * watermark, one row per fact key. `alias` and `segments` name the files and the watermark's subquery.
 */
function visibleBatchRows(table: FactTableName, database: string, alias: string, segments: string): string[] {
  const files = qualified(database, filesTableName(table));
  const columns = viewColumns(table).map((column) => quoteIdentifier(column.name));
  const key = ['campaign', 'run_date', ...FACT_TABLES[table].key].map((name) => `${alias}.${quoteIdentifier(name)}`);
  return [
    `SELECT ${columns.join(', ')}`,
    'FROM (',
    `  SELECT ${columns.map((column) => `${alias}.${column}`).join(', ')},`,
    `    row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY ${alias}."$path") AS copy`,
    `  FROM ${files} ${alias}`,
    `  WHERE ${alias}."$path" LIKE '%/b-%'`,
    `    AND regexp_extract(${alias}."$path", '/b-([0-9]{13})-[^/]*$', 1) >= coalesce((`,
    `      SELECT max(regexp_extract(${segments}."$path", '/c-([0-9]{13})-[^/]*$', 1))`,
    `      FROM ${files} ${segments}`,
    `      WHERE ${segments}."$path" LIKE '%/c-%' AND ${segments}.campaign = ${alias}.campaign AND ${segments}.run_date = ${alias}.run_date`,
    `    ), '0000000000000')`,
    ') batches',
    'WHERE copy = 1',
  ];
}

/**
 * The SQL of the view `latest_answers`: each contact's latest answer to each question (the answer of its highest
 * attempt), exactly. It takes the partition's newest snapshot (core/analytics/latest-answers.ts) and the answers of
 * the batch files the `answers` view reads (fresh ones, not yet in a segment), and keeps a snapshot row unless a
 * fresh answer of a later attempt replaces it, and a fresh answer unless a later fresh one or a snapshot row of the
 * same or a later attempt does (the same fact may be in both while compaction writes).
 */
export function latestAnswersViewSql(database: string): string {
  const snapshots = qualified(database, filesTableName(LATEST_ANSWERS));
  const columns = latestAnswersColumns().map((column) => quoteIdentifier(column.name));
  const snapshot = (alias: string, other: string) =>
    [
      `SELECT ${columns.map((column) => `${alias}.${column}`).join(', ')}`,
      `FROM ${snapshots} ${alias}`,
      `WHERE regexp_extract(${alias}."$path", '/c-([0-9]{13})-[^/]*$', 1) = (`,
      `  SELECT max(regexp_extract(${other}."$path", '/c-([0-9]{13})-[^/]*$', 1))`,
      `  FROM ${snapshots} ${other}`,
      `  WHERE ${other}.campaign = ${alias}.campaign AND ${other}.run_date = ${alias}.run_date`,
      ')',
    ].join('\n');
  const fresh = visibleBatchRows('answers', database, 'b', 'w').join('\n');
  const same = (left: string, right: string) =>
    ['campaign', 'run_date', 'contact_key', 'question_id']
      .map((column) => `${left}.${quoteIdentifier(column)} = ${right}.${quoteIdentifier(column)}`)
      .join(' AND ');
  return [
    `SELECT ${columns.map((column) => `s.${column}`).join(', ')}`,
    `FROM (\n${snapshot('l', 'm')}\n) s`,
    `WHERE NOT EXISTS (SELECT 1 FROM (\n${fresh}\n) f WHERE ${same('f', 's')} AND f.attempt > s.attempt)`,
    'UNION ALL',
    `SELECT ${columns.map((column) => `f.${column}`).join(', ')}`,
    `FROM (\n${fresh}\n) f`,
    `WHERE NOT EXISTS (SELECT 1 FROM (\n${fresh}\n) g WHERE ${same('g', 'f')} AND g.attempt > f.attempt)`,
    `  AND NOT EXISTS (SELECT 1 FROM (\n${snapshot('n', 'o')}\n) s WHERE ${same('s', 'f')} AND s.attempt >= f.attempt)`,
  ].join('\n');
}

/** The columns of the `latest_answers` view: an answer's, then the partition columns. */
export function latestAnswersColumns(): Array<{ name: string; type: FactColumnType }> {
  return [...STORED_TABLES[LATEST_ANSWERS].columns, ...PARTITION_COLUMNS].map(({ name, type }) => ({ name, type }));
}
