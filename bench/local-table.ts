/**
 * A DynamoDB Local of its own for a benchmark, with the table serverless.yml declares: started,
 * waited for, created, and removed with its files afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTables, startDynamoDbLocal, waitForDynamoDb } from '../local/dynamodb.ts';
import { stopProcess } from '../local/processes.ts';
import { loadServiceDefinition, tableDeclarations } from '../local/service-definition.ts';

export interface BenchTable {
  client: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  tableName: string;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local's JVM for benchmarks: a fixed 2 GiB heap (a million contacts in memory) and the
 * parallel collector. Seeding is bound by this process, not by Node: on the 2-core development
 * machine these options and 64 concurrent writers seed 1,000,000 contacts in under 2 minutes
 * (about 8,900/s), where `-Xmx1g` and 16 writers took about 3.5 minutes.
 */
const BENCH_JAVA_OPTIONS = ['-Xms2g', '-Xmx2g', '-XX:+UseParallelGC'];

export async function startBenchTable(
  port: number,
  name: string,
  javaOptions: readonly string[] = BENCH_JAVA_OPTIONS,
): Promise<BenchTable> {
  const workDirectory = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const dynamodb = startDynamoDbLocal({
    port,
    logFile: join(workDirectory, 'dynamodb.log'),
    javaOptions,
  });
  const region = 'eu-west-1';
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
  });
  const stop = async () => {
    raw.destroy();
    await stopProcess(dynamodb);
    rmSync(workDirectory, { recursive: true, force: true });
  };
  try {
    await waitForDynamoDb(raw, 60_000);
    const [table] = tableDeclarations(await loadServiceDefinition('bench', region));
    if (table === undefined) throw new Error('serverless.yml declares no table');
    // Without TTL: DynamoDB Local expires items by scanning the whole table every ~10 s, blocking every
    // other request meanwhile (0.4 s at 300,000 items, 1.3 s at 1,000,000), where DynamoDB deletes
    // expired items in the background; with it a latency figure measures that scan, not the engine.
    await createTables(raw, [{ ...table, TimeToLiveSpecification: undefined }]);
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    return { client, raw, tableName: table.TableName, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
