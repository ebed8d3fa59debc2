/**
 * `npm run analytics:sql`: a SQL prompt on DuckDB over the local cloud's analytics facts, with the table and view
 * names of Athena (attempts, answers, contacts, follow_ups and their *_files). Needs `npm start` running: the files
 * are copied from its local S3 before each statement. `.quit` or Ctrl-D leaves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { buildCatalog, GlueTableInputSchema, tableLocation } from './athena/catalog.ts';
import { S3FileCache } from './athena/file-cache.ts';
import { ANALYTICS_SQL_FILE_NAME } from './cloud.ts';
import { localSettings } from './settings.ts';

const settings = localSettings();
const stateDirectory = resolve(import.meta.dirname, '..', settings.LOCAL_STATE_DIR);
const file = join(stateDirectory, ANALYTICS_SQL_FILE_NAME);
if (!existsSync(file)) {
  console.error(`${file} is missing: start the local cloud first (npm start), then run npm run analytics:sql again`);
  process.exit(1);
}
const { catalog, s3Endpoint, region } = z
  .object({
    catalog: z.object({ database: z.string(), tables: z.array(GlueTableInputSchema) }),
    s3Endpoint: z.string(),
    region: z.string(),
  })
  .parse(JSON.parse(readFileSync(file, 'utf8')));
const s3 = new S3Client({
  endpoint: s3Endpoint,
  region,
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
});
const cache = new S3FileCache(s3, join(stateDirectory, 'analytics-sql'));
const connection = await (await DuckDBInstance.create(':memory:')).connect();

async function refresh(): Promise<void> {
  const files = new Map<string, string[]>();
  for (const table of catalog.tables.filter((candidate) => candidate.TableType === 'EXTERNAL_TABLE')) {
    const { bucket, prefix } = tableLocation(table);
    files.set(table.Name, await cache.sync(bucket, prefix));
  }
  await buildCatalog(connection, catalog, (table) => files.get(table.Name) ?? []);
  await connection.run(`SET schema = '${catalog.database}'`);
}

const prompt = createInterface({ input: process.stdin, output: process.stdout });
console.log(
  `DuckDB ${(await connection.runAndReadAll('SELECT version()')).getRows()[0]?.[0]} on the local analytics facts ` +
    `(database ${catalog.database}: ${catalog.tables.map((table) => table.Name).join(', ')}). End statements with ;`,
);
let statement = '';
for (;;) {
  let line: string;
  try {
    line = await prompt.question(statement === '' ? 'analytics> ' : '      ...> ');
  } catch {
    break;
  }
  if (statement === '' && ['.quit', '.exit', 'quit', 'exit'].includes(line.trim())) break;
  statement += `${line}\n`;
  if (!line.trim().endsWith(';')) continue;
  const sql = statement;
  statement = '';
  try {
    await refresh();
    const reader = await connection.runAndReadAll(sql);
    console.table(reader.getRowObjectsJson());
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
  }
}
prompt.close();
connection.closeSync();
s3.destroy();
