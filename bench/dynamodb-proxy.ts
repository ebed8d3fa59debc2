/**
 * `npm run bench -- dynamodb-proxy [requests=2000]`: the latency the DynamoDB fault proxy adds to
 * every request of the local cloud. The same SDK requests go to DynamoDB Local directly and through
 * the proxy, alternating in blocks so that drift hits both: faults off (pure streaming), and faults
 * on with conflicts checked but never hit (requests parsed, items held), plus throughput at 16
 * concurrent clients.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_JAVA_OPTIONS } from '../local/dynamodb.ts';
import { NO_FAULTS, parseDynamoDbFaults } from '../local/dynamodb-fault-settings.ts';
import { startDynamoDbFaultProxy } from '../local/dynamodb-faults.ts';
import { startBenchTable } from './local-table.ts';

const BLOCK = 100;

const percentile = (sorted: readonly number[], fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;

interface Path {
  name: string;
  client: DynamoDBClient;
  latencies: number[];
}

export async function run(args: readonly string[]): Promise<void> {
  const requests = Number(args[0] ?? 2000);
  if (!Number.isInteger(requests) || requests < BLOCK) {
    throw new Error(`usage: npm run bench -- dynamodb-proxy [requests >= ${BLOCK}]; got ${args.join(' ')}`);
  }
  const port = Number(process.env.BENCH_DYNAMODB_PORT ?? 28_130);
  const table = await startBenchTable(port, 'proxy', DEFAULT_JAVA_OPTIONS);
  const proxy = await startDynamoDbFaultProxy({ port: 0, upstream: `http://127.0.0.1:${port}` });
  const clientFor = (endpoint: string) =>
    new DynamoDBClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
  const direct = clientFor(`http://127.0.0.1:${port}`);
  const proxied = clientFor(proxy.url);
  const { tableName } = table;
  let sequence = 0;
  const key = (name: string) => ({ pk: { S: `PROXY#${name}` }, sk: { S: 'META' } });
  type Operation = (client: DynamoDBClient) => Promise<unknown>;
  const getItem: Operation = (client) =>
    client.send(new GetItemCommand({ TableName: tableName, Key: key(String(sequence++ % 100)) }));
  const operations: Record<string, Operation> = {
    GetItem: getItem,
    PutItem: (client) =>
      client.send(
        new PutItemCommand({ TableName: tableName, Item: { ...key(String(sequence++ % 100)), n: { N: '1' } } }),
      ),
    'TransactWriteItems (2 items)': (client) => {
      sequence += 1;
      const items: TransactWriteItemsCommandInput['TransactItems'] = [0, 1].map((index) => ({
        Put: { TableName: tableName, Item: { ...key(`tx-${sequence}-${index}`), n: { N: '1' } } },
      }));
      return client.send(new TransactWriteItemsCommand({ TransactItems: items }));
    },
  };

  /** Sequential latencies of one operation on both paths, in alternating blocks. */
  const measure = async (operation: Operation) => {
    const paths: Path[] = [
      { name: 'direct', client: direct, latencies: [] },
      { name: 'proxy', client: proxied, latencies: [] },
    ];
    for (let done = 0; done < requests; done += BLOCK) {
      for (const path of done % (2 * BLOCK) === 0 ? paths : [...paths].reverse()) {
        for (let index = 0; index < BLOCK; index += 1) {
          const started = performance.now();
          await operation(path.client);
          path.latencies.push(performance.now() - started);
        }
      }
    }
    return paths.map((path) => {
      const sorted = [...path.latencies].sort((a, b) => a - b);
      return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
    });
  };

  /** Requests per second with 16 clients sending GetItem back to back for 3 s. */
  const throughput = async (client: DynamoDBClient) => {
    const until = performance.now() + 3000;
    const counts = await Promise.all(
      Array.from({ length: 16 }, async () => {
        let done = 0;
        while (performance.now() < until) {
          await getItem(client);
          done += 1;
        }
        return done;
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0) / 3;
  };

  try {
    for (let index = 0; index < 100; index += 1) {
      await direct.send(new PutItemCommand({ TableName: tableName, Item: { ...key(String(index)), n: { N: '0' } } }));
    }
    // Warm-up: JIT on both sides, sockets in the pools.
    for (const operation of Object.values(operations)) await measure(operation);
    console.info(
      `DynamoDB fault proxy overhead: ${requests} sequential requests per path and operation, DynamoDB Local ` +
        `JVM ${DEFAULT_JAVA_OPTIONS.join(' ')}; latency in ms`,
    );
    for (const [label, faults] of [
      ['faults off', NO_FAULTS],
      ['conflicts=1ms (parsed, held, never hit)', parseDynamoDbFaults('conflicts=1ms')],
    ] as const) {
      proxy.setFaults(faults);
      console.info(`  ${label}`);
      for (const [name, operation] of Object.entries(operations)) {
        const [directFigures, proxyFigures] = await measure(operation);
        if (directFigures === undefined || proxyFigures === undefined) continue;
        console.info(
          `    ${name.padEnd(30)} direct p50 ${directFigures.p50.toFixed(2)} p95 ${directFigures.p95.toFixed(2)} | ` +
            `proxy p50 ${proxyFigures.p50.toFixed(2)} p95 ${proxyFigures.p95.toFixed(2)} | ` +
            `added p50 ${(proxyFigures.p50 - directFigures.p50).toFixed(2)}`,
        );
      }
    }
    proxy.setFaults(NO_FAULTS);
    const directRate = await throughput(direct);
    const proxyRate = await throughput(proxied);
    console.info(
      `  GetItem at 16 clients: direct ${directRate.toFixed(0)}/s, proxy ${proxyRate.toFixed(0)}/s ` +
        `(${((proxyRate / directRate - 1) * 100).toFixed(1)} %)`,
    );
  } finally {
    direct.destroy();
    proxied.destroy();
    await proxy.close();
    await table.stop();
  }
}
