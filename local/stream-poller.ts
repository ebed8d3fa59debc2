/**
 * DynamoDB Streams → Lambda, locally: Lambda's event source mapping played against DynamoDB Local's stream (it
 * implements the Streams API). For each function with a `stream` event on a table's stream it reads every shard from
 * the start, gathers records up to the mapping's `batchSize` or `batchWindow`, and invokes the function
 * through serverless-offline's Lambda endpoint with Lambda's DynamoDB event, the same code as in AWS. It honours what
 * the mapping declares: partial batch responses (`ReportBatchItemFailures`: delivery resumes at the reported record),
 * bisection of a failing batch, `maximumRetryAttempts`, and the on-failure destination (a JSON line per batch given
 * up, in a file, as the SQS queue would hold it).
 */
import { appendFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';

/** A `stream` event of a function, as serverless.yml declares it. */
export const StreamEventSchema = z.object({
  type: z.literal('dynamodb'),
  arn: z.unknown(),
  batchSize: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Seconds to wait for a batch to fill (Lambda's MaximumBatchingWindowInSeconds). */
  batchWindow: z.coerce.number().min(0).max(300).default(0),
  bisectBatchOnFunctionError: z.boolean().default(false),
  functionResponseType: z.string().optional(),
  maximumRetryAttempts: z.coerce.number().int().min(-1).default(-1),
  startingPosition: z.enum(['TRIM_HORIZON', 'LATEST']).default('TRIM_HORIZON'),
});
export type StreamEventDeclaration = z.infer<typeof StreamEventSchema>;

export interface StreamMapping {
  functionName: string;
  tableName: string;
  event: StreamEventDeclaration;
}

/** The stream mappings of a printed service: functions whose `stream` event points at a table's StreamArn. */
export function streamMappings(
  functions: Record<string, { events?: Array<Record<string, unknown>> }>,
  resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>,
  functionName: (key: string) => string,
): StreamMapping[] {
  const mappings: StreamMapping[] = [];
  for (const [key, definition] of Object.entries(functions)) {
    for (const event of definition.events ?? []) {
      const parsed = StreamEventSchema.safeParse(event.stream);
      if (!parsed.success) continue;
      const getAtt = (parsed.data.arn as { 'Fn::GetAtt'?: unknown })?.['Fn::GetAtt'];
      const logicalId = Array.isArray(getAtt) ? String(getAtt[0]) : undefined;
      const tableName = logicalId === undefined ? undefined : resources[logicalId]?.Properties?.TableName;
      if (typeof tableName === 'string')
        mappings.push({ functionName: functionName(key), tableName, event: parsed.data });
    }
  }
  return mappings;
}

export interface StreamPollerOptions {
  dynamodbEndpoint: string;
  lambdaEndpoint: string;
  region: string;
  /** The on-failure destination: one JSON line per batch given up. */
  deadLetterFile: string;
  log: (line: string) => void;
  /** How often shards are read when idle. */
  pollMs?: number;
}

const ATTRIBUTE_TYPES = ['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL'];

/**
 * An attribute value as Lambda's event holds it. The SDK gives an empty map (`{"M": {}}` on the wire) back as `{}`;
 * Lambda's JSON keeps `{"M": {}}`, which is what handlers must be able to read.
 */
export function lambdaAttributeValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).filter(([, inner]) => inner !== undefined);
  const [entry] = entries;
  if (entry === undefined) return { M: {} };
  const [type, inner] = entry;
  if (!ATTRIBUTE_TYPES.includes(type) || entries.length !== 1) return value;
  if (type === 'M') return { M: lambdaImage(inner) };
  if (type === 'L' && Array.isArray(inner)) return { L: inner.map(lambdaAttributeValue) };
  if (type === 'B' && inner instanceof Uint8Array) return { B: Buffer.from(inner).toString('base64') };
  return { [type]: inner };
}

function lambdaImage(image: unknown): Record<string, unknown> | undefined {
  if (typeof image !== 'object' || image === null) return undefined;
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, lambdaAttributeValue(value)]));
}

/** One record as Lambda delivers it. */
function lambdaRecord(record: StreamRecord, streamArn: string, region: string) {
  const { dynamodb } = record;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    dynamodb: {
      ...dynamodb,
      ApproximateCreationDateTime: (dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now()) / 1000,
      Keys: lambdaImage(dynamodb?.Keys),
      NewImage: lambdaImage(dynamodb?.NewImage),
      OldImage: lambdaImage(dynamodb?.OldImage),
    },
    eventSourceARN: streamArn,
  };
}
type LambdaRecord = ReturnType<typeof lambdaRecord>;

const InvokeResponseSchema = z
  .object({ batchItemFailures: z.array(z.object({ itemIdentifier: z.string() })).optional() })
  .nullable();

/** Starts one poller per mapping; the returned function stops them (after the batch in flight). */
export function startStreamPollers(
  mappings: readonly StreamMapping[],
  options: StreamPollerOptions,
): () => Promise<void> {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const dynamodb = new DynamoDBClient({ endpoint: options.dynamodbEndpoint, region: options.region, credentials });
  const streams = new DynamoDBStreamsClient({
    endpoint: options.dynamodbEndpoint,
    region: options.region,
    credentials,
  });
  const lambda = new LambdaClient({ endpoint: options.lambdaEndpoint, region: options.region, credentials });
  let stopped = false;
  const pollMs = options.pollMs ?? 250;
  const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

  /** Invokes the function; returns the index to deliver from again (a partial failure), or throws on an error. */
  async function invoke(mapping: StreamMapping, records: LambdaRecord[]): Promise<number | undefined> {
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: mapping.functionName,
        Payload: Buffer.from(JSON.stringify({ Records: records })),
      }),
    );
    const text = result.Payload === undefined ? '' : Buffer.from(result.Payload).toString('utf8');
    if (result.FunctionError) throw new Error(`${mapping.functionName} failed: ${text.slice(0, 500)}`);
    if (mapping.event.functionResponseType !== 'ReportBatchItemFailures') return undefined;
    const response = InvokeResponseSchema.safeParse(text === '' ? null : JSON.parse(text));
    const failed = response.success ? response.data?.batchItemFailures?.[0]?.itemIdentifier : undefined;
    if (failed === undefined) return undefined;
    const index = records.findIndex((record) => record.dynamodb.SequenceNumber === failed);
    // An identifier that names no record of the batch fails the whole batch, as in Lambda.
    return index < 0 ? 0 : index;
  }

  /** Delivers a batch as Lambda would: retries, bisection, partial failures, then the on-failure destination. */
  async function deliver(mapping: StreamMapping, batch: LambdaRecord[], attempt = 0): Promise<void> {
    const maxAttempts = mapping.event.maximumRetryAttempts < 0 ? 10_000 : mapping.event.maximumRetryAttempts;
    let pending = batch;
    for (let retry = attempt; pending.length > 0 && !stopped; retry++) {
      try {
        const from = await invoke(mapping, pending);
        if (from === undefined) return;
        options.log(
          `${mapping.functionName} reported a partial failure: delivering ${pending.length - from} records again`,
        );
        pending = pending.slice(from);
      } catch (error) {
        options.log(String((error as Error).message));
        if (mapping.event.bisectBatchOnFunctionError && pending.length > 1) {
          const half = Math.ceil(pending.length / 2);
          await deliver(mapping, pending.slice(0, half), retry + 1);
          await deliver(mapping, pending.slice(half), retry + 1);
          return;
        }
      }
      if (retry >= maxAttempts) {
        const first = pending[0]?.dynamodb;
        appendFileSync(
          options.deadLetterFile,
          `${JSON.stringify({
            requestContext: { functionArn: mapping.functionName, condition: 'RetryAttemptsExhausted' },
            DDBStreamBatchInfo: {
              batchSize: pending.length,
              startSequenceNumber: first?.SequenceNumber,
              endSequenceNumber: pending.at(-1)?.dynamodb.SequenceNumber,
              streamArn: pending[0]?.eventSourceARN,
            },
          })}\n`,
        );
        options.log(`${mapping.functionName}: gave up ${pending.length} records after ${retry} retries`);
        return;
      }
      await sleep(Math.min(5_000, 200 * 2 ** (retry - attempt)));
    }
  }

  async function pollMapping(mapping: StreamMapping): Promise<void> {
    let streamArn: string | undefined;
    while (!stopped && streamArn === undefined) {
      const table = await dynamodb
        .send(new DescribeTableCommand({ TableName: mapping.tableName }))
        .catch(() => undefined);
      streamArn = table?.Table?.LatestStreamArn;
      if (streamArn === undefined) await sleep(1_000);
    }
    if (streamArn === undefined) return;
    const iterators = new Map<string, string | undefined>();
    const finished = new Set<string>();
    let pending: LambdaRecord[] = [];
    let firstPendingAt = 0;
    let lastShardScan = 0;
    while (!stopped) {
      if (Date.now() - lastShardScan > 2_000) {
        lastShardScan = Date.now();
        const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
        for (const shard of StreamDescription?.Shards ?? []) {
          const id = shard.ShardId;
          if (id === undefined || iterators.has(id) || finished.has(id)) continue;
          // A child shard starts where its parent ended: read parents first (Lambda keeps this order).
          if (shard.ParentShardId !== undefined && iterators.has(shard.ParentShardId)) continue;
          const { ShardIterator } = await streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: id,
              ShardIteratorType: mapping.event.startingPosition,
            }),
          );
          iterators.set(id, ShardIterator);
        }
      }
      let read = 0;
      for (const [shard, iterator] of iterators) {
        if (iterator === undefined) {
          iterators.delete(shard);
          finished.add(shard);
          continue;
        }
        const room = mapping.event.batchSize - pending.length;
        if (room <= 0) break;
        const output = await streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(1_000, room) }),
        );
        iterators.set(shard, output.NextShardIterator);
        for (const record of output.Records ?? []) {
          if (pending.length === 0) firstPendingAt = Date.now();
          pending.push(lambdaRecord(record, streamArn, options.region));
          read += 1;
        }
      }
      const full = pending.length >= mapping.event.batchSize;
      const waited = pending.length > 0 && Date.now() - firstPendingAt >= mapping.event.batchWindow * 1_000;
      if (full || waited) {
        const batch = pending;
        pending = [];
        await deliver(mapping, batch);
      } else if (read === 0) {
        await sleep(pollMs);
      }
    }
  }

  const loops = mappings.map((mapping) =>
    (async () => {
      while (!stopped) {
        try {
          await pollMapping(mapping);
        } catch (error) {
          if (stopped) return;
          options.log(`${mapping.functionName}: stream polling failed (${(error as Error).message}); starting again`);
          await sleep(1_000);
        }
      }
    })(),
  );
  return async () => {
    stopped = true;
    await Promise.allSettled(loops);
    dynamodb.destroy();
    streams.destroy();
    lambda.destroy();
  };
}
