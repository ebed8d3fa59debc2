/**
 * Serverless variable source for the analytics catalogue: `${file(./config/analytics-catalog.cjs):attemptsFiles}`
 * and so on give the Glue `TableInput` of each fact table's files (Parquet, partition projection) and of its view
 * (an Athena "Presto view": the SQL, base64-encoded, with its columns). Built from the same TypeScript definitions
 * the engine writes and queries with (functions/core/analytics/), so the catalogue cannot drift from the files.
 * The local Athena endpoint builds its DuckDB tables from these definitions in the packaged template.
 */
'use strict';

const {
  LATEST_ANSWERS,
  PARTITION_COLUMNS,
  STORED_TABLE_NAMES,
  STORED_TABLES,
} = require('../functions/core/analytics/fact-tables.ts');
const {
  factViewSql,
  filesTableName,
  latestAnswersColumns,
  latestAnswersViewSql,
  TRINO_TYPES,
  viewColumns,
} = require('../functions/core/analytics/views.ts');

const PARQUET = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

/** Glue (Hive) column types are the fact tables' own names. */
const glueColumn = (column) => ({ Name: column.name, Type: column.type, Comment: column.comment });

/** The files of a table: Parquet under `analytics/<table>/campaign=<id>/date=<run date>/`, partitions projected. */
function filesTableInput(table, { bucket, retentionDays }) {
  const location = `s3://${bucket}/analytics/${table}/`;
  return {
    Name: filesTableName(table),
    Description:
      table === LATEST_ANSWERS
        ? `${STORED_TABLES[table].comment}: every snapshot file (query the view ${table})`
        : `${STORED_TABLES[table].comment}: the files as written (a fact may repeat; query the view ${table})`,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      classification: 'parquet',
      EXTERNAL: 'TRUE',
      // Partition projection: no partitions to register. Every query names its campaigns (injected) and the run
      // dates are computed within the retention period.
      'projection.enabled': 'true',
      'projection.campaign.type': 'injected',
      'projection.run_date.type': 'date',
      'projection.run_date.format': 'yyyy-MM-dd',
      'projection.run_date.range': `NOW-${retentionDays}DAYS,NOW+1DAYS`,
      'projection.run_date.interval': '1',
      'projection.run_date.interval.unit': 'DAYS',
      'storage.location.template': `${location}campaign=\${campaign}/date=\${run_date}/`,
    },
    PartitionKeys: PARTITION_COLUMNS.map(glueColumn),
    StorageDescriptor: { ...PARQUET, Location: location, Columns: STORED_TABLES[table].columns.map(glueColumn) },
  };
}

/**
 * The view of a table: one row per fact, or for latest_answers one per contact and question (Athena stores views as
 * base64-encoded "Presto view" definitions).
 */
function viewTableInput(table, { database }) {
  const latest = table === LATEST_ANSWERS;
  const columns = latest ? latestAnswersColumns() : viewColumns(table);
  const definition = {
    originalSql: latest ? latestAnswersViewSql(database) : factViewSql(table, database),
    catalog: 'awsdatacatalog',
    schema: database,
    columns: columns.map((column) => ({ name: column.name, type: TRINO_TYPES[column.type] })),
  };
  return {
    Name: table,
    Description: latest ? STORED_TABLES[table].comment : `${STORED_TABLES[table].comment}, each once`,
    TableType: 'VIRTUAL_VIEW',
    Parameters: { presto_view: 'true', comment: 'Presto View' },
    ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(definition)).toString('base64')} */`,
    ViewExpandedText: '/* Presto View */',
    PartitionKeys: [],
    StorageDescriptor: {
      Columns: columns.map((column) => ({ Name: column.name, Type: column.type })),
      SerdeInfo: {},
    },
  };
}

/** The stage's names, resolved by the Serverless CLI. */
async function settings(resolveVariable) {
  return {
    bucket: await resolveVariable('self:custom.reportsBucket'),
    database: await resolveVariable('self:custom.analyticsDatabase'),
    retentionDays: await resolveVariable('param:retentionDays'),
  };
}

const camel = (table) => table.replace(/_([a-z])/g, (_, letter) => letter.toUpperCase());

const sources = {};
for (const table of STORED_TABLE_NAMES) {
  sources[`${camel(table)}Files`] = async ({ resolveVariable }) =>
    filesTableInput(table, await settings(resolveVariable));
  sources[`${camel(table)}View`] = async ({ resolveVariable }) =>
    viewTableInput(table, await settings(resolveVariable));
}

module.exports = { ...sources, filesTableInput, viewTableInput };
