/**
 * The catalogue analysts and the engine query: per fact table, a raw table over its files (`attempts_files`) and a
 * view with one row per fact (`attempts`). The view is the rule of core/analytics/fact-files.ts in SQL: every row of
 * a compacted segment, plus the rows of batch files written at or after the partition's newest segment watermark,
 * one per fact key. Written in the SQL that Athena (Trino) and DuckDB share (docs/analytics.md, "SQL subset").
 */
import { FACT_TABLES, type FactColumnType, type FactTableName, PARTITION_COLUMNS } from './fact-tables.ts';

/** The raw table of a fact table: its files, as written (a fact may be repeated). */
export const filesTableName = (table: FactTableName): string => `${table}_files`;

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
  const files = `${quoteIdentifier(database)}.${quoteIdentifier(filesTableName(table))}`;
  const columns = viewColumns(table).map((column) => quoteIdentifier(column.name));
  const key = ['campaign', 'run_date', ...FACT_TABLES[table].key].map((name) => `f.${quoteIdentifier(name)}`);
  return [
    `SELECT ${columns.join(', ')}`,
    `FROM ${files}`,
    `WHERE "$path" LIKE '%/c-%'`,
    'UNION ALL',
    `SELECT ${columns.join(', ')}`,
    'FROM (',
    `  SELECT ${columns.map((column) => `f.${column}`).join(', ')},`,
    `    row_number() OVER (PARTITION BY ${key.join(', ')} ORDER BY f."$path") AS copy`,
    `  FROM ${files} f`,
    `  WHERE f."$path" LIKE '%/b-%'`,
    `    AND regexp_extract(f."$path", '/b-([0-9]{13})-[^/]*$', 1) >= coalesce((`,
    `      SELECT max(regexp_extract(s."$path", '/c-([0-9]{13})-[^/]*$', 1))`,
    `      FROM ${files} s`,
    `      WHERE s."$path" LIKE '%/c-%' AND s.campaign = f.campaign AND s.run_date = f.run_date`,
    `    ), '0000000000000')`,
    ') batches',
    'WHERE copy = 1',
  ].join('\n');
}
