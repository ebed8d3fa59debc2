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

export async function startBenchTable(port: number, name: string): Promise<BenchTable> {
  const workDirectory = mkdtempSync(join(tmpdir(), `bench-${name}-`));
  const dynamodb = startDynamoDbLocal({ port, logFile: join(workDirectory, 'dynamodb.log') });
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
    await createTables(raw, [table]);
    const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
    return { client, raw, tableName: table.TableName, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
