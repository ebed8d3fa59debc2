/**
 * The Glue catalogue of the packaged template, rebuilt in DuckDB: each `AWS::Glue::Table` over Parquet becomes a
 * DuckDB view over local copies of its files (partition columns from the path, as the table's
 * `storage.location.template` says; `"$path"` like Athena's hidden column), and each Athena view (a "Presto view")
 * becomes a DuckDB view with the same SQL. DuckDB reads the files from disk: it has no S3 access here.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';

const ColumnSchema = z.object({ Name: z.string(), Type: z.string() });

/** The parts of a Glue `TableInput` the local catalogue uses. */
export const GlueTableInputSchema = z.object({
  Name: z.string().regex(/^[a-z0-9_]+$/),
  TableType: z.enum(['EXTERNAL_TABLE', 'VIRTUAL_VIEW']),
  Parameters: z.record(z.string(), z.string()).default({}),
  PartitionKeys: z.array(ColumnSchema).default([]),
  StorageDescriptor: z.object({ Location: z.string().optional(), Columns: z.array(ColumnSchema).default([]) }),
  ViewOriginalText: z.string().optional(),
});
export type GlueTableInput = z.infer<typeof GlueTableInputSchema>;

/** The Glue database and tables a service's resources declare (one analytics database). */
export function glueCatalog(resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>): {
  database: string;
  tables: GlueTableInput[];
} {
  const databases = Object.values(resources).filter((resource) => resource.Type === 'AWS::Glue::Database');
  const database = z.object({ DatabaseInput: z.object({ Name: z.string() }) }).parse(databases[0]?.Properties)
    .DatabaseInput.Name;
  const tables = Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::Glue::Table')
    .map((resource) =>
      GlueTableInputSchema.parse(z.object({ TableInput: z.unknown() }).parse(resource.Properties).TableInput),
    );
  return { database, tables };
}

const DUCKDB_TYPES: Record<string, string> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  bigint: 'BIGINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

const quote = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function duckDbType(glueType: string, table: string, column: string): string {
  const type = DUCKDB_TYPES[glueType.toLowerCase()];
  if (type === undefined) throw new Error(`${table}.${column}: Glue type ${glueType} has no DuckDB equivalent here`);
  return type;
}

/**
 * Path folder key → partition column, from `storage.location.template` (`…/campaign=${campaign}/date=${run_date}/`);
 * without a template the Hive convention (`<column>=<value>`).
 */
export function partitionFolders(table: GlueTableInput): Map<string, string> {
  const template = table.Parameters['storage.location.template'];
  const folders = new Map<string, string>();
  if (template !== undefined) {
    for (const match of template.matchAll(/([A-Za-z0-9_]+)=\$\{([A-Za-z0-9_]+)\}/g)) {
      if (match[1] !== undefined && match[2] !== undefined) folders.set(match[1], match[2]);
    }
  }
  for (const key of table.PartitionKeys) if (![...folders.values()].includes(key.Name)) folders.set(key.Name, key.Name);
  return folders;
}

/** The definition of a Presto view: its SQL. */
export function prestoViewSql(table: GlueTableInput): string {
  const match = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(table.ViewOriginalText ?? '');
  if (match?.[1] === undefined) throw new Error(`view ${table.Name} has no Presto view definition`);
  return z.object({ originalSql: z.string() }).parse(JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')))
    .originalSql;
}

/** `CREATE VIEW` of a files table over the given local Parquet files (none: an empty view of the same columns). */
export function filesViewSql(database: string, table: GlueTableInput, files: readonly string[]): string {
  const columns = table.StorageDescriptor.Columns;
  const folders = partitionFolders(table);
  const name = `${quote(database)}.${quote(table.Name)}`;
  if (files.length === 0) {
    const empty = [
      ...columns.map(
        (column) => `CAST(NULL AS ${duckDbType(column.Type, table.Name, column.Name)}) AS ${quote(column.Name)}`,
      ),
      ...table.PartitionKeys.map((key) => `CAST(NULL AS VARCHAR) AS ${quote(key.Name)}`),
      `CAST(NULL AS VARCHAR) AS "$path"`,
    ];
    return `CREATE OR REPLACE VIEW ${name} AS SELECT ${empty.join(', ')} WHERE false`;
  }
  const selected = [
    ...columns.map(
      (column) =>
        `CAST(${quote(column.Name)} AS ${duckDbType(column.Type, table.Name, column.Name)}) AS ${quote(column.Name)}`,
    ),
    ...[...folders].map(([folder, column]) => `${quote(folder)} AS ${quote(column)}`),
    `filename AS "$path"`,
  ];
  const hiveTypes = [...folders.keys()].map((folder) => `${literal(folder)}: VARCHAR`).join(', ');
  return (
    `CREATE OR REPLACE VIEW ${name} AS SELECT ${selected.join(', ')} FROM read_parquet([${files.map(literal).join(', ')}], ` +
    `hive_partitioning = true, filename = true, union_by_name = true, hive_types = {${hiveTypes}})`
  );
}

/** Where a files table's objects are: `s3://<bucket>/<prefix>`. */
export function tableLocation(table: GlueTableInput): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(table.StorageDescriptor.Location ?? '');
  if (match?.[1] === undefined) throw new Error(`table ${table.Name} has no s3:// location`);
  return { bucket: match[1], prefix: match[2] ?? '' };
}

/**
 * (Re)creates the catalogue in DuckDB: the database as a schema, the files tables over `filesOf(table)`, then the
 * views. Call again when files change (cheap: views only).
 */
export async function buildCatalog(
  connection: DuckDBConnection,
  catalog: { database: string; tables: readonly GlueTableInput[] },
  filesOf: (table: GlueTableInput) => readonly string[],
): Promise<void> {
  await connection.run(`CREATE SCHEMA IF NOT EXISTS ${quote(catalog.database)}`);
  for (const table of catalog.tables) {
    if (table.TableType === 'EXTERNAL_TABLE') {
      await connection.run(filesViewSql(catalog.database, table, filesOf(table)));
    }
  }
  for (const table of catalog.tables) {
    if (table.TableType === 'VIRTUAL_VIEW') {
      await connection.run(
        `CREATE OR REPLACE VIEW ${quote(catalog.database)}.${quote(table.Name)} AS ${prestoViewSql(table)}`,
      );
    }
  }
}
