/**
 * `npm run bench -- dynamodb-ceiling [clients=1,4,16,32] [seconds=8]`: how many TransactWriteItems
 * per second DynamoDB Local itself completes, without the fault proxy, with the local cloud's JVM
 * options: transactions of 2 to 4 puts on distinct keys (so nothing conflicts), from N concurrent
 * clients. DynamoDB Local serialises writes behind per-table locks, so this is the ceiling any
 * local dial-path figure runs into; the dial benchmark prints it beside its own.
 */
import { type DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_JAVA_OPTIONS } from '../local/dynamodb.ts';
import { startBenchTable } from './local-table.ts';

export interface CeilingOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Concurrent clients, each sending its next transaction when the last one was answered. */
  clients: number;
  seconds: number;
  /** Warm-up before counting (the JVM compiles its hot paths). */
  warmupSeconds?: number;
}

export interface CeilingResult {
  clients: number;
  transactions: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
}

const percentile = (sorted: readonly number[], fraction: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;

/** Runs `clients` loops of TransactWriteItems (2, 3, 4 items in turn, distinct keys) and counts what completes. */
export async function measureTransactionCeiling(options: CeilingOptions): Promise<CeilingResult> {
  const run = `CEILING#${Date.now().toString(36)}#${options.clients}`;
  let sequence = 0;
  const transaction = () => {
    sequence += 1;
    const items = 2 + (sequence % 3);
    return new TransactWriteItemsCommand({
      TransactItems: Array.from({ length: items }, (_, index) => ({
        Put: {
          TableName: options.tableName,
          Item: { pk: { S: `${run}#${sequence}` }, sk: { S: `ITEM#${index}` }, n: { N: String(index) } },
        },
      })),
    });
  };
  const loop = async (until: number, latencies?: number[]) => {
    let done = 0;
    while (performance.now() < until) {
      const started = performance.now();
      await options.client.send(transaction());
      latencies?.push(performance.now() - started);
      done += 1;
    }
    return done;
  };
  const clients = Array.from({ length: options.clients });
  const warmupUntil = performance.now() + (options.warmupSeconds ?? 2) * 1000;
  await Promise.all(clients.map(() => loop(warmupUntil)));

  const latencies: number[] = [];
  const started = performance.now();
  const counts = await Promise.all(clients.map(() => loop(started + options.seconds * 1000, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  const transactions = counts.reduce((sum, count) => sum + count, 0);
  latencies.sort((a, b) => a - b);
  return {
    clients: options.clients,
    transactions,
    perSecond: transactions / elapsed,
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
  };
}

export async function run(args: readonly string[]): Promise<void> {
  const levels = (args[0] ?? '1,4,16,32').split(',').map(Number);
  const seconds = Number(args[1] ?? 8);
  if (levels.some((level) => !Number.isInteger(level) || level < 1) || !(seconds > 0)) {
    throw new Error(`usage: npm run bench -- dynamodb-ceiling [clients=1,4,16,32] [seconds=8]; got ${args.join(' ')}`);
  }
  const port = Number(process.env.BENCH_DYNAMODB_PORT ?? 28_120);
  const { raw, tableName, stop } = await startBenchTable(port, 'ceiling', DEFAULT_JAVA_OPTIONS);
  try {
    console.info(
      `DynamoDB Local transaction ceiling: TransactWriteItems of 2-4 puts on distinct keys, ${seconds} s per level, ` +
        `JVM ${DEFAULT_JAVA_OPTIONS.join(' ')}, no proxy`,
    );
    let best: CeilingResult | undefined;
    for (const clients of levels) {
      const result = await measureTransactionCeiling({ client: raw, tableName, clients, seconds });
      console.info(
        `  ${String(clients).padStart(3)} clients: ${result.perSecond.toFixed(0).padStart(5)} transactions/s ` +
          `(p50 ${result.p50Ms.toFixed(1)} ms, p95 ${result.p95Ms.toFixed(1)} ms)`,
      );
      if (best === undefined || result.perSecond > best.perSecond) best = result;
    }
    console.info(`best at ${best?.clients} clients`);
    console.info(`dynamodb-local transactions/s: ${best?.perSecond.toFixed(0)}`);
  } finally {
    await stop();
  }
}
